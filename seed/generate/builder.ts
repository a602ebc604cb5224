import type { Sector } from '../../lib/domain.js';
import { DAY, YEAR, atMinute, calendarDate, minus } from '../clock.js';
import type { Random } from '../random.js';
import type { Counts } from '../scale.js';
import { DHS, ICE_CUSTODY_ORG, NGO_CLASS, PARTNER_CLASS } from '../vocabulary.js';
import type {
  BookingRow,
  ConsentRow,
  EncounterRow,
  NetworkMemberRow,
  NetworkRow,
  PersonRow,
  ProviderRow,
  ReferralRow,
  RouteNetworkRow,
  RouteRow,
  TransferRow,
  World,
  WorldMeta,
} from '../world.js';
import { aNumberFor, drawName, type Nationality } from './names.js';

/**
 * The world under construction: the tables being filled, the id sequences, and the people,
 * whose jurisdictions and first/last appearance grow with every record that names them.
 */

const ID_FORMATS = {
  person: { prefix: 'P', width: 6 },
  network: { prefix: 'N', width: 4 },
  route: { prefix: 'R', width: 4 },
  encounter: { prefix: 'E', width: 6 },
  transfer: { prefix: 'T', width: 6 },
  booking: { prefix: 'B', width: 6 },
  referral: { prefix: 'RF', width: 6 },
  provider: { prefix: 'PV', width: 4 },
} as const;
export type IdKind = keyof typeof ID_FORMATS;

/** Room for the anchored scenarios on top of the targets. */
const ANCHOR_ALLOWANCE = 100;

export interface PersonDraft {
  readonly id: string;
  readonly name: string;
  readonly dateOfBirth: string;
  readonly nationality: Nationality;
  readonly aNumber: string | null;
  readonly protected1367: boolean;
  /** Built by a scenario of `anchors.ts`: the random population never reuses this person. */
  readonly anchored: boolean;
  /** Few per person: an array is lighter than a Set across 150,000 people. */
  readonly jurisdictions: string[];
  firstSeen: Date | null;
  lastSeen: Date | null;
}

export interface NewPerson {
  readonly nationality: Nationality;
  /** Age range (years) at `at`. */
  readonly age: readonly [number, number];
  readonly at: Date;
  readonly protected1367?: boolean;
  readonly anchored?: boolean;
}

export class WorldBuilder {
  readonly persons: PersonDraft[] = [];
  readonly networks: NetworkRow[] = [];
  readonly networkMembers: NetworkMemberRow[] = [];
  readonly transfers: TransferRow[] = [];
  readonly routes: RouteRow[] = [];
  readonly routeNetworks: RouteNetworkRow[] = [];
  readonly encounters: EncounterRow[] = [];
  readonly bookings: BookingRow[] = [];
  readonly providers: ProviderRow[] = [];
  readonly referrals: ReferralRow[] = [];
  readonly consents: ConsentRow[] = [];

  readonly #sequences = new Map<IdKind, number>();
  readonly #widths: Readonly<Record<IdKind, number>>;
  readonly #personsById = new Map<string, PersonDraft>();
  #providersBySite: Map<string, ProviderRow[]> | null = null;

  constructor(
    readonly now: Date,
    readonly counts: Counts,
  ) {
    // Ids stay sortable as text only if every id of a kind has the same width: widen the
    // format up front when the world is big enough to need it.
    const bounds: Readonly<Record<IdKind, number>> = {
      person: counts.networks * 8 + counts.encounters + counts.bookings,
      network: counts.networks,
      route: counts.routes,
      encounter: counts.encounters,
      transfer: Math.max(counts.transfers, counts.encounters + counts.bookings),
      booking: counts.bookings,
      referral: counts.referrals * 2,
      provider: counts.providers,
    };
    const widths = {} as Record<IdKind, number>;
    for (const kind of Object.keys(ID_FORMATS) as IdKind[]) {
      widths[kind] = Math.max(ID_FORMATS[kind].width, String(bounds[kind] + ANCHOR_ALLOWANCE).length);
    }
    this.#widths = widths;
  }

  nextId(kind: IdKind): string {
    const next = (this.#sequences.get(kind) ?? 0) + 1;
    this.#sequences.set(kind, next);
    return `${ID_FORMATS[kind].prefix}-${String(next).padStart(this.#widths[kind], '0')}`;
  }

  addPerson(random: Random, spec: NewPerson): PersonDraft {
    const id = this.nextId('person');
    const ageDays = random.float(spec.age[0] * YEAR, (spec.age[1] + 1) * YEAR - DAY);
    const person: PersonDraft = {
      id,
      name: drawName(random, spec.nationality),
      dateOfBirth: calendarDate(minus(spec.at, ageDays)),
      nationality: spec.nationality,
      aNumber: spec.nationality === 'USA' ? null : aNumberFor(this.persons.length + 1),
      protected1367: spec.protected1367 ?? false,
      anchored: spec.anchored ?? false,
      jurisdictions: [],
      firstSeen: null,
      lastSeen: null,
    };
    this.persons.push(person);
    this.#personsById.set(id, person);
    return person;
  }

  person(id: string): PersonDraft {
    const person = this.#personsById.get(id);
    if (person === undefined) throw new Error(`Seed generator bug: no person ${id}`);
    return person;
  }

  /** The providers of an NGO in a sector (indexed once all providers exist). */
  providersAt(org: string, sector: Sector): readonly ProviderRow[] {
    if (this.#providersBySite === null) {
      this.#providersBySite = new Map();
      for (const provider of this.providers) {
        const key = `${provider.ownerOrg}/${provider.sector}`;
        const site = this.#providersBySite.get(key) ?? [];
        site.push(provider);
        this.#providersBySite.set(key, site);
      }
    }
    return this.#providersBySite.get(`${org}/${sector}`) ?? [];
  }

  /** A record about the person at `at`, in these jurisdictions. */
  touch(person: PersonDraft, at: Date, jurisdictions: Iterable<string>): void {
    for (const jurisdiction of jurisdictions) if (!person.jurisdictions.includes(jurisdiction)) person.jurisdictions.push(jurisdiction);
    if (person.firstSeen === null || at < person.firstSeen) person.firstSeen = at;
    if (person.lastSeen === null || at > person.lastSeen) person.lastSeen = at;
  }

  finish(meta: WorldMeta): World {
    return {
      meta,
      ice: {
        persons: this.persons.map((person) => this.#personRow(person)),
        networks: this.networks,
        networkMembers: this.networkMembers,
        transfers: this.transfers,
      },
      cbp: { routes: this.routes, routeNetworks: this.routeNetworks, encounters: this.encounters },
      partner: { bookings: this.bookings },
      ngo: { providers: this.providers, referrals: this.referrals, consents: this.consents },
    };
  }

  #personRow(person: PersonDraft): PersonRow {
    const createdAt = person.firstSeen ?? atMinute(this.now.getTime() - 30 * DAY);
    return {
      id: person.id,
      ownerOrg: ICE_CUSTODY_ORG,
      ownerAgency: 'ICE',
      sensitivity: person.protected1367 ? 'RESTRICTED' : 'SENSITIVE',
      jurisdictions: sortJurisdictions(person.jurisdictions),
      // Policy narrows this further: partners see only people linked to their own records,
      // NGOs only their clients (rules 3 and 4).
      disseminate: [DHS, PARTNER_CLASS, NGO_CLASS],
      createdAt,
      updatedAt: person.lastSeen ?? createdAt,
      name: person.name,
      dateOfBirth: person.dateOfBirth,
      nationality: person.nationality,
      aNumber: person.aNumber,
      protected1367: person.protected1367,
    };
  }
}

/** Sectors first (in SPEC order), then counties alphabetically. */
const SECTOR_RANK: ReadonlyMap<string, number> = new Map(['TUCSON', 'RGV', 'EL_PASO', 'SAN_DIEGO'].map((sector, index) => [sector, index]));

export function sortJurisdictions(jurisdictions: Iterable<string>): string[] {
  const unique: string[] = [];
  for (const jurisdiction of jurisdictions) if (!unique.includes(jurisdiction)) unique.push(jurisdiction);
  // Plain code-unit comparison: locale-aware sorting could differ between machines.
  return unique.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

const rank = (value: string): number => SECTOR_RANK.get(value) ?? SECTOR_RANK.size;
