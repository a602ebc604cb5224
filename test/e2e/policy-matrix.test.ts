import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Purpose } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import { isConsentActive } from '../../seed/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { asPersona, isObject, redactionsUnder, type Answer } from '../support/http-client.js';
import { RECORD_SHAPES, byIdQuery, type ShapedType } from '../support/record-shapes.js';
import { frozenClock, seededWorld } from '../support/seeded-world.js';

/**
 * SPEC 5 through the real services: persona × record × purpose, each record fetched by id
 * through the gateway. A row says whether the record reads null, and for a visible one which
 * fields come back null with a REDACTED error (at the client's path, with the rule id); every
 * other field asked for is released. Ids come from the seed's named fixtures.
 */

const { world, fixtures: f, now } = seededWorld();
const DENY = 'deny-by-default';

/** Withheld field → rule id; `null`: the whole record reads null. */
type Sees = Readonly<Record<string, string>> | null;

interface Case {
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  readonly type: ShapedType;
  readonly what: string;
  readonly id: string;
  readonly sees: Sees;
  readonly outcome: string;
}

const withhold = (fields: readonly string[], rule: string): Record<string, string> => Object.fromEntries(fields.map((field) => [field, rule]));
const everything: Sees = {};

function row(persona: PersonaName, purpose: Purpose, type: ShapedType, what: string, id: string, sees: Sees): Case {
  const withheld = sees === null ? [] : Object.keys(sees);
  const outcome = sees === null ? 'null' : withheld.length === 0 ? 'every field' : `withholds ${withheld.join(', ')}`;
  return { persona, purpose, type, what: `${what} ${id}`, id, sees, outcome };
}

const NETWORK_INTEL = ['members', 'intelligenceBasis', 'analyticSummary'];
const ROUTE_TACTICAL = ['waypoints', 'surveillanceAssets'];
const TRANSFER_FIELDS = RECORD_SHAPES.Transfer.fields;
const PII = ['name', 'dateOfBirth', 'nationality', 'aNumber'];

const NETWORK_CASES: readonly Case[] = [
  row('ice-analyst', 'INVESTIGATION', 'Network', 'its own org\'s current network', f.currentNetworkDhsPartnerId, everything),
  row('ice-analyst', 'INVESTIGATION', 'Network', 'its own org\'s stale network (the owner keeps its INTEL)', f.staleNetworkId, everything),
  row('ice-analyst', 'INVESTIGATION', 'Network', 'another ICE org\'s stale network', f.staleNetworkNamingSaguaroId, withhold(NETWORK_INTEL, 'cfr28.review')),
  row('ice-officer', 'CUSTODY_TRANSFER', 'Network', 'an ICE network, without 28 CFR 23', f.currentNetworkDhsPartnerId, withhold(NETWORK_INTEL, DENY)),
  row('cbp-analyst', 'INVESTIGATION', 'Network', 'an ICE network shared with DHS', f.currentNetworkDhsPartnerId, everything),
  row('cbp-analyst', 'RELEASE_COORDINATION', 'Network', 'an ICE network shared with DHS, for a non-investigative purpose', f.currentNetworkDhsPartnerId, withhold(NETWORK_INTEL, DENY)),
  row('cbp-analyst', 'INVESTIGATION', 'Network', 'a stale ICE network', f.staleNetworkId, withhold(NETWORK_INTEL, 'cfr28.review')),
  row('cbp-analyst', 'INVESTIGATION', 'Network', 'an ICE network shared with no one', f.ownerOnlyNetworkId, null),
  row('cbp-agent', 'INTERDICTION', 'Network', 'an ICE network, without 28 CFR 23', f.currentNetworkDhsPartnerId, withhold(NETWORK_INTEL, DENY)),
  row('ice-analyst', 'INVESTIGATION', 'Network', 'a CBP network shared with DHS', f.cbpNetworkId, everything),
  row('ice-analyst', 'INVESTIGATION', 'Network', 'a stale CBP network', f.staleCbpNetworkId, withhold(NETWORK_INTEL, 'cfr28.review')),
  row('partner-saguaro', 'INVESTIGATION', 'Network', 'a network whose dissemination names its org', f.networkNamingSaguaroId, withhold(['intelligenceBasis', 'analyticSummary'], DENY)),
  row('partner-saguaro', 'CUSTODY_TRANSFER', 'Network', 'the same network, not investigating', f.networkNamingSaguaroId, withhold(NETWORK_INTEL, DENY)),
  row('partner-saguaro', 'INVESTIGATION', 'Network', 'a network shared with partners as a class', f.currentNetworkDhsPartnerId, withhold(NETWORK_INTEL, DENY)),
  row('partner-saguaro', 'INVESTIGATION', 'Network', 'a stale network naming its org', f.staleNetworkNamingSaguaroId, withhold(NETWORK_INTEL, 'cfr28.review')),
  row('partner-saguaro', 'INVESTIGATION', 'Network', 'a network shared with DHS only', f.currentNetworkDhsOnlyId, null),
  row('partner-saguaro', 'INVESTIGATION', 'Network', 'a partner network outside its jurisdictions', f.partnerNetworkOutsideSaguaroId, null),
  row('partner-mesquite', 'INVESTIGATION', 'Network', 'a network whose dissemination names its org', f.networkNamingMesquiteId, withhold(['intelligenceBasis', 'analyticSummary'], DENY)),
  row('ngo-shelter', 'HUMANITARIAN', 'Network', 'a network shared with partners', f.currentNetworkDhsPartnerId, null),
  row('ngo-legal', 'LEGAL_SERVICES', 'Network', 'a network naming a partner', f.networkNamingSaguaroId, null),
  row('ngo-medical', 'HUMANITARIAN', 'Network', 'a stale network', f.staleNetworkId, null),
  row('auditor', 'OVERSIGHT_AUDIT', 'Network', 'an ICE network', f.currentNetworkDhsPartnerId, withhold(NETWORK_INTEL, DENY)),
];

const ROUTE_CASES: readonly Case[] = [
  row('cbp-analyst', 'INTERDICTION', 'Route', 'its sector\'s route', f.tucsonRouteId, everything),
  row('cbp-agent', 'INTERDICTION', 'Route', 'its sector\'s route, without 28 CFR 23', f.tucsonRouteId, { networks: DENY }),
  row('cbp-agent', 'INTERDICTION', 'Route', 'a route CBP shares with no one', f.cbpOnlyRouteId, { networks: DENY }),
  row('cbp-rgv-agent', 'INTERDICTION', 'Route', 'a route outside its sector', f.tucsonRouteId, null),
  row('ice-analyst', 'INVESTIGATION', 'Route', 'a route shared with DHS', f.tucsonRouteId, { ...withhold(ROUTE_TACTICAL, 'dhs.tactical-cbp-only'), hazards: DENY }),
  row('ice-officer', 'CUSTODY_TRANSFER', 'Route', 'a route shared with DHS', f.tucsonRouteId, { ...withhold(ROUTE_TACTICAL, 'dhs.tactical-cbp-only'), networks: DENY, hazards: DENY }),
  row('ice-analyst', 'INVESTIGATION', 'Route', 'a route CBP shares with no one', f.cbpOnlyRouteId, null),
  row('partner-saguaro', 'INVESTIGATION', 'Route', 'a route in its county shared with partners', f.tucsonRouteId, { ...withhold(ROUTE_TACTICAL, 'dhs.tactical-cbp-only'), networks: DENY, hazards: DENY }),
  row('partner-saguaro', 'INVESTIGATION', 'Route', 'a partner route outside its jurisdictions', f.routeOutsideSaguaroId, null),
  row('ngo-shelter', 'HUMANITARIAN', 'Route', 'a route shared with NGOs (hazards, never waypoints or networks)', f.routeWithNetworksId, withhold([...ROUTE_TACTICAL, 'networks'], 'ngo.never-intel-tactical')),
  row('ngo-medical', 'HUMANITARIAN', 'Route', 'an RGV route shared with NGOs', f.routeIdBySector.RGV, withhold([...ROUTE_TACTICAL, 'networks'], 'ngo.never-intel-tactical')),
  row('ngo-legal', 'LEGAL_SERVICES', 'Route', 'a route not shared with NGOs', f.routeWithoutNgoId, null),
  row('auditor', 'OVERSIGHT_AUDIT', 'Route', 'a route', f.tucsonRouteId, { ...withhold(ROUTE_TACTICAL, 'dhs.tactical-cbp-only'), networks: DENY, hazards: DENY }),
];

const notToNgo = TRANSFER_FIELDS.filter((field) => !['toFacility', 'status', 'completedAt'].includes(field));
const TRANSFER_CASES: readonly Case[] = [
  row('partner-saguaro', 'CUSTODY_TRANSFER', 'Transfer', 'a transfer from its own jail', f.transferFromSaguaroBookingId, everything),
  row('partner-saguaro', 'INVESTIGATION', 'Transfer', 'a transfer from its own jail, not for custody', f.transferFromSaguaroBookingId, { medicalSummary: DENY }),
  row('partner-saguaro', 'CUSTODY_TRANSFER', 'Transfer', 'another partner\'s transfer', f.transferFromMesquiteBookingId, null),
  row('partner-saguaro', 'CUSTODY_TRANSFER', 'Transfer', 'a CBP transfer', f.transferFromCbpId, null),
  row('partner-mesquite', 'CUSTODY_TRANSFER', 'Transfer', 'a transfer from its own jail', f.transferFromMesquiteBookingId, everything),
  row('ngo-legal', 'LEGAL_SERVICES', 'Transfer', 'its client\'s transfer under a notify-transfers consent', f.transferWithNotifyConsentForLegalId, withhold(notToNgo, DENY)),
  row('ngo-legal', 'HUMANITARIAN', 'Transfer', 'the same transfer, not for legal services', f.transferWithNotifyConsentForLegalId, null),
  row('ngo-legal', 'LEGAL_SERVICES', 'Transfer', 'a client\'s transfer without notification consent', f.transferWithoutNotifyConsentId, null),
  row('ngo-legal', 'LEGAL_SERVICES', 'Transfer', 'a transfer whose notification consent was revoked', f.transferWithRevokedNotifyConsentId, null),
  row('ngo-legal', 'LEGAL_SERVICES', 'Transfer', 'a transfer whose notification consent expired', f.transferWithExpiredNotifyConsentId, null),
  row('ngo-legal', 'LEGAL_SERVICES', 'Transfer', 'a transfer of a person without referral', f.transferWithoutReferralId, null),
  row('ngo-shelter', 'HUMANITARIAN', 'Transfer', 'a transfer of a person it referred', f.transferWithNotifyConsentForLegalId, null),
  row('ice-officer', 'CUSTODY_TRANSFER', 'Transfer', 'a partner\'s transfer into its custody', f.transferFromSaguaroBookingId, everything),
  row('ice-officer', 'INVESTIGATION', 'Transfer', 'a CBP transfer with a medical summary', f.transferWithMedicalTucsonId, { medicalSummary: DENY }),
  row('ice-medical', 'CUSTODY_TRANSFER', 'Transfer', 'a CBP transfer with a medical summary', f.transferWithMedicalTucsonId, everything),
  row('cbp-agent', 'CUSTODY_TRANSFER', 'Transfer', 'its own org\'s transfer', f.transferFromCbpId, everything),
  row('cbp-agent', 'INTERDICTION', 'Transfer', 'its own org\'s transfer, not for custody', f.transferFromCbpId, { medicalSummary: DENY }),
  row('cbp-agent', 'CUSTODY_TRANSFER', 'Transfer', 'a partner\'s transfer', f.transferFromSaguaroBookingId, null),
  row('auditor', 'OVERSIGHT_AUDIT', 'Transfer', 'a partner\'s transfer', f.transferFromSaguaroBookingId, { medicalSummary: DENY }),
];

const enforcementView = { fromOrg: DENY, toOrg: DENY, consent: DENY, notes: 'consent.never-notes' };
const REFERRAL_CASES: readonly Case[] = [
  row('ice-officer', 'RELEASE_COORDINATION', 'Referral', 'a referral whose consent grants ICE', f.referralConsentIceReleaseId, enforcementView),
  row('ice-officer', 'RELEASE_COORDINATION', 'Referral', 'a referral whose consent to ICE was revoked', f.referralRevokedId, null),
  row('ice-officer', 'RELEASE_COORDINATION', 'Referral', 'a referral whose consent to ICE expired', f.referralExpiredId, null),
  row('ice-officer', 'CUSTODY_TRANSFER', 'Referral', 'a referral whose consent grants ICE another purpose', f.referralConsentIceReleaseId, null),
  row('ice-officer', 'RELEASE_COORDINATION', 'Referral', 'a referral consented to ICE for legal services only', f.referralConsentWrongPurposeId, null),
  row('ice-officer', 'RELEASE_COORDINATION', 'Referral', 'a referral whose consent names its org', f.referralConsentOrgGranteeId, enforcementView),
  row('ice-officer', 'RELEASE_COORDINATION', 'Referral', 'a protected person\'s referral consented to ICE', f.protectedReferralId, null),
  row('cbp-agent', 'RELEASE_COORDINATION', 'Referral', 'its referral whose consent grants CBP', f.referralConsentCbpReleaseId, enforcementView),
  row('cbp-rgv-agent', 'RELEASE_COORDINATION', 'Referral', 'its own referral of a protected person, consented to CBP', f.protectedReferralSentByCbpId, null),
  row('partner-saguaro', 'CUSTODY_TRANSFER', 'Referral', 'a protected person\'s referral', f.protectedReferralId, null),
  row('ngo-legal', 'LEGAL_SERVICES', 'Referral', 'a referral it receives', f.ngoToNgoReferralId, everything),
  row('ngo-legal', 'LEGAL_SERVICES', 'Referral', 'a protected client\'s referral it receives', f.protectedReferralId, everything),
  row('ngo-shelter', 'HUMANITARIAN', 'Referral', 'a referral it sent (notes only for the receiver)', f.ngoToNgoReferralId, { notes: DENY }),
  row('ngo-shelter', 'HUMANITARIAN', 'Referral', 'a referral CBP sent to it', f.cbpToShelterReferralId, everything),
  row('ngo-medical', 'HUMANITARIAN', 'Referral', 'a referral between two other NGOs', f.ngoToNgoReferralId, null),
  row('auditor', 'OVERSIGHT_AUDIT', 'Referral', 'a referral', f.referralConsentIceReleaseId, { notes: DENY }),
];

const PERSON_CASES: readonly Case[] = [
  row('partner-saguaro', 'CUSTODY_TRANSFER', 'Person', 'a person its bookings name', f.personLinkedToSaguaroId, { protected1367: 'protected1367.flag' }),
  row('partner-saguaro', 'CUSTODY_TRANSFER', 'Person', 'a person it holds nothing about', f.personNotLinkedToSaguaroId, null),
  row('ngo-legal', 'LEGAL_SERVICES', 'Person', 'a client', f.clientOfFronteraLegalId, everything),
  row('ngo-legal', 'LEGAL_SERVICES', 'Person', 'a protected client (it must know to protect them)', f.protectedPersonId, everything),
  row('ngo-legal', 'LEGAL_SERVICES', 'Person', 'a person without referral', f.personWithoutReferralId, null),
  row('ice-officer', 'CUSTODY_TRANSFER', 'Person', 'a protected person', f.protectedPersonId, { protected1367: 'protected1367.flag' }),
  row('cbp-agent', 'INTERDICTION', 'Person', 'a protected person its org encountered', f.protectedPersonId, { protected1367: 'protected1367.flag' }),
  row('auditor', 'OVERSIGHT_AUDIT', 'Person', 'a person (CORE only)', f.personWithEverythingId, withhold(PII, DENY)),
];

/** What each README persona does by default, for the summary table. */
const PERSONA_PURPOSES: readonly (readonly [PersonaName, Purpose])[] = [
  ['cbp-agent', 'INTERDICTION'],
  ['cbp-analyst', 'INVESTIGATION'],
  ['cbp-rgv-agent', 'INTERDICTION'],
  ['ice-officer', 'RELEASE_COORDINATION'],
  ['ice-analyst', 'INVESTIGATION'],
  ['ice-medical', 'CUSTODY_TRANSFER'],
  ['partner-saguaro', 'CUSTODY_TRANSFER'],
  ['partner-mesquite', 'CUSTODY_TRANSFER'],
  ['ngo-shelter', 'HUMANITARIAN'],
  ['ngo-legal', 'LEGAL_SERVICES'],
  ['ngo-medical', 'HUMANITARIAN'],
  ['auditor', 'OVERSIGHT_AUDIT'],
];

describe('policy through the real services (gateway → owning subgraph)', () => {
  let fed: TestFederation;
  const read = (c: Pick<Case, 'persona' | 'purpose' | 'type' | 'id'>): Promise<Answer> =>
    asPersona(fed, c.persona, c.purpose, byIdQuery(c.type), { id: c.id });

  beforeAll(async () => {
    fed = await startTestFederation({ clock: frozenClock(now) });
  });
  afterAll(async () => {
    await fed?.close();
  });

  // The fixture's person holds an open legal-aid case whose consent notifies transfers (rule 4).
  const person = world.ice.transfers.find((transfer) => transfer.id === f.transferWithNotifyConsentForLegalId)?.personId ?? '';
  const notifyingCases = (): string[] =>
    world.ngo.referrals
      .filter((referral) => referral.personId === person && referral.toOrg === 'ngo-frontera-legal')
      .filter((referral) => {
        const consent = world.ngo.consents.find((candidate) => candidate.referralId === referral.id);
        return consent !== undefined && consent.notifyTransfers && isConsentActive(consent, now) && !['CLOSED', 'DECLINED'].includes(referral.status);
      })
      .map((referral) => referral.id);
  let createdReferralId = '';

  describe('by id, persona × record × purpose', () => {
    beforeAll(async () => {
      // The shelter refers the client to legal aid; the client asks to be told of transfers.
      const created = await asPersona(fed, 'ngo-shelter', 'HUMANITARIAN', 'mutation($input: CreateReferralInput!) { createReferral(input: $input) { id status } }', {
        input: { personId: person, toOrg: 'ngo-frontera-legal', service: 'LEGAL', notes: 'Detained; asks for counsel.' },
      });
      const referral = created.body.data?.createReferral;
      if (!isObject(referral) || typeof referral.id !== 'string') throw new Error(`createReferral failed: ${JSON.stringify(created.body)}`);
      createdReferralId = referral.id;
      const granted = await asPersona(
        fed,
        'ngo-legal',
        'LEGAL_SERVICES',
        'mutation($id: ID!, $input: ConsentInput!) { grantConsent(referralId: $id, input: $input) { id consent { active notifyTransfers } } }',
        { id: referral.id, input: { grantees: ['ngo-frontera-legal'], purposes: ['LEGAL_SERVICES'], notifyTransfers: true } },
      );
      expect(granted.body.errors ?? []).toEqual([]);
      // The write lands on the referral named, not on another one the caller may see.
      expect(granted.body.data?.grantConsent).toMatchObject({ id: referral.id, consent: { active: true, notifyTransfers: true } });
    });

    describe.each([
      ['Network', NETWORK_CASES],
      ['Route', ROUTE_CASES],
      ['Transfer', TRANSFER_CASES],
      ['Referral', REFERRAL_CASES],
      ['Person', PERSON_CASES],
    ] as const)('%s', (_, cases) => {
      it.each(cases)('$persona ($purpose) reading $what: $outcome', async (c) => {
        const { status, body } = await read(c);
        expect(status).toBe(200);
        const record = body.data?.record;
        if (c.sees === null) {
          // No hint that it exists: null, and no error naming it.
          expect(record).toBeNull();
          expect(body.errors ?? []).toEqual([]);
          return;
        }
        if (!isObject(record)) throw new Error(`expected ${c.type} ${c.id}, got ${JSON.stringify(body)}`);
        expect(record.id).toBe(c.id);
        // Each withheld field: null, with a REDACTED error at the client's path naming the rule.
        expect(Object.fromEntries(redactionsUnder(body.errors, ['record']))).toEqual(c.sees);
        for (const field of Object.keys(c.sees)) expect(record[field], field).toBeNull();
        // Nothing else went wrong, and a redaction carries its code and rule, never the value.
        expect((body.errors ?? []).filter((error) => error.extensions?.code !== 'REDACTED')).toEqual([]);
        for (const error of body.errors ?? []) {
          expect(Object.keys(error.extensions ?? {}).filter((key) => !['code', 'rule', 'serviceName'].includes(key))).toEqual([]);
        }
      });
    });

    it('keeps the client\'s path on a redaction from a list, through aliases', async () => {
      const { body } = await asPersona(
        fed,
        'cbp-analyst',
        'RELEASE_COORDINATION',
        `{ shared: networks(first: 3) { edges { node { id intel: intelligenceBasis } } } }`,
      );
      const edges = (body.data?.shared as { edges: unknown[] }).edges;
      expect(edges.length).toBeGreaterThan(0);
      const paths = (body.errors ?? []).map((error) => error.path);
      edges.forEach((_, i) => expect(paths).toContainEqual(['shared', 'edges', i, 'node', 'intel']));
      // Current networks' intelligence is outside this purpose; stale networks' is the owner's only.
      for (const error of body.errors ?? []) expect(error.extensions).toMatchObject({ code: 'REDACTED', rule: expect.stringMatching(/^(deny-by-default|cfr28\.review)$/) });
    });

    it('keeps the client\'s path on a redaction made by another subgraph (ICE network → CBP routes)', async () => {
      const { body } = await asPersona(fed, 'ice-analyst', 'INVESTIGATION', `query($id: ID!) { n: network(id: $id) { id routes { id waypoints { lat } } } }`, {
        id: f.currentNetworkDhsPartnerId,
      });
      const routes = (body.data?.n as { routes: { waypoints: unknown }[] }).routes;
      expect(routes.length).toBeGreaterThan(0);
      routes.forEach((route, i) => {
        expect(route.waypoints).toBeNull();
        expect(body.errors).toContainEqual(
          expect.objectContaining({ path: ['n', 'routes', i, 'waypoints'], extensions: expect.objectContaining({ code: 'REDACTED', rule: 'dhs.tactical-cbp-only' }) }),
        );
      });
    });

    it('tells an NGO nothing more of a transfer once every notifying case is closed or declined', async () => {
      const before = await read({ persona: 'ngo-legal', purpose: 'LEGAL_SERVICES', type: 'Transfer', id: f.transferWithNotifyConsentForLegalId });
      expect(isObject(before.body.data?.record)).toBe(true);
      const close = 'mutation($id: ID!, $status: ReferralStatus!) { updateReferralStatus(id: $id, status: $status) { id status } }';
      for (const id of notifyingCases()) {
        const closed = await asPersona(fed, 'ngo-legal', 'LEGAL_SERVICES', close, { id, status: 'CLOSED' });
        expect(closed.body.errors ?? []).toEqual([]);
      }
      const declined = await asPersona(fed, 'ngo-legal', 'LEGAL_SERVICES', close, { id: createdReferralId, status: 'DECLINED' });
      expect(declined.body.errors ?? []).toEqual([]);
      const after = await read({ persona: 'ngo-legal', purpose: 'LEGAL_SERVICES', type: 'Transfer', id: f.transferWithNotifyConsentForLegalId });
      expect(after.body.errors ?? []).toEqual([]);
      expect(after.body.data?.record).toBeNull();
    });

    it('prints what each README persona sees of one network, route, transfer and referral', async () => {
      const records: readonly (readonly [ShapedType, string])[] = [
        ['Network', f.currentNetworkDhsPartnerId],
        ['Route', f.routeWithNetworksId],
        ['Transfer', f.transferFromSaguaroBookingId],
        ['Referral', f.referralConsentIceReleaseId],
      ];
      const lines: string[] = ['What each persona sees (by id, through the gateway). released: returned as stored; withheld: null + REDACTED error [rule]; null: record not visible.'];
      for (const [type, id] of records) {
        lines.push('', `${type} ${id} — ${describeRecord(type, id)}`);
        for (const [persona, purpose] of PERSONA_PURPOSES) {
          const { body } = await read({ persona, purpose, type, id });
          const record = body.data?.record;
          const who = `${persona} (${purpose})`.padEnd(38);
          if (!isObject(record)) {
            lines.push(`  ${who} null`);
            continue;
          }
          const redacted = redactionsUnder(body.errors, ['record']);
          const released = RECORD_SHAPES[type].fields.filter((field) => !redacted.has(field));
          const byRule = new Map<string, string[]>();
          for (const [field, rule] of redacted) byRule.set(rule, [...(byRule.get(rule) ?? []), field]);
          const withheld = [...byRule].map(([rule, fields]) => `${fields.join(' ')} [${rule}]`).join('; ');
          lines.push(`  ${who} released: ${released.join(' ') || '(id only)'}${withheld ? ` | withheld: ${withheld}` : ''}`);
          expect(released.length + redacted.size).toBe(RECORD_SHAPES[type].fields.length);
        }
      }
      console.log(lines.join('\n'));
    });
  });
});

function describeRecord(type: ShapedType, id: string): string {
  const rows: readonly { readonly id: string; readonly ownerOrg: string; readonly disseminate: readonly string[] }[] = {
    Network: world.ice.networks,
    Route: world.cbp.routes,
    Transfer: world.ice.transfers,
    Referral: world.ngo.referrals,
    Person: world.ice.persons,
  }[type];
  const found = rows.find((candidate) => candidate.id === id);
  return found ? `owner ${found.ownerOrg}, disseminated to ${found.disseminate.join(', ') || 'no one'}` : '(not in the seed)';
}
