import type { AuditWriter } from '../audit/index.js';
import type { TributaryError } from '../errors.js';
import { formatCount, operationLimitError } from '../limits/limit-error.js';

export interface RequestBudget {
  /** Records the request may pass through the access funnel (`OperationLimits.maxRecords`). */
  readonly maxRecords: number;
  /** How long the request may keep deciding records; the gateway stops waiting for it then. */
  readonly deadlineMs: number;
}

/**
 * The hard bounds of one subgraph request, where the operation limits only estimate: at most
 * `maxRecords` records decided, and none after `deadlineMs`. The cost estimate assumes ten
 * entities per plain list; real lists can be longer, and a router may send an entity fetch as
 * large as its body allows, so without these one admitted request can hold a subgraph for
 * longer than anyone waits for it and keep every record it read in memory.
 *
 * Counted at the audit writer the request's funnel appends to: every record the funnel decides,
 * released or withheld, leaves exactly one entry there, before anything is released (fail
 * closed), so refusing the append refuses the release. The refusal is OPERATION_LIMIT on the
 * fields that asked for more (the rest of the response stands), and the request's later
 * releases are refused the same way.
 */
export function budgetedAudit(audit: AuditWriter, budget: RequestBudget, clock: () => number = Date.now): AuditWriter {
  const deadline = clock() + budget.deadlineMs;
  let records = 0;
  return {
    chain: audit.chain,
    append(entries) {
      if (clock() > deadline) {
        return Promise.reject(
          duringExecution(
            operationLimitError('time', `The request ran past its time limit of ${formatCount(budget.deadlineMs)} ms; ask for fewer records at once`, {
              max: budget.deadlineMs,
            }),
          ),
        );
      }
      records += entries.length;
      if (records > budget.maxRecords) {
        return Promise.reject(
          duringExecution(
            operationLimitError('records', `The request needs more than ${formatCount(budget.maxRecords)} records; ask for smaller pages or fewer nested lists`, {
              max: budget.maxRecords,
              actual: records,
            }),
          ),
        );
      }
      return audit.append(entries);
    },
  };
}

/**
 * A refusal raised while the operation executes is a field's error beside other fields' data,
 * so it must leave the HTTP status at 200 (lib/errors.ts): Apollo would otherwise answer the
 * whole response with OPERATION_LIMIT's 400, and a router reads a 400 from a subgraph as a
 * failed fetch rather than as a GraphQL answer whose errors it passes on.
 */
function duringExecution(error: TributaryError): TributaryError {
  Reflect.deleteProperty(error.extensions, 'http');
  return error;
}
