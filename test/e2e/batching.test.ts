import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningIndexer } from '../../lib/audit/indexer-run.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';

/**
 * DataLoader behind every reference and relation, and one audit append per batch: the number
 * of SQL statements a request costs depends on the shape of the query, not on how many
 * records it returns.
 */
describe('SQL round trips per request', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    fed = await startTestFederation({ seed: 'medium' });
    // The auditors' index is filled off the request path, by a background pass whose statements
    // (items in chunks) would land in this count at whatever moment it runs: stop it, so the
    // count is the request's own. No auditor query runs here, so nothing waits for the index.
    await runningIndexer(fed.federation.runtime.auditOwnerStore)?.stop();
  });
  afterAll(async () => {
    await fed?.close();
  });

  const QUERY = `query($n: Int) { transfers(first: $n) { totalCount edges { node { id status person { id name encounters { id station } bookings { id county } transfers { id } } } } } }`;

  const measure = async (n: number): Promise<{ roundTrips: number; records: number }> => {
    const before = fed.testStore.store.roundTrips;
    const { body } = await fed.query('ice-analyst', 'CUSTODY_TRANSFER', QUERY, { n });
    expect(body.errors ?? []).toEqual([]);
    const edges = (body.data?.transfers as { edges: { node: { person: { encounters: unknown[]; bookings: unknown[]; transfers: unknown[] } | null } }[] }).edges;
    const records = edges.reduce(
      (sum, edge) => sum + 1 + (edge.node.person ? 1 + edge.node.person.encounters.length + edge.node.person.bookings.length + edge.node.person.transfers.length : 0),
      0,
    );
    return { roundTrips: fed.testStore.store.roundTrips - before, records };
  };

  it('stays constant from 10 records to a page of 500 transfers with their people and relations', async () => {
    await measure(10); // warm caches (plans, prepared JWKS) so both runs compare like with like
    const small = await measure(10);
    const large = await measure(500);
    console.log(`round trips: ${small.roundTrips} for ${small.records} records, ${large.roundTrips} for ${large.records} records`);
    expect(large.records).toBeGreaterThan(1_000);
    expect(large.roundTrips).toBeLessThanOrEqual(small.roundTrips);
  });
});
