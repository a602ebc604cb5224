import { describe, expect, it } from 'vitest';
import type { AuditEntryInput, AuditWriter } from '../../lib/audit/index.js';
import { TributaryError } from '../../lib/errors.js';
import { budgetedAudit } from '../../lib/server/request-budget.js';

/** An audit writer that keeps what reached it. */
function recordingAudit(): AuditWriter & { readonly appended: AuditEntryInput[][] } {
  const appended: AuditEntryInput[][] = [];
  return { chain: 'test', appended, append: async (entries) => void appended.push([...entries]) };
}

const entries = (count: number): AuditEntryInput[] => Array.from({ length: count }, () => ({}) as AuditEntryInput);

async function refusal(promise: Promise<void>): Promise<TributaryError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
}

describe('the budget of one subgraph request', () => {
  it('passes appends through until the request has decided maxRecords records', async () => {
    const audit = recordingAudit();
    const budgeted = budgetedAudit(audit, { maxRecords: 1_000, deadlineMs: 10_000 }, () => 0);
    await budgeted.append(entries(500));
    await budgeted.append(entries(500));
    expect(audit.appended.map((batch) => batch.length)).toEqual([500, 500]);
  });

  it('refuses the append that would pass maxRecords with OPERATION_LIMIT, and every later one, writing none of them', async () => {
    const audit = recordingAudit();
    const budgeted = budgetedAudit(audit, { maxRecords: 1_000, deadlineMs: 10_000 }, () => 0);
    await budgeted.append(entries(600));
    const error = await refusal(budgeted.append(entries(500)));
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'records', max: 1_000, actual: 1_100 });
    expect(error?.message).toBe('The request needs more than 1,000 records; ask for smaller pages or fewer nested lists');
    expect((await refusal(budgeted.append(entries(1))))?.extensions).toMatchObject({ limit: 'records' });
    expect(audit.appended.map((batch) => batch.length)).toEqual([600]);
  });

  it('refuses appends once the deadline has passed', async () => {
    let now = 1_000;
    const audit = recordingAudit();
    const budgeted = budgetedAudit(audit, { maxRecords: 1_000, deadlineMs: 10_000 }, () => now);
    now = 11_000;
    await budgeted.append(entries(1));
    now = 11_001;
    const error = await refusal(budgeted.append(entries(1)));
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'time', max: 10_000 });
    expect(audit.appended).toHaveLength(1);
  });

  it('leaves the HTTP status of a response to the fields that did not fail (no extensions.http)', async () => {
    const budgeted = budgetedAudit(recordingAudit(), { maxRecords: 1, deadlineMs: 10_000 }, () => 0);
    const error = await refusal(budgeted.append(entries(2)));
    expect(error?.extensions['http']).toBeUndefined();
  });
});
