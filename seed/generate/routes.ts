import { SECTORS, type Sector } from '../../lib/domain.js';
import { DAY, YEAR, atMinute } from '../clock.js';
import type { Random } from '../random.js';
import {
  ASSET_KINDS,
  CBP_ORG_BY_SECTOR,
  COUNTY_OF_SECTOR,
  DHS,
  HAZARD_KINDS,
  NGO_CLASS,
  PARTNER_AREAS,
  PARTNER_CLASS,
  type ActivityLevel,
  type AssetKind,
} from '../vocabulary.js';
import type { GeoPoint, Hazard, RouteRow, SurveillanceAsset } from '../world.js';
import { sortJurisdictions, type WorldBuilder } from './builder.js';
import { SECTOR_AREAS, coarsePath, drawWaypoints, near } from './places.js';
import { hazardDescription, routeName } from './texts.js';

/**
 * Smuggling routes, owned by CBP. The scenarios come first so that every sector has a route
 * shared with DHS, partners and NGOs (each with hazards and surveillance assets) and a
 * CBP-only one; the rest are drawn at random, spread evenly over the sectors.
 */

interface RouteScenario {
  readonly sector: Sector;
  readonly disseminate: readonly string[];
  /** Does the route cross the 287(g) partner's county in its sector? */
  readonly inCounty: boolean;
}

const SHARED = [DHS, PARTNER_CLASS, NGO_CLASS] as const;

const SCENARIOS: readonly RouteScenario[] = [
  ...SECTORS.map((sector) => ({ sector, disseminate: SHARED, inCounty: COUNTY_OF_SECTOR[sector] !== undefined })),
  ...SECTORS.map((sector) => ({ sector, disseminate: [], inCounty: false })),
  { sector: 'TUCSON', disseminate: [DHS], inCounty: true },
];

const RANDOM_DISSEMINATION = {
  shared: SHARED,
  withoutPartners: [DHS, NGO_CLASS],
  dhsOnly: [DHS],
  cbpOnly: [],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export function generateRoutes(builder: WorldBuilder, random: Random): void {
  const total = Math.max(builder.counts.routes, SCENARIOS.length);
  for (let i = 0; i < total; i += 1) {
    const sector = SECTORS[i % SECTORS.length] as Sector;
    const scenario = SCENARIOS[i] ?? {
      sector,
      disseminate: RANDOM_DISSEMINATION[random.weighted({ shared: 75, withoutPartners: 8, dhsOnly: 10, cbpOnly: 7 })],
      inCounty: COUNTY_OF_SECTOR[sector] !== undefined && random.chance(0.5),
    };
    builder.routes.push(drawRoute(builder, random, scenario));
  }
}

function drawRoute(builder: WorldBuilder, random: Random, scenario: RouteScenario): RouteRow {
  const { now } = builder;
  const { sector } = scenario;
  const modality = random.weighted(SECTOR_AREAS[sector].modalities);
  const waypoints = drawWaypoints(random, sector, modality);
  const activityLevel: ActivityLevel = random.weighted({ LOW: 3, MODERATE: 4, HIGH: 3 });
  const quietDays = { LOW: [90, 700], MODERATE: [14, 90], HIGH: [0, 14] } as const;
  const [quietMin, quietMax] = quietDays[activityLevel];
  const lastSeenAt = atMinute(now.getTime() - random.float(quietMin * DAY, quietMax * DAY) - DAY);
  const firstSeenAt = atMinute(lastSeenAt.getTime() - random.float(60 * DAY, 6 * YEAR));
  const partner = COUNTY_OF_SECTOR[sector];
  const county = scenario.inCounty && partner !== undefined ? [PARTNER_AREAS[partner].county] : [];
  const createdAt = atMinute(firstSeenAt.getTime() + random.float(DAY, 10 * DAY));
  return {
    id: builder.nextId('route'),
    ownerOrg: CBP_ORG_BY_SECTOR[sector],
    ownerAgency: 'CBP',
    sensitivity: 'LAW_ENFORCEMENT_SENSITIVE',
    jurisdictions: sortJurisdictions([sector, ...county]),
    disseminate: scenario.disseminate,
    createdAt,
    updatedAt: lastSeenAt > createdAt ? lastSeenAt : createdAt,
    name: routeName(random, modality),
    sector,
    modality,
    path: coarsePath(waypoints),
    waypoints,
    firstSeenAt,
    lastSeenAt,
    activityLevel,
    surveillanceAssets: drawAssets(random, sector, waypoints),
    hazards: drawHazards(random, waypoints, firstSeenAt, now),
  };
}

const ASSET_CODES: Readonly<Record<AssetKind, string>> = { TOWER: 'TWR', SENSOR: 'UGS', CAMERA: 'CAM', AEROSTAT: 'AER' };

function drawAssets(random: Random, sector: Sector, waypoints: readonly GeoPoint[]): SurveillanceAsset[] {
  return random.sample(ASSET_KINDS, random.int(1, 3)).map((kind) => ({
    kind,
    label: `${ASSET_CODES[kind]}-${sector.slice(0, 3)}-${String(random.int(1, 99)).padStart(2, '0')}`,
    ...near(random, waypoints, 5),
  }));
}

function drawHazards(random: Random, waypoints: readonly GeoPoint[], since: Date, now: Date): Hazard[] {
  return random.sample(HAZARD_KINDS, random.int(1, 4)).map((kind) => ({
    kind,
    description: hazardDescription(random, kind),
    ...near(random, waypoints, 4),
    observedAt: atMinute(random.float(since.getTime(), now.getTime() - DAY)).toISOString(),
  }));
}
