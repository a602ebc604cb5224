import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Purpose } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import { accessLog } from '../support/audit-log.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { asPersona, isObject, type Answer } from '../support/http-client.js';
import { frozenClock, seededWorld } from '../support/seeded-world.js';

/**
 * A custody transfer's whole life through the real gateway (SPEC 5, rule 9): requested by CBP or
 * a 287(g) partner, accepted, started and completed by the receiving ICE org, or cancelled
 * before it completes; every step leaves a WRITE entry naming the transfer and the rule that
 * allowed it, and the steps out of turn or by the wrong org are refused.
 */

const { fixtures: f, now } = seededWorld();
const PURPOSE: Purpose = 'CUSTODY_TRANSFER';
const TRANSFER_FIELDS = 'id status fromOrg toOrg requestedAt acceptedAt departedAt completedAt reason';

describe('the custody transfer lifecycle, end to end', () => {
  let fed: TestFederation;

  beforeAll(async () => {
    fed = await startTestFederation({ clock: frozenClock(now) });
  });
  afterAll(async () => {
    await fed?.close();
  });

  const requestIdOf = (exchange: Answer): string => {
    if (exchange.requestId === null) throw new Error('the response carries no x-request-id');
    return exchange.requestId;
  };

  /** The transfer a write returned, or a failure that shows the whole response. */
  const transferOf = (exchange: Answer, field: string): Readonly<Record<string, unknown>> => {
    const transfer = exchange.body.data?.[field];
    if (exchange.body.errors !== undefined || !isObject(transfer)) throw new Error(JSON.stringify(exchange.body));
    return transfer;
  };

  const request = (persona: PersonaName, personId: string): Promise<Answer> =>
    asPersona(fed, persona, PURPOSE, `mutation($input: RequestTransferInput!) { requestTransfer(input: $input) { ${TRANSFER_FIELDS} } }`, {
      input: { personId, toOrg: 'ice-ero-phoenix', toFacility: 'Florence Service Processing Center', reason: 'Intake after custody' },
    });

  const step = (persona: PersonaName, name: 'acceptTransfer' | 'startTransfer' | 'completeTransfer', id: string): Promise<Answer> =>
    asPersona(fed, persona, PURPOSE, `mutation($id: ID!) { ${name}(id: $id) { ${TRANSFER_FIELDS} } }`, { id });

  const cancel = (persona: PersonaName, id: string, reason: string): Promise<Answer> =>
    asPersona(fed, persona, PURPOSE, `mutation($id: ID!, $reason: String) { cancelTransfer(id: $id, reason: $reason) { ${TRANSFER_FIELDS} } }`, { id, reason });

  const errorCodes = (exchange: Answer): readonly unknown[] => (exchange.body.errors ?? []).map((error) => error.extensions?.code);

  /** The WRITE entries of one request, as the auditor reads them. */
  const writesOf = async (exchange: Answer) => accessLog(fed, { requestId: requestIdOf(exchange), action: 'WRITE' });

  it('takes a transfer CBP requested through acceptance, departure and completion, each step audited as an allowed write', async () => {
    const requested = await request('cbp-agent', f.personWithEverythingId);
    const transfer = transferOf(requested, 'requestTransfer');
    const id = String(transfer.id);
    expect(transfer).toMatchObject({ status: 'REQUESTED', fromOrg: 'cbp-tucson', toOrg: 'ice-ero-phoenix', acceptedAt: null, departedAt: null, completedAt: null });
    expect(await writesOf(requested)).toMatchObject([
      { recordType: 'Transfer', recordId: id, decision: 'ALLOW', rules: ['writes.request-transfer'], subjectOrg: 'cbp-tucson', service: 'ice' },
    ]);

    const accepted = await step('ice-officer', 'acceptTransfer', id);
    expect(transferOf(accepted, 'acceptTransfer')).toMatchObject({ id, status: 'ACCEPTED', acceptedAt: now.toISOString(), departedAt: null });
    expect(await writesOf(accepted)).toMatchObject([{ recordId: id, decision: 'ALLOW', rules: ['writes.ice-custody'], subjectOrg: 'ice-ero-phoenix' }]);

    const started = await step('ice-officer', 'startTransfer', id);
    expect(transferOf(started, 'startTransfer')).toMatchObject({ id, status: 'IN_TRANSIT', departedAt: now.toISOString(), completedAt: null });
    expect(await writesOf(started)).toMatchObject([{ recordId: id, decision: 'ALLOW', rules: ['writes.ice-custody'], subjectOrg: 'ice-ero-phoenix' }]);

    const completed = await step('ice-officer', 'completeTransfer', id);
    expect(transferOf(completed, 'completeTransfer')).toMatchObject({ id, status: 'COMPLETED', completedAt: now.toISOString() });
    expect(await writesOf(completed)).toMatchObject([{ recordId: id, decision: 'ALLOW', rules: ['writes.ice-custody'], subjectOrg: 'ice-ero-phoenix' }]);

    // A completed transfer is history: neither its requester nor ICE can cancel it, and it stays completed.
    for (const persona of ['cbp-agent', 'ice-officer'] as const) {
      const refused = await cancel(persona, id, 'Too late');
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(refused.body.errors?.[0]?.message).toMatch(/is COMPLETED/);
      expect(await writesOf(refused)).toEqual([]);
    }
    const reread = await asPersona(fed, 'ice-officer', PURPOSE, `query($id: ID!) { transfer(id: $id) { id status reason } }`, { id });
    expect(reread.body.data?.transfer).toEqual({ id, status: 'COMPLETED', reason: 'Intake after custody' });
  });

  it('lets a partner request a transfer and cancel it, but not accept it: acceptance is the receiving ICE org\'s', async () => {
    const requested = await request('partner-saguaro', f.personLinkedToSaguaroId);
    const transfer = transferOf(requested, 'requestTransfer');
    const id = String(transfer.id);
    expect(transfer).toMatchObject({ status: 'REQUESTED', fromOrg: 'partner-saguaro-so' });
    expect(await writesOf(requested)).toMatchObject([{ recordId: id, decision: 'ALLOW', rules: ['writes.request-transfer'], subjectOrg: 'partner-saguaro-so' }]);

    const refused = await step('partner-saguaro', 'acceptTransfer', id);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.body.data?.acceptTransfer ?? null).toBeNull();
    expect(await writesOf(refused)).toMatchObject([{ recordId: id, decision: 'DENY', subjectOrg: 'partner-saguaro-so' }]);

    const cancelled = await cancel('partner-saguaro', id, 'Released on bond');
    expect(transferOf(cancelled, 'cancelTransfer')).toMatchObject({ id, status: 'CANCELLED', acceptedAt: null, reason: 'Released on bond' });
    expect(await writesOf(cancelled)).toMatchObject([
      { recordId: id, decision: 'ALLOW', rules: ['writes.cancel-transfer'], subjectOrg: 'partner-saguaro-so', service: 'ice' },
    ]);

    // Cancelled is final too: ICE cannot take it up again.
    const late = await step('ice-officer', 'acceptTransfer', id);
    expect(errorCodes(late)).toEqual(['BAD_USER_INPUT']);
    expect(late.body.errors?.[0]?.message).toMatch(/is CANCELLED/);
  });

  it('lets the receiving ICE org cancel an accepted transfer, and refuses steps taken out of turn', async () => {
    const id = String(transferOf(await request('cbp-agent', f.personWithEverythingId), 'requestTransfer').id);

    // Not yet accepted: it cannot depart, nor complete.
    for (const name of ['startTransfer', 'completeTransfer'] as const) {
      const early = await step('ice-officer', name, id);
      expect(errorCodes(early)).toEqual(['BAD_USER_INPUT']);
      expect(early.body.errors?.[0]?.message).toMatch(/is REQUESTED/);
      expect(await writesOf(early)).toEqual([]);
    }

    transferOf(await step('ice-officer', 'acceptTransfer', id), 'acceptTransfer');
    const cancelled = await cancel('ice-officer', id, 'Bed space unavailable');
    expect(transferOf(cancelled, 'cancelTransfer')).toMatchObject({ id, status: 'CANCELLED', reason: 'Bed space unavailable' });
    expect(await writesOf(cancelled)).toMatchObject([{ recordId: id, decision: 'ALLOW', rules: ['writes.cancel-transfer'], subjectOrg: 'ice-ero-phoenix' }]);
  });

  it('answers a step on a transfer the caller cannot see as it answers an unknown id, and changes nothing', async () => {
    const id = String(transferOf(await request('cbp-agent', f.personWithEverythingId), 'requestTransfer').id);
    const unknown = await step('partner-mesquite', 'acceptTransfer', 'T-999999');
    expect(errorCodes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.body.errors?.[0]?.message).toBe('Transfer T-999999 was not found');
    // partner-mesquite neither requested it nor receives it, and it is not disseminated to partners.
    const refusals = [
      ...(await Promise.all((['acceptTransfer', 'startTransfer', 'completeTransfer'] as const).map((name) => step('partner-mesquite', name, id)))),
      await cancel('partner-mesquite', id, 'Not mine'),
    ];
    for (const hidden of refusals) {
      expect(errorCodes(hidden)).toEqual(['BAD_USER_INPUT']);
      expect(hidden.body.errors?.[0]?.message).toBe(`Transfer ${id} was not found`);
    }
    const reread = await asPersona(fed, 'cbp-agent', PURPOSE, `query($id: ID!) { transfer(id: $id) { id status } }`, { id });
    expect(reread.body.data?.transfer).toEqual({ id, status: 'REQUESTED' });
  });
});
