import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

const WELL_FORMED = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * The id that ties the gateway's request-level audit entry to the subgraphs' record-level
 * ones. A caller-supplied id is kept only when well formed (it ends up in logs and the audit
 * log); anything else is replaced.
 */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && WELL_FORMED.test(header) ? header : randomUUID();
}
