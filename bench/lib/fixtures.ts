import { encodeCursor } from '../../lib/connection.js';
import { sql, type Queryable } from '../../lib/store/index.js';
import type { Fixtures } from './workloads.js';

/** Looks up, after seeding, the ids the workloads need (see Fixtures). */
export async function lookUpFixtures(store: Queryable, probe: () => Promise<string | null>): Promise<Fixtures> {
  const [middle] = await store.query(sql`SELECT id FROM ice.transfers ORDER BY id OFFSET (SELECT count(*) / 2 FROM ice.transfers) LIMIT 1`);
  // A person cbp-tucson (the mutation's author) can read: a write may name no other (SPEC 5).
  const [person] = await store.query(sql`SELECT p.id FROM ice.persons p
    WHERE 'DHS' = ANY(p.disseminate) AND EXISTS (SELECT 1 FROM cbp.encounters e WHERE e.person_id = p.id AND e.owner_org = 'cbp-tucson')
    ORDER BY p.id LIMIT 1`);
  const transferId = await probe();
  if (typeof middle?.['id'] !== 'string' || typeof person?.['id'] !== 'string' || transferId === null) {
    throw new Error('the seeded world lacks the transfers and persons the workloads need');
  }
  return { transferId, personId: person['id'], midCursor: encodeCursor('Transfer', middle['id']) };
}

/** The first transfer of a page whose person is visible and has encounters. */
export function pickTransfer(body: unknown): string | null {
  type Page = { data?: { transfers?: { edges?: { node?: { id?: unknown; person?: { encounters?: unknown[] } | null } }[] } } };
  const edges = (body as Page).data?.transfers?.edges ?? [];
  for (const edge of edges) {
    const node = edge.node;
    if (typeof node?.id === 'string' && (node.person?.encounters?.length ?? 0) > 0) return node.id;
  }
  return null;
}
