import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS } from '../../lib/limits/index.js';
import { isRecordType, type Purpose, type SubgraphName } from '../../lib/domain.js';
import { PERSONAS, type PersonaName } from '../../lib/identity/index.js';
import { categoryOf } from '../../policies/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { send } from '../support/http-client.js';
import {
  aliasCount,
  entitiesShapeArb,
  loadSubgraphSchema,
  received,
  renderShape,
  rootShapeArb,
  walkResponse,
  type IdPools,
  type Shape,
  type SubgraphSchema,
  type Visit,
} from '../support/query-shapes.js';
import { frozenClock, seededWorld } from '../support/seeded-world.js';

/**
 * SPEC 5 rule 4 whatever the query looks like: no NGO caller ever receives criminal
 * intelligence, tactical detail, or anything of a network, encounter or booking — not through
 * aliases, fragments or nested relations, and not by sending `_entities` representations
 * straight to a subgraph (which is how a client that skips the gateway would ask). "Receives"
 * means a value that is not null and not an empty list; the one exception is the `id` a
 * caller's own representation echoes back.
 */

const NGO_PERSONAS = ['ngo-shelter', 'ngo-legal', 'ngo-medical'] as const satisfies readonly PersonaName[];
const NEVER_FOR_NGOS = new Set(['Network', 'Encounter', 'Booking']);
const SECRET_CATEGORIES = new Set(['INTEL', 'TACTICAL']);
const RUNS = 40;

const { world, fixtures, now } = seededWorld();

/** A few ids per type, the named fixtures first: the records each rule is about. */
function idPools(): IdPools {
  const some = (rows: readonly { readonly id: string }[], named: readonly string[]): readonly string[] => [...new Set([...named, ...rows.slice(0, 6).map((row) => row.id)])];
  const f = fixtures;
  return {
    Network: some(world.ice.networks, [f.staleNetworkId, f.currentNetworkDhsPartnerId, f.networkNamingSaguaroId, f.ownerOnlyNetworkId, f.cbpNetworkId]),
    Route: some(world.cbp.routes, [f.routeWithNetworksId, f.cbpOnlyRouteId, f.routeWithoutNgoId, ...Object.values(f.routeIdBySector)]),
    Encounter: some(world.cbp.encounters, [f.encounterTucsonId, f.encounterMedicalTucsonId, f.encounterUnaccompaniedMinorId]),
    Transfer: some(world.ice.transfers, [f.transferWithNotifyConsentForLegalId, f.transferWithMedicalTucsonId, f.transferFromSaguaroBookingId]),
    Booking: some(world.partner.bookings, [f.bookingSaguaroId, f.bookingSaguaroWithTransferId]),
    Person: some(world.ice.persons, [f.personWithEverythingId, f.protectedPersonId, f.clientOfFronteraLegalId, f.memberOfNetworkNamingSaguaroId]),
    Referral: some(world.ngo.referrals, [f.ngoToNgoReferralId, f.cbpToShelterReferralId, f.protectedReferralId]),
    Provider: some(world.ngo.providers, [f.providerWithBedsId]),
  };
}

/** Why a value must not have reached an NGO, or null when it may have. */
function leak(visit: Visit): string | null {
  if (!received(visit.value)) return null;
  const what = `${visit.parentType}.${visit.field} at ${visit.path} = ${JSON.stringify(visit.value).slice(0, 120)}`;
  if (NEVER_FOR_NGOS.has(visit.type)) return `a ${visit.type} record: ${what}`;
  if (NEVER_FOR_NGOS.has(visit.parentType)) {
    const echoed = visit.field === 'id' && visit.entityRoot !== null && visit.value === visit.entityRoot.id;
    return echoed ? null : `a field of a ${visit.parentType}: ${what}`;
  }
  if (isRecordType(visit.parentType)) {
    const category = categoryOf(visit.parentType, visit.field);
    if (category !== undefined && SECRET_CATEGORIES.has(category)) return `${category}: ${what}`;
  }
  return null;
}

const callerArb = fc.constantFrom(...NGO_PERSONAS).chain((persona) =>
  fc.constantFrom(...PERSONAS[persona].purposes).map((purpose): { persona: PersonaName; purpose: Purpose } => ({ persona, purpose })),
);

describe('no NGO caller receives intelligence, tactical detail or enforcement records, whatever the query shape', () => {
  let fed: TestFederation;
  const schemas = new Map<SubgraphName, SubgraphSchema>();
  const ids = idPools();

  beforeAll(async () => {
    fed = await startTestFederation({ clock: frozenClock(now) });
    for (const name of ['cbp', 'ice', 'partner', 'ngo'] as const) schemas.set(name, await loadSubgraphSchema(name));
  });
  afterAll(async () => {
    await fed?.close();
  });

  async function ask(url: string, persona: PersonaName, purpose: Purpose, shape: Shape): Promise<readonly string[]> {
    const { query, variables } = renderShape(shape);
    const { status, body } = await send(url, { token: await fed.token(persona), purpose, json: { query, variables } });
    const problems: string[] = [];
    if (status !== 200) problems.push(`HTTP ${status}`);
    // Withheld fields say so; anything else means the shape itself was refused, which would
    // make the property vacuous.
    for (const error of body.errors ?? []) {
      if (error.extensions?.code !== 'REDACTED') problems.push(`error ${String(error.extensions?.code)}: ${error.message}`);
    }
    walkResponse(shape, body.data ?? null, (visit) => {
      const found = leak(visit);
      if (found !== null) problems.push(found);
    });
    return problems.map((problem) => `${persona} (${purpose}) ${problem}\n  query: ${query}\n  variables: ${JSON.stringify(variables)}`);
  }

  const subgraph = (name: SubgraphName): SubgraphSchema => {
    const sub = schemas.get(name);
    if (!sub) throw new Error(`schema of ${name} not loaded`);
    return sub;
  };
  const urlOf = (name: SubgraphName): string => {
    const url = fed.federation.urls[name];
    if (url === undefined) throw new Error(`${name} is not running`);
    return url;
  };

  it.each(['cbp', 'ice', 'partner', 'ngo'] as const)('straight to the %s subgraph: root fields and _entities representations', async (name) => {
    const sub = subgraph(name);
    await fc.assert(
      // Within the subgraph's operation limits too (SPEC 8: a subgraph applies the gateway's).
      fc.asyncProperty(
        callerArb,
        fc.oneof(rootShapeArb(sub, ids), entitiesShapeArb(sub, ids)).filter((shape) => aliasCount(shape) <= DEFAULT_OPERATION_LIMITS.maxAliases),
        async ({ persona, purpose }, shape) => {
          expect(await ask(urlOf(name), persona, purpose, shape)).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('through the gateway: every subgraph\'s root fields, with nested relations across subgraphs', async () => {
    // The gateway's schema is the union of the subgraphs': a shape rooted in one subgraph's
    // Query may nest entities that others resolve (network → routes → hazards).
    // Within the gateway's operation limits: an alias flood is refused as OPERATION_LIMIT before
    // any subgraph is asked (test/limits covers that refusal).
    const roots = fc
      .constantFrom('cbp', 'ice', 'partner', 'ngo')
      .chain((name) => rootShapeArb(subgraph(name), ids))
      .filter((shape) => aliasCount(shape) <= DEFAULT_OPERATION_LIMITS.maxAliases);
    await fc.assert(
      fc.asyncProperty(callerArb, roots, async ({ persona, purpose }, shape) => {
        expect(await ask(fed.gatewayUrl, persona, purpose, shape)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
