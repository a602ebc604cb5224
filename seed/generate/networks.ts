import type { Agency, Sector } from '../../lib/domain.js';
import { DAY, YEAR, atMinute, earliest } from '../clock.js';
import type { Random } from '../random.js';
import {
  CBP_ORG_BY_SECTOR,
  COUNTY_OF_SECTOR,
  DHS,
  MEMBER_ROLES,
  PARTNER_AREAS,
  PARTNER_CLASS,
  type MemberRole,
  type NetworkKind,
} from '../vocabulary.js';
import type { NetworkRow, RouteRow } from '../world.js';
import { sortJurisdictions, type PersonDraft, type WorldBuilder } from './builder.js';
import { analyticSummary, intelligenceBasis, networkName } from './texts.js';

/**
 * Criminal networks (ICE investigations and CBP sector intelligence), their members and the
 * routes they operate. The scenarios put each dissemination pattern of rules 2, 3 and 7 next
 * to its counterpart: the same sector and partner county, validated recently or more than five
 * years ago, shared with DHS only, with partners, with a partner named, or with no one.
 */

type NetworkOwner = 'ice-hsi-tucson' | 'ice-ero-phoenix' | 'cbp-tucson' | 'cbp-rgv';

interface NetworkScenario {
  readonly owner: NetworkOwner;
  readonly sectors: readonly Sector[];
  /** Add the partner county of each sector to the jurisdictions. */
  readonly inCounty: boolean;
  readonly disseminate: readonly string[];
  /** Last validated more than five years ago (28 CFR 23 review overdue). */
  readonly stale: boolean;
}

const SAGUARO = 'partner-saguaro-so';
const MESQUITE = 'partner-mesquite-so';

const SCENARIOS: readonly NetworkScenario[] = [
  { owner: 'ice-hsi-tucson', sectors: ['TUCSON'], inCounty: true, disseminate: [DHS, PARTNER_CLASS], stale: true },
  { owner: 'ice-hsi-tucson', sectors: ['TUCSON'], inCounty: true, disseminate: [DHS, PARTNER_CLASS], stale: false },
  { owner: 'ice-hsi-tucson', sectors: ['TUCSON'], inCounty: true, disseminate: [DHS, PARTNER_CLASS, SAGUARO], stale: false },
  { owner: 'ice-ero-phoenix', sectors: ['TUCSON'], inCounty: true, disseminate: [DHS, PARTNER_CLASS, SAGUARO], stale: true },
  { owner: 'ice-hsi-tucson', sectors: ['TUCSON', 'RGV'], inCounty: false, disseminate: [], stale: false },
  { owner: 'ice-ero-phoenix', sectors: ['RGV'], inCounty: true, disseminate: [DHS, PARTNER_CLASS, MESQUITE], stale: false },
  { owner: 'ice-hsi-tucson', sectors: ['TUCSON'], inCounty: false, disseminate: [DHS], stale: false },
  { owner: 'cbp-tucson', sectors: ['TUCSON'], inCounty: true, disseminate: [DHS, PARTNER_CLASS], stale: false },
  { owner: 'cbp-rgv', sectors: ['RGV'], inCounty: true, disseminate: [DHS, PARTNER_CLASS], stale: true },
  { owner: 'ice-hsi-tucson', sectors: ['EL_PASO'], inCounty: false, disseminate: [DHS, PARTNER_CLASS], stale: false },
  { owner: 'cbp-tucson', sectors: ['SAN_DIEGO'], inCounty: false, disseminate: [], stale: false },
];

const OFFICE_CODES: Readonly<Record<NetworkOwner, string>> = {
  'ice-hsi-tucson': 'HSI-TUC',
  'ice-ero-phoenix': 'ERO-PHX',
  'cbp-tucson': 'BP-TCA',
  'cbp-rgv': 'BP-RGV',
};

export function generateNetworks(builder: WorldBuilder, random: Random): void {
  const total = Math.max(builder.counts.networks, SCENARIOS.length);
  const routesBySector = new Map<Sector, RouteRow[]>();
  for (const route of builder.routes) {
    const list = routesBySector.get(route.sector) ?? [];
    list.push(route);
    routesBySector.set(route.sector, list);
  }
  for (let i = 0; i < total; i += 1) {
    const network = drawNetwork(builder, random, SCENARIOS[i] ?? randomScenario(random));
    builder.networks.push(network);
    addMembers(builder, random, network);
    linkRoutes(builder, random, network, network.sectors.map((sector) => routesBySector.get(sector) ?? []));
  }
}

function randomScenario(random: Random): NetworkScenario {
  const owner = random.weighted<NetworkOwner>({ 'ice-hsi-tucson': 40, 'ice-ero-phoenix': 25, 'cbp-tucson': 20, 'cbp-rgv': 15 });
  // CBP intelligence covers its own sectors; ICE investigations may span any two.
  const range: readonly Sector[] = owner.startsWith('cbp-')
    ? (Object.keys(CBP_ORG_BY_SECTOR) as Sector[]).filter((sector) => CBP_ORG_BY_SECTOR[sector] === owner)
    : ['TUCSON', 'RGV', 'EL_PASO', 'SAN_DIEGO'];
  const sectors = random.sample(range, random.chance(0.7) ? 1 : 2);
  const named = sectors.map((sector) => COUNTY_OF_SECTOR[sector]).filter((org) => org !== undefined);
  const pattern = random.weighted({ ownerOnly: 15, dhs: 25, partners: 40, named: named.length > 0 ? 20 : 0 });
  const disseminate = {
    ownerOnly: [],
    dhs: [DHS],
    partners: [DHS, PARTNER_CLASS],
    named: [DHS, PARTNER_CLASS, ...named],
  }[pattern];
  return { owner, sectors, inCounty: random.chance(0.5), disseminate, stale: random.chance(0.25) };
}

function drawNetwork(builder: WorldBuilder, random: Random, scenario: NetworkScenario): NetworkRow {
  const { now } = builder;
  const kind = random.weighted<NetworkKind>({ HUMAN_SMUGGLING: 45, HUMAN_TRAFFICKING: 15, DRUG_TRAFFICKING: 20, MIXED: 20 });
  // Clear of the five-year line on both sides, so no test depends on the hour it runs.
  const lastValidatedAt = scenario.stale
    ? atMinute(now.getTime() - random.float(5 * YEAR + 60 * DAY, 9 * YEAR))
    : atMinute(now.getTime() - random.float(10 * DAY, 3 * YEAR));
  const createdAt = atMinute(lastValidatedAt.getTime() - random.float(30 * DAY, 3 * YEAR));
  const counties = scenario.inCounty
    ? scenario.sectors.flatMap((sector) => {
        const partner = COUNTY_OF_SECTOR[sector];
        return partner === undefined ? [] : [PARTNER_AREAS[partner].county];
      })
    : [];
  const agency: Agency = scenario.owner.startsWith('cbp-') ? 'CBP' : 'ICE';
  return {
    id: builder.nextId('network'),
    ownerOrg: scenario.owner,
    ownerAgency: agency,
    sensitivity: kind === 'HUMAN_TRAFFICKING' ? 'RESTRICTED' : 'LAW_ENFORCEMENT_SENSITIVE',
    jurisdictions: sortJurisdictions([...scenario.sectors, ...counties]),
    disseminate: scenario.disseminate,
    createdAt,
    updatedAt: earliest(atMinute(lastValidatedAt.getTime() + random.float(0, 5 * DAY)), now),
    name: networkName(random, kind),
    kind,
    threatLevel: random.weighted({ LOW: 2, MEDIUM: 4, HIGH: 3, CRITICAL: 1 }),
    status: random.weighted({ ACTIVE: 6, DORMANT: 2.5, DISRUPTED: 1.5 }),
    sectors: scenario.sectors,
    intelligenceBasis: intelligenceBasis(random, OFFICE_CODES[scenario.owner], lastValidatedAt.getUTCFullYear()),
    analyticSummary: analyticSummary(random, kind, scenario.sectors),
    lastValidatedAt,
  };
}

const OTHER_ROLES: readonly MemberRole[] = MEMBER_ROLES.filter((role) => role !== 'LEADER');

/** Members: a leader and a few others; now and then someone already known from another network. */
function addMembers(builder: WorldBuilder, random: Random, network: NetworkRow): void {
  const size = random.int(3, 6);
  const known = new Set<string>();
  for (let i = 0; i < size; i += 1) {
    const role = i === 0 ? 'LEADER' : random.pick(OTHER_ROLES);
    let person: PersonDraft | undefined;
    if (i > 0 && random.chance(0.1)) {
      const candidate = random.pick(builder.networkMembers.length > 0 ? builder.networkMembers : [undefined])?.personId;
      if (candidate !== undefined && !known.has(candidate)) person = builder.person(candidate);
    }
    person ??= builder.addPerson(random, {
      nationality: random.weighted({ USA: 30, MEX: 50, GTM: 10, HND: 10 }),
      age: [19, 58],
      at: network.createdAt,
    });
    known.add(person.id);
    builder.networkMembers.push({ networkId: network.id, personId: person.id, role });
    builder.touch(person, network.createdAt, network.jurisdictions);
  }
}

/** `bySector` holds the routes of each of the network's sectors (thousands each at large scale: not copied). */
function linkRoutes(builder: WorldBuilder, random: Random, network: NetworkRow, bySector: readonly (readonly RouteRow[])[]): void {
  const total = bySector.reduce((sum, routes) => sum + routes.length, 0);
  const picked = new Set<number>();
  const wanted = Math.min(random.int(1, 3), total);
  while (picked.size < wanted) picked.add(random.int(0, total - 1));
  for (let index of picked) {
    let route: RouteRow | undefined;
    for (const routes of bySector) {
      if (index < routes.length) {
        route = routes[index];
        break;
      }
      index -= routes.length;
    }
    if (route === undefined) continue;
    const from = Math.max(network.createdAt.getTime(), route.firstSeenAt.getTime());
    builder.routeNetworks.push({
      routeId: route.id,
      networkId: network.id,
      linkedAt: atMinute(random.float(from, builder.now.getTime() - DAY)),
    });
  }
}
