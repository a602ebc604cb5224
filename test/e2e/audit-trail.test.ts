import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, PERSONAS } from '../../lib/identity/index.js';
import { accessLog, asAuditor, tamperWithEntry, type AccessEvent } from '../support/audit-log.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { asPersona, isObject, send } from '../support/http-client.js';
import { frozenClock, seededWorld } from '../support/seeded-world.js';

/**
 * SPEC 6 through the real services: every record released, field withheld, denial, write,
 * refused token and read of the log leaves an entry an auditor can find by the request id the
 * caller got back; the auditor can answer "who saw this person's records"; and an entry altered
 * behind the application's back breaks the chain where it was altered.
 */

const { fixtures: f, now } = seededWorld();
const WEEK_MS = 7 * 24 * 3600 * 1000;

describe('the audit trail, end to end', () => {
  let fed: TestFederation;
  /** An entry of the first test's page, to alter at the end. */
  let readEntry: AccessEvent | undefined;

  beforeAll(async () => {
    fed = await startTestFederation({ clock: frozenClock(now) });
  });
  afterAll(async () => {
    await fed?.close();
  });

  const requestIdOf = (exchange: { readonly requestId: string | null }): string => {
    if (exchange.requestId === null) throw new Error('the response carries no x-request-id');
    return exchange.requestId;
  };

  describe('coverage', () => {
    it('leaves exactly one READ entry per record a query released, under the request id the response carried, beside the gateway\'s REQUEST entry', async () => {
      const response = await asPersona(fed, 'ice-analyst', 'INVESTIGATION', '{ transfers(first: 7) { edges { node { id status } } } }');
      expect(response.body.errors ?? []).toEqual([]);
      const ids = (response.body.data?.transfers as { edges: { node: { id: string } }[] }).edges.map((edge) => edge.node.id);
      expect(ids).toHaveLength(7);
      const requestId = requestIdOf(response);

      const entries = await accessLog(fed, { requestId });
      const reads = entries.filter((entry) => entry.action === 'READ');
      expect(reads.map((entry) => entry.recordId).sort()).toEqual([...ids].sort());
      for (const entry of reads) {
        expect(entry).toMatchObject({ requestId, service: 'ice', recordType: 'Transfer', decision: 'ALLOW', subjectSub: 'ice-analyst@ice-hsi-tucson', purpose: 'INVESTIGATION' });
        expect(entry.justification).toBe('CASE-2026-0042');
        expect([...entry.fieldsReleased].sort()).toEqual(['id', 'status']);
      }
      const requests = entries.filter((entry) => entry.action === 'REQUEST');
      expect(requests).toMatchObject([{ requestId, service: 'gateway', subjectSub: 'ice-analyst@ice-hsi-tucson', decision: 'ALLOW' }]);
      expect(entries).toHaveLength(ids.length + 1);
      readEntry = reads[0];
    });

    it('leaves a DENY entry for a record fetched by id and withheld whole', async () => {
      const response = await asPersona(fed, 'ngo-shelter', 'HUMANITARIAN', 'query($id: ID!) { network(id: $id) { id name } }', { id: f.currentNetworkDhsPartnerId });
      expect(response.body).toEqual({ data: { network: null } });
      const [denial, ...others] = (await accessLog(fed, { requestId: requestIdOf(response), action: 'READ' }));
      expect(others).toEqual([]);
      expect(denial).toMatchObject({
        recordType: 'Network',
        recordId: f.currentNetworkDhsPartnerId,
        decision: 'DENY',
        rules: ['ngo.never-enforcement-records'],
        fieldsReleased: [],
        subjectOrg: 'ngo-desert-refuge',
      });
      expect([...(denial?.fieldsRedacted ?? [])].sort()).toEqual(['id', 'name']);
    });

    it('lists a withheld field in fieldsRedacted with the rule that withheld it', async () => {
      const response = await asPersona(fed, 'ngo-shelter', 'HUMANITARIAN', 'query($id: ID!) { route(id: $id) { id name waypoints { lat } hazards { kind } } }', { id: f.routeWithNetworksId });
      expect(response.body.errors?.map((error) => error.extensions?.rule)).toEqual(['ngo.never-intel-tactical']);
      const [entry] = await accessLog(fed, { requestId: requestIdOf(response), action: 'READ' });
      expect(entry).toMatchObject({ recordType: 'Route', recordId: f.routeWithNetworksId, decision: 'PARTIAL', fieldsRedacted: ['waypoints'] });
      expect(entry?.rules).toContain('ngo.never-intel-tactical');
      expect([...(entry?.fieldsReleased ?? [])].sort()).toEqual(['hazards', 'id', 'name']);
    });

    it('leaves an AUTHENTICATE DENY entry for a refused token, with no subject', async () => {
      const foreign = await mintToken(PERSONAS['cbp-agent'], { issuer: 'https://idp.untrusted.example' });
      for (const authorization of ['Bearer not.a.token', `Bearer ${foreign}`]) {
        const response = await send(fed.gatewayUrl, { headers: { authorization }, purpose: 'INTERDICTION', json: { query: '{ routes(first: 1) { totalCount } }' } });
        expect(response.status).toBe(401);
        expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        const entries = await accessLog(fed, { requestId: requestIdOf(response) });
        expect(entries).toMatchObject([{ action: 'AUTHENTICATE', decision: 'DENY', service: 'gateway', subjectSub: null, subjectOrg: null }]);
      }
    });

    it('leaves an AUDIT_READ entry for every read of the log, and refuses non-auditors with FORBIDDEN', async () => {
      const read = await asAuditor(fed, '{ accessLog(first: 1) { totalCount } }');
      expect(read.body.errors ?? []).toEqual([]);
      expect(await accessLog(fed, { requestId: requestIdOf(read), action: 'AUDIT_READ' })).toMatchObject([
        { decision: 'ALLOW', service: 'audit', subjectSub: 'auditor@oversight-privacy', purpose: 'OVERSIGHT_AUDIT', rules: ['oversight.audit-log'] },
      ]);

      for (const [persona, purpose] of [['cbp-analyst', 'INVESTIGATION'], ['ngo-legal', 'LEGAL_SERVICES'], ['ice-officer', 'CUSTODY_TRANSFER']] as const) {
        const refused = await asPersona(fed, persona, purpose, '{ accessLog(first: 1) { totalCount edges { node { recordId } } } }');
        expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
        expect(refused.body.data ?? null).toBeNull();
        expect(await accessLog(fed, { requestId: requestIdOf(refused), action: 'AUDIT_READ' })).toMatchObject([{ decision: 'DENY', subjectSub: PERSONAS[persona].sub }]);
      }
    });
  });

  describe('writes', () => {
    let transferId = '';

    it('leaves a WRITE entry for a transfer requested by CBP, one refused to CBP, and the ICE acceptance, each naming the transfer written', async () => {
      const requested = await asPersona(
        fed,
        'cbp-agent',
        'CUSTODY_TRANSFER',
        'mutation($input: RequestTransferInput!) { requestTransfer(input: $input) { id status fromOrg } }',
        { input: { personId: f.personWithEverythingId, toOrg: 'ice-ero-phoenix', toFacility: 'Florence Service Processing Center', reason: 'Intake after encounter' } },
      );
      expect(requested.body.errors ?? []).toEqual([]);
      const transfer = requested.body.data?.requestTransfer;
      if (!isObject(transfer) || typeof transfer.id !== 'string') throw new Error(JSON.stringify(requested.body));
      transferId = transfer.id;
      expect(transfer).toMatchObject({ status: 'REQUESTED', fromOrg: 'cbp-tucson' });
      expect(await accessLog(fed, { requestId: requestIdOf(requested), action: 'WRITE' })).toMatchObject([
        { recordType: 'Transfer', recordId: transferId, decision: 'ALLOW', rules: ['writes.request-transfer'], subjectOrg: 'cbp-tucson', service: 'ice' },
      ]);

      const refused = await asPersona(fed, 'cbp-agent', 'CUSTODY_TRANSFER', 'mutation($id: ID!) { acceptTransfer(id: $id) { id status } }', { id: transferId });
      expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(await accessLog(fed, { requestId: requestIdOf(refused), action: 'WRITE' })).toMatchObject([
        { recordId: transferId, decision: 'DENY', rules: ['deny-by-default'], subjectOrg: 'cbp-tucson' },
      ]);

      const accepted = await asPersona(fed, 'ice-officer', 'CUSTODY_TRANSFER', 'mutation($id: ID!) { acceptTransfer(id: $id) { id status } }', { id: transferId });
      expect(accepted.body.errors ?? []).toEqual([]);
      // The transfer named, not another one the officer may also see.
      expect(accepted.body.data?.acceptTransfer).toEqual({ id: transferId, status: 'ACCEPTED' });
      expect(await accessLog(fed, { requestId: requestIdOf(accepted), action: 'WRITE' })).toMatchObject([
        { recordId: transferId, decision: 'ALLOW', rules: ['writes.ice-custody'], subjectOrg: 'ice-ero-phoenix' },
      ]);
    });

    it('makes a revoked consent effective on the next request, and logs the grant and the revocation', async () => {
      const referralId = f.ngoToNgoReferralId;
      const asIce = () => asPersona(fed, 'ice-officer', 'RELEASE_COORDINATION', 'query($id: ID!) { referral(id: $id) { id service status notes } }', { id: referralId });
      expect((await asIce()).body).toEqual({ data: { referral: null } });

      const granted = await asPersona(
        fed,
        'ngo-legal',
        'LEGAL_SERVICES',
        'mutation($id: ID!, $input: ConsentInput!) { grantConsent(referralId: $id, input: $input) { id consent { grantees active } } }',
        { id: referralId, input: { grantees: ['ICE'], purposes: ['RELEASE_COORDINATION'] } },
      );
      expect(granted.body.errors ?? []).toEqual([]);
      expect(granted.body.data?.grantConsent).toEqual({ id: referralId, consent: { grantees: ['ICE'], active: true } });
      expect(await accessLog(fed, { requestId: requestIdOf(granted), action: 'WRITE' })).toMatchObject([
        { recordType: 'Referral', recordId: referralId, decision: 'ALLOW', rules: ['writes.referral-holder'], subjectOrg: 'ngo-frontera-legal', service: 'ngo' },
      ]);

      const seen = await asIce();
      expect(seen.body.data?.referral).toMatchObject({ id: referralId, service: 'LEGAL', notes: null });
      expect(seen.body.errors).toMatchObject([{ path: ['referral', 'notes'], extensions: { code: 'REDACTED', rule: 'consent.never-notes' } }]);

      const revoked = await asPersona(fed, 'ngo-legal', 'LEGAL_SERVICES', 'mutation($id: ID!) { revokeConsent(referralId: $id) { id consent { active } } }', { id: referralId });
      expect(revoked.body.data?.revokeConsent).toEqual({ id: referralId, consent: { active: false } });
      expect(await accessLog(fed, { requestId: requestIdOf(revoked), action: 'WRITE' })).toMatchObject([
        { recordId: referralId, decision: 'ALLOW', rules: ['writes.referral-holder'] },
      ]);

      const after = await asIce();
      expect(after.body).toEqual({ data: { referral: null } });
      expect(await accessLog(fed, { requestId: requestIdOf(after), action: 'READ' })).toMatchObject([{ recordId: referralId, decision: 'DENY' }]);
    });
  });

  describe('the auditor\'s questions', () => {
    it('answers who saw a person\'s records this week, under which purpose and rule', async () => {
      const person = f.personWithEverythingId;
      // Others read P's records: the person, a transfer, a referral, encounters; one is refused.
      const reads = [
        await asPersona(fed, 'ice-officer', 'CUSTODY_TRANSFER', 'query($id: ID!) { person(id: $id) { id name } }', { id: person }),
        await asPersona(fed, 'partner-saguaro', 'CUSTODY_TRANSFER', 'query($id: ID!) { transfer(id: $id) { id status } }', { id: f.transferFromSaguaroBookingId }),
        await asPersona(fed, 'ngo-shelter', 'HUMANITARIAN', 'query($id: ID!) { referral(id: $id) { id service notes } }', { id: f.cbpToShelterReferralId }),
        await asPersona(fed, 'cbp-agent', 'INTERDICTION', 'query($id: ID!) { encounters(first: 5, filter: { personId: $id }) { edges { node { id station } } } }', { id: person }),
        await asPersona(fed, 'ngo-medical', 'HUMANITARIAN', 'query($id: ID!) { person(id: $id) { id name } }', { id: person }),
      ];
      for (const read of reads) expect(read.body.errors ?? []).toEqual([]);

      const question = `query WhoSawPerson($personId: ID!, $from: DateTime!) {
  personAccessHistory(personId: $personId, from: $from, first: 100) {
    totalCount
    edges { node { at subjectSub subjectOrg purpose action recordType recordId decision rules } }
  }
}`;
      // "This week" by the audit log's own clock (entries are stamped when written).
      const variables = { personId: person, from: new Date(Date.now() - WEEK_MS).toISOString() };
      const answer = await asAuditor(fed, question, variables);
      expect(answer.body.errors ?? []).toEqual([]);
      const history = answer.body.data?.personAccessHistory as { totalCount: number; edges: { node: AccessEvent }[] };
      const nodes = history.edges.map((edge) => edge.node);
      expect(history.totalCount).toBe(nodes.length);

      const saw = (sub: string, purpose: string, recordType: string, rule: string) =>
        expect(nodes, `${sub} ${purpose} ${recordType} ${rule}`).toContainEqual(
          expect.objectContaining({ subjectSub: sub, purpose, action: 'READ', recordType, decision: expect.stringMatching(/^(ALLOW|PARTIAL)$/), rules: expect.arrayContaining([rule]) }),
        );
      saw('ice-officer@ice-ero-phoenix', 'CUSTODY_TRANSFER', 'Person', 'owner.pii');
      saw('partner-saguaro@partner-saguaro-so', 'CUSTODY_TRANSFER', 'Transfer', 'partner.transfer-own');
      saw('ngo-shelter@ngo-desert-refuge', 'HUMANITARIAN', 'Referral', 'ngo.referral-confidential');
      saw('cbp-agent@cbp-tucson', 'INTERDICTION', 'Encounter', 'owner.read');
      // Tried and refused: on the record too, as a denial.
      expect(nodes).toContainEqual(expect.objectContaining({ subjectSub: 'ngo-medical@ngo-camino-health', recordType: 'Person', decision: 'DENY', rules: ['deny-by-default'] }));
      // Only entries about this person: each names it, or a record about it.
      for (const node of nodes) expect(node.action).toMatch(/^(READ|WRITE)$/);

      const table = nodes.map(
        (node) =>
          `  ${node.at}  ${(node.subjectSub ?? '-').padEnd(36)} ${(node.purpose ?? '-').padEnd(20)} ${node.action.padEnd(5)} ${`${node.recordType ?? '-'} ${node.recordId ?? ''}`.padEnd(30)} ${node.decision.padEnd(7)} ${node.rules.join(', ')}`,
      );
      console.log(
        [
          `Auditor (auditor@oversight-privacy, OVERSIGHT_AUDIT) asks: who saw person ${person}'s records this week, under which purpose and rule?`,
          question,
          `variables: ${JSON.stringify(variables)}`,
          `answer: ${history.totalCount} entries, newest first`,
          ...table,
        ].join('\n'),
      );
    });

    it('finds the chain valid, then names the entry a database owner altered', async () => {
      const status = '{ auditChainStatus { valid checkedEntries firstBrokenEntry reason } }';
      const before = await asAuditor(fed, status);
      expect(before.body.errors ?? []).toEqual([]);
      expect(before.body.data?.auditChainStatus).toMatchObject({ valid: true, firstBrokenEntry: null });

      if (readEntry === undefined) throw new Error('the coverage test did not record an entry to alter');
      // As a superuser with the append-only triggers off: widen what the entry says was released.
      await tamperWithEntry(fed.testStore.store, readEntry.chain, readEntry.seq, ['id', 'status', 'medicalSummary'], readEntry.item);

      const after = await asAuditor(fed, status);
      expect(after.body.errors ?? []).toEqual([]);
      // The event is the hashed unit: verification names the event that holds the altered item.
      expect(after.body.data?.auditChainStatus).toMatchObject({ valid: false, firstBrokenEntry: `${readEntry.chain}:${readEntry.seq}` });
    });
  });
});
