import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Purpose, SubgraphName } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { asPersona, type Answer } from '../support/http-client.js';
import { byIdQuery, type ShapedType } from '../support/record-shapes.js';
import { frozenClock, seededWorld } from '../support/seeded-world.js';

/**
 * SPEC 5: "an id the author cannot see is refused exactly like an id that does not exist (same
 * code, same message), so a write is never an oracle". For every mutation, a record that exists
 * but is hidden from the caller and one that does not exist at all get the same answer, but for
 * the id itself: through the gateway and straight to the subgraph that owns the write.
 */

const { world, fixtures: f, now } = seededWorld();

/** Orgs whose records name the person (the Person policy's linkedOrgs), from the seeded world. */
function linkedOrgs(personId: string): Set<string> {
  const orgs = new Set<string>();
  for (const row of world.partner.bookings) if (row.personId === personId) orgs.add(row.ownerOrg);
  for (const row of world.cbp.encounters) if (row.personId === personId) orgs.add(row.ownerOrg);
  for (const row of world.ice.transfers) if (row.personId === personId) orgs.add(row.fromOrg).add(row.toOrg);
  for (const row of world.ngo.referrals) if (row.personId === personId) orgs.add(row.fromOrg).add(row.toOrg);
  return orgs;
}

/** A person no record of `org` names, a protected (1367) one when there is such: hidden from it by rules 2-4. */
function personHiddenFrom(org: string): string {
  const candidates = [f.protectedPersonId, ...world.ice.persons.filter((row) => row.protected1367).map((row) => row.id), ...world.ice.persons.map((row) => row.id)];
  const found = candidates.find((id) => !linkedOrgs(id).has(org));
  if (!found) throw new Error(`every person is linked to ${org}`);
  return found;
}

/** An id of the same shape that no record has. */
const unknownLike = (id: string): string => id.replace(/\d/g, '9');

interface OracleCase {
  readonly mutation: string;
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  readonly service: SubgraphName;
  /** The type of the record named, and an id of it that exists but the persona cannot read. */
  readonly names: ShapedType;
  readonly hiddenId: string;
  readonly query: string;
  readonly variables: (id: string) => Readonly<Record<string, unknown>>;
}

const TRANSFER_STEP = (step: string, persona: PersonaName, hiddenId: string): OracleCase => ({
  mutation: step,
  persona,
  purpose: 'CUSTODY_TRANSFER',
  service: 'ice',
  names: 'Transfer',
  hiddenId,
  query: `mutation($id: ID!) { ${step}(id: $id) { id status } }`,
  variables: (id) => ({ id }),
});

const CASES: readonly OracleCase[] = [
  {
    mutation: 'requestTransfer',
    persona: 'cbp-agent',
    purpose: 'CUSTODY_TRANSFER',
    service: 'ice',
    names: 'Person',
    hiddenId: personHiddenFrom('cbp-tucson'),
    query: 'mutation($input: RequestTransferInput!) { requestTransfer(input: $input) { id person { name } } }',
    variables: (id) => ({ input: { personId: id, toOrg: 'ice-ero-phoenix', toFacility: 'Florence SPC', reason: 'Intake' } }),
  },
  {
    mutation: 'recordBooking',
    persona: 'partner-saguaro',
    purpose: 'CUSTODY_TRANSFER',
    service: 'partner',
    names: 'Person',
    hiddenId: personHiddenFrom('partner-saguaro-so'),
    query: 'mutation($input: RecordBookingInput!) { recordBooking(input: $input) { id person { name aNumber } } }',
    variables: (id) => ({ input: { personId: id, county: 'county:saguaro', charges: ['Trespass'] } }),
  },
  {
    mutation: 'recordEncounter',
    persona: 'cbp-rgv-agent',
    purpose: 'INTERDICTION',
    service: 'cbp',
    names: 'Person',
    hiddenId: personHiddenFrom('cbp-rgv'),
    query: 'mutation($input: RecordEncounterInput!) { recordEncounter(input: $input) { id person { name } } }',
    variables: (id) => ({ input: { personId: id, sector: 'RGV', station: 'McAllen', disposition: 'RELEASED' } }),
  },
  {
    mutation: 'createReferral',
    persona: 'ngo-medical',
    purpose: 'HUMANITARIAN',
    service: 'ngo',
    names: 'Person',
    hiddenId: personHiddenFrom('ngo-camino-health'),
    query: 'mutation($input: CreateReferralInput!) { createReferral(input: $input) { id person { name } } }',
    variables: (id) => ({ input: { personId: id, toOrg: 'ngo-desert-refuge', service: 'SHELTER' } }),
  },
  {
    mutation: 'createReferral (enforcement naming a 1367-protected person)',
    persona: 'cbp-agent',
    purpose: 'RELEASE_COORDINATION',
    service: 'ngo',
    names: 'Person',
    hiddenId: personHiddenFrom('cbp-tucson'),
    query: 'mutation($input: CreateReferralInput!) { createReferral(input: $input) { id } }',
    variables: (id) => ({ input: { personId: id, toOrg: 'ngo-desert-refuge', service: 'SHELTER' } }),
  },
  TRANSFER_STEP('acceptTransfer', 'partner-saguaro', f.transferFromMesquiteBookingId),
  TRANSFER_STEP('startTransfer', 'partner-saguaro', f.transferFromMesquiteBookingId),
  TRANSFER_STEP('completeTransfer', 'cbp-agent', f.transferOwnerOnlyId),
  TRANSFER_STEP('cancelTransfer', 'cbp-agent', f.transferOwnerOnlyId),
  {
    mutation: 'updateReferralStatus',
    persona: 'ngo-medical',
    purpose: 'HUMANITARIAN',
    service: 'ngo',
    names: 'Referral',
    hiddenId: f.ngoToNgoReferralId,
    query: 'mutation($id: ID!) { updateReferralStatus(id: $id, status: ACCEPTED) { id status } }',
    variables: (id) => ({ id }),
  },
  {
    mutation: 'grantConsent (ICE naming a 1367-protected person\'s referral that consents to ICE)',
    persona: 'ice-officer',
    purpose: 'RELEASE_COORDINATION',
    service: 'ngo',
    names: 'Referral',
    hiddenId: f.protectedReferralId,
    query: 'mutation($id: ID!, $input: ConsentInput!) { grantConsent(referralId: $id, input: $input) { id } }',
    variables: (id) => ({ id, input: { grantees: ['ICE'], purposes: ['RELEASE_COORDINATION'] } }),
  },
  {
    mutation: 'revokeConsent',
    persona: 'ngo-medical',
    purpose: 'HUMANITARIAN',
    service: 'ngo',
    names: 'Referral',
    hiddenId: f.ngoToNgoReferralId,
    query: 'mutation($id: ID!) { revokeConsent(referralId: $id) { id } }',
    variables: (id) => ({ id }),
  },
  {
    mutation: 'linkRouteToNetwork (route)',
    persona: 'cbp-rgv-agent',
    purpose: 'INTERDICTION',
    service: 'cbp',
    names: 'Route',
    hiddenId: f.cbpOnlyRouteId,
    query: 'mutation($id: ID!, $network: ID!) { linkRouteToNetwork(routeId: $id, networkId: $network) { id } }',
    variables: (id) => ({ id, network: f.cbpNetworkId }),
  },
  {
    mutation: 'linkRouteToNetwork (network)',
    persona: 'cbp-agent',
    purpose: 'INTERDICTION',
    service: 'cbp',
    names: 'Network',
    hiddenId: f.ownerOnlyNetworkId,
    query: 'mutation($route: ID!, $id: ID!) { linkRouteToNetwork(routeId: $route, networkId: $id) { id } }',
    variables: (id) => ({ route: f.tucsonRouteId, id }),
  },
];

/** An answer with the id it named blanked out: what must not differ between the two ids. */
function shapeOf(exchange: Answer, id: string): unknown {
  return {
    status: exchange.status,
    data: exchange.body.data ?? null,
    errors: (exchange.body.errors ?? []).map((error) => ({
      message: error.message.split(id).join('<id>'),
      path: error.path,
      extensions: error.extensions,
    })),
  };
}

describe('writes are no oracle (SPEC 5): a hidden id is answered exactly as an unknown one', () => {
  let fed: TestFederation;

  beforeAll(async () => {
    fed = await startTestFederation({ clock: frozenClock(now) });
  });
  afterAll(async () => {
    await fed?.close();
  });

  describe.each(CASES)('$mutation as $persona', (c) => {
    it('names a record that exists and that the persona cannot read', async () => {
      const read = await asPersona(fed, c.persona, c.purpose, byIdQuery(c.names), { id: c.hiddenId });
      expect(read.body.data?.['record']).toBeNull();
      const auditorSees = await asPersona(fed, 'auditor', 'OVERSIGHT_AUDIT', byIdQuery(c.names), { id: c.hiddenId });
      expect(auditorSees.body.data?.['record']).toMatchObject({ id: c.hiddenId });
    });

    it.each(['gateway', 'subgraph'] as const)('through the %s: same status, code, message and argument for both ids', async (via) => {
      const url = via === 'gateway' ? fed.gatewayUrl : (fed.federation.urls[c.service] ?? '');
      // A subgraph alone knows another's Person by its key only: ask it for no person fields.
      const query = via === 'gateway' ? c.query : c.query.replace(/ person \{[^}]*\}/, '');
      const unknownId = unknownLike(c.hiddenId);
      const hidden = await asPersona(fed, c.persona, c.purpose, query, c.variables(c.hiddenId), url);
      const unknown = await asPersona(fed, c.persona, c.purpose, query, c.variables(unknownId), url);
      expect(hidden.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(hidden.body.errors?.[0]?.message).toBe(`${c.names} ${c.hiddenId} was not found`);
      expect(shapeOf(hidden, c.hiddenId)).toEqual(shapeOf(unknown, unknownId));
    });
  });
});
