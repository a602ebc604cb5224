import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkedOrgs, protected1367 } from '../../lib/access/person-facts.js';
import { factsFresh } from '../../lib/facts/fresh.js';
import { sql, type Sql } from '../../lib/store/index.js';
import { openTestStore, type TestStore } from '../support/store.js';

/**
 * Issue 13, one database (the embedded store, or one DATABASE_URL): each owner's triggers keep
 * its `<owner>_facts` tables current in the same transaction as the write, the policy SQL reads
 * only those, and a malformed or stale fact reads as the restrictive value.
 */
describe('published policy facts in one database', () => {
  let t: TestStore;
  const value = async (statement: Sql): Promise<unknown> => (await t.store.query(statement))[0]?.['v'];

  beforeAll(async () => {
    t = await openTestStore();
    await t.store.query(sql`INSERT INTO ice.persons (id, owner_org, owner_agency, sensitivity, name, protected1367)
      VALUES ('P-1', 'ice-ero-phoenix', 'ICE', 'SENSITIVE', 'A Name', false)`);
  });
  afterAll(() => t.close());

  it('publishes a person without PII, and follows its 1367 flag', async () => {
    expect(await t.store.query(sql`SELECT * FROM ice_facts.persons`)).toEqual([
      expect.objectContaining({ id: 'P-1', owner_org: 'ice-ero-phoenix', protected1367: false }),
    ]);
    expect(Object.keys((await t.store.query(sql`SELECT * FROM ice_facts.persons`))[0] ?? {})).not.toContain('name');
    await t.store.query(sql`UPDATE ice.persons SET protected1367 = true WHERE id = 'P-1'`);
    expect(await value(sql`SELECT ${protected1367('p')} AS v FROM ice_facts.persons p WHERE p.id = 'P-1'`)).toBe(true);
  });

  it('commits a custody link with its booking, rolls it back with it, and publishes no link for an identity alone', async () => {
    const booking = (id: string, person: string | null): Sql => sql`INSERT INTO partner.bookings
      (id, owner_org, owner_agency, sensitivity, person_id, subject_name, county, booked_at, detainer_status)
      VALUES (${id}, 'partner-maricopa', 'PARTNER', 'SENSITIVE', ${person}, ${person === null ? 'Someone' : null}, 'Maricopa', now(), 'NONE')`;
    await expect(t.store.transaction(async (tx) => {
      await tx.query(booking('BK-ROLLED-BACK', 'P-1'));
      throw new Error('abandon');
    })).rejects.toThrow('abandon');
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-1'}`)} AS v`)).toEqual([]);
    await t.store.query(booking('BK-1', 'P-1'));
    await t.store.query(booking('BK-2', null));
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-1'}`)} AS v`)).toEqual(['partner-maricopa']);
    expect(await value(sql`SELECT count(*) AS v FROM partner_facts.custody_links`)).toBe(1);
    await t.store.query(sql`DELETE FROM partner.bookings WHERE id = 'BK-1'`);
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-1'}`)} AS v`)).toEqual([]);
  });

  it('publishes consent to transfer notification only while active and unrevoked', async () => {
    await t.store.query(sql`INSERT INTO ngo.referrals (id, owner_org, owner_agency, sensitivity, person_id, from_org, to_org, service, status)
      VALUES ('RF-1', 'ngo-a', 'NGO', 'SENSITIVE', 'P-1', 'ngo-a', 'ngo-b', 'LEGAL', 'OPEN')`);
    const notify = (): Promise<unknown> => value(sql`SELECT notify AS v FROM ngo_facts.transfer_notification WHERE referral_id = 'RF-1'`);
    expect(await notify()).toBe(false);
    await t.store.query(sql`INSERT INTO ngo.consents (referral_id, notify_transfers) VALUES ('RF-1', true)`);
    expect(await notify()).toBe(true);
    await t.store.query(sql`UPDATE ngo.consents SET revoked_at = now() WHERE referral_id = 'RF-1'`);
    expect(await notify()).toBe(false);
    await t.store.query(sql`UPDATE ngo.consents SET revoked_at = NULL WHERE referral_id = 'RF-1'`);
    await t.store.query(sql`UPDATE ngo.referrals SET status = 'CLOSED' WHERE id = 'RF-1'`);
    expect(await notify()).toBe(false);
  });

  it('reads a malformed fact, and a stale copy, as the restrictive value', async () => {
    await t.store.query(sql`INSERT INTO ice_facts.persons (id, protected1367) VALUES ('P-NULL', NULL)`);
    await t.store.query(sql`INSERT INTO cbp_facts.custody_links (encounter_id, person_id, owner_org) VALUES ('EN-NULL', 'P-2', NULL)`);
    expect(await value(sql`SELECT ${protected1367('p')} AS v FROM ice_facts.persons p WHERE p.id = 'P-NULL'`)).toBe(true);
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-2'}`)} AS v`)).toEqual([]);
    // A copy registered for CBP with no heartbeat yet: its links no longer count.
    await t.store.query(sql`INSERT INTO cbp_facts.custody_links (encounter_id, person_id, owner_org) VALUES ('EN-1', 'P-2', 'cbp-tucson')`);
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-2'}`)} AS v`)).toEqual(['cbp-tucson']);
    await t.store.query(sql`INSERT INTO public.fact_copies (owner, max_lag_ms, subscription) VALUES ('cbp', 1000, 'none')`);
    expect(await value(sql`SELECT ${factsFresh('cbp')} AS v`)).toBe(false);
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-2'}`)} AS v`)).toEqual([]);
    // A heartbeat within the bound makes it count again.
    await t.store.query(sql`INSERT INTO cbp_facts.heartbeat (publisher, beat_at) VALUES ('cbp', now())`);
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-2'}`)} AS v`)).toEqual(['cbp-tucson']);
    await t.store.query(sql`UPDATE cbp_facts.heartbeat SET beat_at = now() - interval '2 seconds'`);
    expect(await value(sql`SELECT ${linkedOrgs(sql`${'P-2'}`)} AS v`)).toEqual([]);
    await t.store.query(sql`DELETE FROM public.fact_copies`);
  });
});
