import type { GraphQLResolveInfo } from 'graphql';
import { readableRecord } from '../../lib/access/named-record.js';
import { badInput } from '../../lib/errors.js';
import { raw, sql } from '../../lib/store/sql.js';
import { optionalText } from '../../lib/validate.js';
import type { IceContext } from './loaders.js';
import { readTransfer, transferColumns, transferSelect, type TransferRecord } from './records.js';
import { TRANSFER_STEPS, type TransferStepName } from './transfer-lifecycle.js';

type Context = IceContext;

/** Reads a transfer the caller may see, for a write; an invisible one reads as not found. */
const visibleTransfer = (context: Context, id: string): Promise<TransferRecord> =>
  readableRecord(
    context,
    { type: 'Transfer', id, argument: 'id' },
    { select: transferSelect(context.now), idColumn: raw('t.id'), columns: transferColumns(context.now), read: readTransfer },
  );

/**
 * The resolver of one step of a transfer's lifecycle (`acceptTransfer`, `startTransfer`,
 * `completeTransfer`, `cancelTransfer`): the same read, check, write and release for each.
 */
export function transferStep(name: TransferStepName) {
  const transition = TRANSFER_STEPS[name];
  return async (_: unknown, args: { readonly id: string; readonly reason?: string | null }, context: Context, info: GraphQLResolveInfo) => {
    const current = await visibleTransfer(context, args.id);
    if (!(transition.from as readonly string[]).includes(current.status)) {
      throw badInput(`Transfer ${current.id} is ${current.status}; ${name} needs a transfer that is ${transition.from.join(' or ')}`, {
        argument: 'id',
      });
    }
    const reason = name === 'cancelTransfer' ? optionalText('reason', args.reason, 500) : null;
    await context.access.authorizeWrite(transition.action, 'Transfer', current);
    const rows = await context.store.query(
      sql`UPDATE ice.transfers SET status = ${transition.to}, ${raw(transition.stamp)} = ${context.now}, updated_at = ${context.now},
          reason = COALESCE(${reason}, reason)
          WHERE id = ${current.id} AND status = ${current.status} RETURNING id`,
    );
    if (rows.length === 0) throw badInput(`Transfer ${current.id} changed while you were updating it; read it again`);
    return context.access.releaseWritten('Transfer', await visibleTransfer(context, current.id), info);
  };
}

