import type { PolicyAttributes } from '../../lib/access/decision.js';
import { metaColumns, readMeta } from '../../lib/access/record-meta.js';
import { factsFresh } from '../../lib/facts/fresh.js';
import { SECTORS, type Sector } from '../../lib/domain.js';
import { bool, date, oneOf, text, textOrNull } from '../../lib/store/row.js';
import { raw, sql, type Sql } from '../../lib/store/sql.js';
import type { Row } from '../../lib/store/store.js';
import {
  ActivityLevelValues,
  EncounterDispositionValues,
  ModalityValues,
  type ActivityLevel,
  type EncounterDisposition,
  type Modality,
} from '../../schema/generated/cbp.js';
import { readSubjectIdentity, type SubjectIdentity } from '../../lib/subject-identity.js';
import { readGeoPoints, readHazards, readSurveillanceAssets, type GeoPoint, type Hazard, type SurveillanceAsset } from './route-geo.js';

/** CBP's records as resolvers and the policy engine see them: schema fields plus policy facts. */


export interface RouteRecord extends Readonly<PolicyAttributes['Route']> {
  readonly name: string;
  readonly sector: Sector;
  readonly modality: Modality;
  readonly path: readonly GeoPoint[];
  readonly waypoints: readonly GeoPoint[];
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly activityLevel: ActivityLevel;
  readonly surveillanceAssets: readonly SurveillanceAsset[];
  readonly hazards: readonly Hazard[];
}

/**
 * ICE's networks as CBP may know them: ICE's published facts (`ice_facts.networks`, a copy
 * when ICE's database is another), none at all while that copy is stale (fail closed: a
 * route names no network CBP cannot show ICE would release).
 */
export const NETWORK_FACTS = sql`(SELECT * FROM ice_facts.networks WHERE ${factsFresh('ice')}) n`;

/**
 * The Network policy's columns over NETWORK_FACTS `n` (PolicyAttributes['Network']): CBP
 * names networks (Route.networks, linkRouteToNetwork) only where the engine would let ICE
 * release them to the caller, so no hidden network's id leaves through a route.
 */
export const networkColumns = (): Record<string, Sql> => ({
  ...metaColumns('n'),
  lastValidatedAt: raw('n.last_validated_at'),
});

export const ROUTE_SELECT = sql`SELECT r.* FROM cbp.routes r`;
export const ROUTE_FROM = sql`FROM cbp.routes r`;
export const routeColumns = (): Record<string, Sql> => metaColumns('r');

export function readRoute(row: Row): RouteRecord {
  return Object.assign(readMeta(row), {
    name: text(row, 'name'),
    sector: oneOf(row, 'sector', SECTORS),
    modality: oneOf(row, 'modality', ModalityValues),
    path: readGeoPoints(row, 'path'),
    waypoints: readGeoPoints(row, 'waypoints'),
    firstSeenAt: date(row, 'first_seen_at'),
    lastSeenAt: date(row, 'last_seen_at'),
    activityLevel: oneOf(row, 'activity_level', ActivityLevelValues),
    surveillanceAssets: readSurveillanceAssets(row, 'surveillance_assets'),
    hazards: readHazards(row, 'hazards'),
  });
}

export interface EncounterRecord extends Readonly<PolicyAttributes['Encounter']> {
  /** The identity the agent supplied, when `personId` is null (PII of the encounter). */
  readonly subject: SubjectIdentity | null;
  readonly occurredAt: Date;
  readonly sector: Sector;
  readonly station: string;
  readonly routeId: string | null;
  readonly disposition: EncounterDisposition;
  readonly unaccompaniedMinor: boolean;
  readonly familyUnit: boolean;
  readonly medicalNeed: boolean;
  readonly medicalSummary: string | null;
}

export const ENCOUNTER_SELECT = sql`SELECT e.* FROM cbp.encounters e`;
export const ENCOUNTER_FROM = sql`FROM cbp.encounters e`;
export const encounterColumns = (): Record<string, Sql> => ({
  ...metaColumns('e'),
  personId: raw('e.person_id'),
});

export function readEncounter(row: Row): EncounterRecord {
  return Object.assign(readMeta(row), {
    personId: textOrNull(row, 'person_id'),
    subject: readSubjectIdentity(row),
    occurredAt: date(row, 'occurred_at'),
    sector: oneOf(row, 'sector', SECTORS),
    station: text(row, 'station'),
    routeId: textOrNull(row, 'route_id'),
    disposition: oneOf(row, 'disposition', EncounterDispositionValues),
    unaccompaniedMinor: bool(row, 'unaccompanied_minor'),
    familyUnit: bool(row, 'family_unit'),
    medicalNeed: bool(row, 'medical_need'),
    medicalSummary: textOrNull(row, 'medical_summary'),
  });
}
