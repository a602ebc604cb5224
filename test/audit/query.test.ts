import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, type AuditEntry } from '../../lib/audit/index.js';
import { waitForIndex } from '../../lib/audit/indexer-wait.js';
import { queryAccessLog } from '../../subgraphs/audit/query.js';
import { accessesPerOrgPerDay, denialsByRule, whoReadPerson } from '../../subgraphs/audit/summaries.js';
import { DEFAULT_OPERATION_LIMITS } from '../../lib/limits/settings.js';
import { anEntry } from './entries.js';
import { openTestStore, STORE_KINDS, type TestStore } from './stores.js';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const at = (hours: number): Date => new Date(T0 + hours * 3_600_000);

const analyst = { iss: 'tributary-dev-issuer', sub: 'analyst@cbp-tucson', agency: 'CBP', org: 'cbp-tucson', roles: ['analyst'] };
const agent = { iss: 'tributary-dev-issuer', sub: 'agent@ice-ero-phoenix', agency: 'ICE', org: 'ice-ero-phoenix', roles: ['officer'] };
const caseworker = { iss: 'tributary-dev-issuer', sub: 'caseworker@ngo-desert-refuge', agency: 'NGO', org: 'ngo-desert-refuge', roles: ['caseworker'] };

describe.each(STORE_KINDS)('the access log query on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
    const cbp = createAuditWriter(t.store, { service: 'cbp' });
    const ice = createAuditWriter(t.store, { service: 'ice' });
    const ngo = createAuditWriter(t.store, { service: 'ngo' });
    // 30 route reads by the analyst over 30 hours (every third denied by rule tactical.cbp-only)...
    await cbp.append(
      Array.from({ length: 30 }, (_, i) =>
        anEntry({
          at: at(i),
          subject: analyst,
          recordId: `route-${i}`,
          decision: i % 3 === 0 ? 'DENY' : 'ALLOW',
          rules: i % 3 === 0 ? ['tactical.cbp-only'] : ['owner.core'],
        }),
      ),
    );
    // ...person p-1 read by ICE directly, and through a transfer about them...
    await ice.append([
      anEntry({ at: at(40), subject: agent, purpose: 'CUSTODY_TRANSFER', service: 'ice', recordType: 'Person', recordId: 'p-1', personId: 'p-1', decision: 'PARTIAL', fieldsRedacted: ['aNumber'] }),
      anEntry({ at: at(41), subject: agent, purpose: 'CUSTODY_TRANSFER', service: 'ice', recordType: 'Transfer', recordId: 't-9', personId: 'p-1' }),
      anEntry({ at: at(42), subject: agent, purpose: 'CUSTODY_TRANSFER', service: 'ice', recordType: 'Transfer', recordId: 't-9', personId: 'p-1' }),
      anEntry({ at: at(43), subject: agent, service: 'ice', recordType: 'Person', recordId: 'p-2', personId: 'p-2' }),
    ]);
    // ...an NGO denied p-1's transfer, which is not a read of p-1.
    await ngo.append([
      anEntry({ at: at(44), subject: caseworker, purpose: 'LEGAL_SERVICES', service: 'ngo', recordType: 'Transfer', recordId: 't-9', personId: 'p-1', decision: 'DENY', rules: ['ngo.transfer-consent'] }),
      anEntry({ at: at(45), subject: null, action: 'AUTHENTICATE', decision: 'DENY', service: 'ngo', recordType: null, recordId: null, reason: 'BAD_SIGNATURE', rules: [] }),
    ]);
    // ...and a page of three ICE persons read in one request: one event of three items.
    await ice.append(['p-7', 'p-8', 'p-9'].map((id) => anEntry({ at: at(46), subject: agent, service: 'ice', recordType: 'Person', recordId: id, personId: id })));
    // The auditors' index is filled after the commit; the API waits for it the same way.
    expect((await waitForIndex(t.store)).caughtUp).toBe(true);
  });
  afterAll(async () => t.dispose());

  const ids = (list: readonly AuditEntry[]): string[] => list.map((entry) => entry.id);

  it('lists newest first with the total count', async () => {
    const page = await queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, {}, { first: 3 });
    expect(ids(page.entries)).toEqual(['ice:5.2', 'ice:5.1', 'ice:5.0']);
    expect(page.entries.map((entry) => [entry.recordId, entry.itemCount])).toEqual([['p-9', 3], ['p-8', 3], ['p-7', 3]]);
    expect(page.totalCount).toBe(39);
    expect(page.hasNextPage).toBe(true);
  });

  it('pages through everything with opaque cursors, each entry once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages += 1) {
      const page = await queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, { subjectSub: analyst.sub }, { first: 7, after });
      seen.push(...ids(page.entries));
      expect(page.totalCount).toBe(30);
      expect(page.edges.at(-1)?.cursor ?? null).toBe(page.endCursor);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `cbp:${30 - i}.0`));
  });

  it('pages by event (subject, org, agency, request) through the items of a multi-item event, each once', async () => {
    // Found through each event's first item (migration 013), then the event's items: a page may
    // end inside an event and the next one goes on within it.
    for (const filter of [{ subjectOrg: 'ice-ero-phoenix' }, { subjectOrg: 'ice-ero-phoenix', purpose: 'CUSTODY_TRANSFER' as const }, { agency: 'ICE' as const, decision: 'ALLOW' as const }]) {
      const seen: string[][] = [];
      let after: string | null = null;
      let total: number | null = null;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, filter, { first: 2, after });
        seen.push(ids(page.entries));
        total = page.totalCount;
        if (!page.hasNextPage) break;
        after = page.endCursor;
      }
      const all = seen.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(total).toBe(all.length);
      if (filter.purpose === undefined && filter.decision === undefined) expect(seen).toEqual([['ice:5.2', 'ice:5.1'], ['ice:5.0', 'ice:4.0'], ['ice:3.0', 'ice:2.0'], ['ice:1.0']]);
      if (filter.purpose !== undefined) expect(all).toEqual(['ice:3.0', 'ice:2.0', 'ice:1.0']);
      if (filter.decision !== undefined) expect(all).toEqual(['ice:5.2', 'ice:5.1', 'ice:5.0', 'ice:4.0', 'ice:3.0', 'ice:2.0']);
    }
  });

  it.each([
    [{ subjectOrg: 'ice-ero-phoenix' }, 7],
    [{ agency: 'NGO' as const }, 1],
    [{ recordType: 'Transfer', recordId: 't-9' }, 3],
    [{ purpose: 'CUSTODY_TRANSFER' as const }, 3],
    [{ decision: 'DENY' as const }, 12],
    [{ decision: 'DENY' as const, subjectSub: analyst.sub }, 10],
    [{ action: 'AUTHENTICATE' as const }, 1],
    [{ from: at(10), to: at(20) }, 10],
    [{ from: at(29), subjectOrg: 'cbp-tucson' }, 1],
    [{ subjectSub: 'nobody', recordId: null }, 0],
    [{ personId: 'p-1' }, 4],
    [{ personId: 'p-1', decision: 'DENY' as const }, 1],
    [{ requestId: 'req-00000001' }, 39],
    [{ personId: 'p-8' }, 1],
    [{ requestId: 'req-other' }, 0],
  ])('filters by %o', async (filter, expected) => {
    const page = await queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, filter, { first: 500 });
    expect(page.totalCount).toBe(expected);
    expect(page.entries).toHaveLength(expected);
  });

  it('returns whole entries with their hashes', async () => {
    const [entry] = (await queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, { recordType: 'Person', recordId: 'p-1' })).entries;
    expect(entry).toMatchObject({
      id: 'ice:1.0',
      item: 0,
      itemCount: 1,
      at: at(40),
      subject: agent,
      decision: 'PARTIAL',
      fieldsRedacted: ['aNumber'],
      rules: ['owner.core'],
      seq: 1,
      prevHash: '0'.repeat(64),
    });
    expect(entry?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a forged cursor, a negative page and an unknown decision as bad input', async () => {
    await expect(queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, {}, { after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, {}, { first: -1 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, { decision: 'MAYBE' as 'DENY' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses a page past the operator\'s page limit with the gateway\'s code, OPERATION_LIMIT', async () => {
    await expect(queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, {}, { first: 501 })).rejects.toMatchObject({ code: 'OPERATION_LIMIT' });
    await expect(queryAccessLog(t.store, { maxPageSize: 20 }, {}, { first: 21 })).rejects.toMatchObject({ code: 'OPERATION_LIMIT' });
    expect((await queryAccessLog(t.store, { maxPageSize: 20 }, {}, { first: 20 })).entries.length).toBeLessThanOrEqual(20);
  });

  it('treats injection-shaped values as values', async () => {
    expect((await queryAccessLog(t.store, DEFAULT_OPERATION_LIMITS, { recordId: "x' OR '1'='1" })).totalCount).toBe(0);
  });

  it('counts accesses per org and day', async () => {
    const rows = await accessesPerOrgPerDay(t.store, { from: at(0), to: at(48) });
    expect(rows).toEqual([
      { day: '2025-03-01', org: 'cbp-tucson', accesses: 24, allowed: 16, partial: 0, denied: 8 },
      { day: '2025-03-02', org: 'cbp-tucson', accesses: 6, allowed: 4, partial: 0, denied: 2 },
      { day: '2025-03-02', org: 'ice-ero-phoenix', accesses: 7, allowed: 6, partial: 1, denied: 0 },
      { day: '2025-03-02', org: 'ngo-desert-refuge', accesses: 1, allowed: 0, partial: 0, denied: 1 },
    ]);
  });

  it('counts denials by rule', async () => {
    const rows = await denialsByRule(t.store);
    expect(rows.map(({ rule, denials }) => ({ rule, denials }))).toEqual([
      { rule: 'tactical.cbp-only', denials: 10 },
      { rule: 'ngo.transfer-consent', denials: 1 },
    ]);
    expect(rows[0]?.lastAt).toEqual(at(27));
  });

  it('finds who read a person, through their own record and records about them', async () => {
    const rows = await whoReadPerson(t.store, 'p-1');
    expect(rows).toEqual([
      { subjectSub: agent.sub, subjectOrg: agent.org, agency: 'ICE', purpose: 'CUSTODY_TRANSFER', recordType: 'Transfer', recordId: 't-9', reads: 2, firstAt: at(41), lastAt: at(42) },
      { subjectSub: agent.sub, subjectOrg: agent.org, agency: 'ICE', purpose: 'CUSTODY_TRANSFER', recordType: 'Person', recordId: 'p-1', reads: 1, firstAt: at(40), lastAt: at(40) },
    ]);
    expect(await whoReadPerson(t.store, 'p-1', { to: at(40) })).toEqual([]);
  });
});
