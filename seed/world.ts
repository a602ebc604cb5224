import type { Purpose, RecordMeta, Sector } from '../lib/domain.js';
import type {
  ActivityLevel,
  AssetKind,
  DetainerStatus,
  Disposition,
  HazardKind,
  MemberRole,
  Modality,
  NetworkKind,
  NetworkStatus,
  ReferralService,
  ReferralStatus,
  ThreatLevel,
  TransferStatus,
} from './vocabulary.js';

/**
 * The synthetic world: one typed row per database row, grouped by schema and table as in the
 * subgraphs' migrations. Property names are the columns in camelCase; shared records carry
 * `RecordMeta`, so a row can be handed to the policy engine as it is. Calendar dates (birth,
 * release) are `YYYY-MM-DD` strings: they have no time zone to drift in.
 */

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** HUMANITARIAN: what an NGO may see of a route. */
export interface Hazard extends GeoPoint {
  readonly kind: HazardKind;
  readonly description: string;
  /** ISO timestamp. */
  readonly observedAt: string;
}

/** TACTICAL: stays within CBP. */
export interface SurveillanceAsset extends GeoPoint {
  readonly kind: AssetKind;
  readonly label: string;
}

export interface PersonRow extends RecordMeta {
  readonly name: string;
  readonly dateOfBirth: string | null;
  readonly nationality: string | null;
  /** Null for people never in immigration proceedings (e.g. citizens in a network). */
  readonly aNumber: string | null;
  readonly protected1367: boolean;
}

export interface NetworkRow extends RecordMeta {
  readonly name: string;
  readonly kind: NetworkKind;
  readonly threatLevel: ThreatLevel;
  readonly status: NetworkStatus;
  readonly sectors: readonly Sector[];
  readonly intelligenceBasis: string | null;
  readonly analyticSummary: string | null;
  readonly lastValidatedAt: Date;
}

export interface NetworkMemberRow {
  readonly networkId: string;
  readonly personId: string;
  readonly role: MemberRole;
}

export interface TransferRow extends RecordMeta {
  readonly personId: string;
  readonly status: TransferStatus;
  readonly fromOrg: string;
  readonly fromFacility: string | null;
  readonly toOrg: string;
  readonly toFacility: string;
  readonly requestedAt: Date;
  readonly acceptedAt: Date | null;
  readonly departedAt: Date | null;
  readonly completedAt: Date | null;
  readonly cancelledAt: Date | null;
  readonly reason: string | null;
  readonly medicalSummary: string | null;
}

export interface RouteRow extends RecordMeta {
  readonly name: string;
  readonly sector: Sector;
  readonly modality: Modality;
  /** Rounded to 0.1 degree (about 10 km). */
  readonly path: readonly GeoPoint[];
  /** Full precision: TACTICAL. */
  readonly waypoints: readonly GeoPoint[];
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly activityLevel: ActivityLevel;
  readonly surveillanceAssets: readonly SurveillanceAsset[];
  readonly hazards: readonly Hazard[];
}

export interface RouteNetworkRow {
  readonly routeId: string;
  readonly networkId: string;
  readonly linkedAt: Date;
}

export interface EncounterRow extends RecordMeta {
  readonly occurredAt: Date;
  readonly sector: Sector;
  readonly station: string;
  readonly routeId: string | null;
  readonly personId: string;
  readonly disposition: Disposition;
  readonly unaccompaniedMinor: boolean;
  readonly familyUnit: boolean;
  readonly medicalNeed: boolean;
  readonly medicalSummary: string | null;
}

export interface BookingRow extends RecordMeta {
  readonly personId: string;
  readonly county: string;
  readonly bookedAt: Date;
  readonly charges: readonly string[];
  readonly detainerStatus: DetainerStatus;
  readonly releaseDate: string | null;
  readonly transferId: string | null;
}

export interface ProviderRow extends RecordMeta {
  readonly name: string;
  readonly services: readonly ReferralService[];
  readonly sector: Sector;
  readonly capacity: number;
  readonly bedsAvailable: number;
}

export interface ReferralRow extends RecordMeta {
  readonly personId: string;
  readonly fromOrg: string;
  readonly toOrg: string;
  readonly service: ReferralService;
  readonly status: ReferralStatus;
  readonly providerId: string | null;
  /** NGO_CONFIDENTIAL. */
  readonly notes: string | null;
  /** NGO_CONFIDENTIAL. */
  readonly circumstances: string | null;
}

export interface ConsentRow {
  readonly referralId: string;
  /** Agency classes (`CBP`, `ICE`, `PARTNER`) or org ids. */
  readonly grantees: readonly string[];
  readonly purposes: readonly Purpose[];
  readonly notifyTransfers: boolean;
  readonly grantedAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface WorldMeta {
  readonly seed: number;
  /** How many times the small world's counts. */
  readonly factor: number;
  /** The reference time every timestamp was drawn against. */
  readonly now: Date;
}

export interface World {
  readonly meta: WorldMeta;
  readonly ice: {
    readonly persons: readonly PersonRow[];
    readonly networks: readonly NetworkRow[];
    readonly networkMembers: readonly NetworkMemberRow[];
    readonly transfers: readonly TransferRow[];
  };
  readonly cbp: {
    readonly routes: readonly RouteRow[];
    readonly routeNetworks: readonly RouteNetworkRow[];
    readonly encounters: readonly EncounterRow[];
  };
  readonly partner: {
    readonly bookings: readonly BookingRow[];
  };
  readonly ngo: {
    readonly providers: readonly ProviderRow[];
    readonly referrals: readonly ReferralRow[];
    readonly consents: readonly ConsentRow[];
  };
}

/** Rows per table, keyed `schema.table` as in SQL. */
export function countRows(world: World): Readonly<Record<string, number>> {
  return {
    'ice.persons': world.ice.persons.length,
    'ice.networks': world.ice.networks.length,
    'ice.network_members': world.ice.networkMembers.length,
    'ice.transfers': world.ice.transfers.length,
    'cbp.routes': world.cbp.routes.length,
    'cbp.route_networks': world.cbp.routeNetworks.length,
    'cbp.encounters': world.cbp.encounters.length,
    'partner.bookings': world.partner.bookings.length,
    'ngo.providers': world.ngo.providers.length,
    'ngo.referrals': world.ngo.referrals.length,
    'ngo.consents': world.ngo.consents.length,
  };
}
