import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../../lib/audit/index.js';
import { buildProof, type ProofLookup } from '../../lib/audit/proof-build.js';
import { TributaryError } from '../../lib/errors.js';
import type { Queryable } from '../../lib/store/index.js';
import type { AuditContext } from './loaders.js';

/**
 * `accessEventProof(id)`: the inclusion proof of one access, as the JSON `npm run -s audit:prove`
 * prints (lib/audit/proof.ts; docs/audit.md "Inclusion proofs"), for the console's "Download
 * proof". Auditors only, and the read is itself audited (AUDIT_READ), like every read of the log.
 *
 *   null                 no such entry
 *   BAD_USER_INPUT       not an AccessEvent id
 *   SERVICE_UNAVAILABLE  the entry exists but no signed checkpoint covers it yet (retryAfter:
 *                        the checkpointer signs one within its interval); never signed here, so
 *                        an API read never writes to the log's store
 */
export const accessEventProofLoader = (auditStore: Queryable) => (id: string): Promise<ProofLookup> => buildProof(auditStore, id);

const RETRY_AFTER_SECONDS = DEFAULT_CHECKPOINT_INTERVAL_MS / 1000;

export async function accessEventProof(_: unknown, args: { readonly id: string }, context: AuditContext): Promise<string | null> {
  await context.access.authorizeAuditRead(`accessEventProof ${JSON.stringify(args.id).slice(0, 200)}`);
  const found = await context.loaders.accessEventProof(args.id);
  switch (found.kind) {
    case 'proof':
      return JSON.stringify(found.proof, null, 2);
    case 'no-such-entry':
      return null;
    case 'malformed-id':
      throw new TributaryError('BAD_USER_INPUT', 'accessEventProof: "id" must be an AccessEvent id <chain>:<seq>.<item>');
    case 'not-covered':
      throw new TributaryError(
        'SERVICE_UNAVAILABLE',
        `No signed checkpoint covers ${args.id} yet; retry after the next checkpoint (every ${RETRY_AFTER_SECONDS} s)`,
        { details: { retryAfter: RETRY_AFTER_SECONDS } },
      );
  }
}
