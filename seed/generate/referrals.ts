import type { Purpose, Sector } from '../../lib/domain.js';
import { HOUR, atMinute } from '../clock.js';
import type { Random } from '../random.js';
import { ICE_CUSTODY_ORG, type NgoOrg, type ReferralService } from '../vocabulary.js';
import type { EncounterRow, TransferRow } from '../world.js';
import type { PersonDraft, WorldBuilder } from './builder.js';
import { facilitySector } from './places.js';
import { refer, type ConsentPlan, type ConsentState, type ReferralSpec } from './records.js';

/**
 * Referrals of the random population, each with the client's consent. They follow from what
 * happened to people: CBP refers released families to the shelter, which sends them on to
 * legal aid or the clinic; legal aid takes detained clients; ICE refers people it released.
 * A person's referrals form a bundle in time order, and bundles are taken whole or cut short,
 * never with a gap, so no one reaches legal aid "from the shelter" without having been there.
 */

type Bundle = ReferralSpec[];

export function generateReferrals(builder: WorldBuilder, random: Random): void {
  const bundles: Bundle[] = [];
  const released = new Set<string>();
  for (const encounter of builder.encounters) {
    const person = builder.person(encounter.personId);
    if (encounter.disposition !== 'RELEASED' || person.anchored || released.has(person.id)) continue;
    released.add(person.id);
    bundles.push(afterRelease(random, person, encounter));
  }
  const detained = new Set<string>();
  for (const transfer of builder.transfers) {
    const person = builder.person(transfer.personId);
    if (person.anchored || transfer.fromOrg === ICE_CUSTODY_ORG || detained.has(person.id)) continue;
    detained.add(person.id);
    if (transfer.completedAt !== null && (person.protected1367 || random.chance(0.3))) bundles.push(inCustody(random, person, transfer, transfer.completedAt));
    if (transfer.cancelledAt !== null && random.chance(0.5)) bundles.push(releasedByIce(random, person, transfer, transfer.cancelledAt));
  }

  // Victims first: legal aid's caseload must include people protected by 8 U.S.C. 1367.
  const victims = bundles.filter((bundle) => bundle[0]?.person.protected1367 === true);
  const others = random.shuffle(bundles.filter((bundle) => bundle[0]?.person.protected1367 !== true));
  const room = builder.counts.referrals - builder.referrals.length;
  const cutoff = builder.now.getTime() - HOUR;
  const chosen: ReferralSpec[] = [];
  for (const bundle of [...victims, ...others]) {
    for (const spec of bundle) {
      if (chosen.length >= room || spec.createdAt.getTime() > cutoff) break;
      chosen.push(spec);
    }
    if (chosen.length >= room) break;
  }
  // Referral ids then follow the order the referrals were made in.
  chosen.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  for (const spec of chosen) refer(builder, random, spec);
}

const after = (random: Random, at: Date, minHours: number, maxHours: number): Date =>
  atMinute(at.getTime() + random.float(minHours * HOUR, maxHours * HOUR));

function afterRelease(random: Random, person: PersonDraft, encounter: EncounterRow): Bundle {
  const { sector } = encounter;
  const cbp = encounter.ownerOrg;
  const at = after(random, encounter.occurredAt, 2, 8);
  if (encounter.unaccompaniedMinor) {
    return [spec(person, cbp, 'ngo-desert-refuge', 'CHILD_WELFARE', sector, at, agencyConsent(random, 'CBP'))];
  }
  const bundle: Bundle = [];
  const sheltered = person.protected1367 || random.chance(0.8);
  if (sheltered) bundle.push(spec(person, cbp, 'ngo-desert-refuge', 'SHELTER', sector, at, agencyConsent(random, 'CBP')));
  if (encounter.medicalNeed || random.chance(0.1)) {
    const from = sheltered ? 'ngo-desert-refuge' : cbp;
    bundle.push(spec(person, from, 'ngo-camino-health', 'MEDICAL', sector, after(random, at, 1, 72), medicalConsent(random)));
  }
  if (sheltered && (person.protected1367 || random.chance(0.35))) {
    const legal = spec(person, 'ngo-desert-refuge', 'ngo-frontera-legal', legalService(person), sector, after(random, at, 48, 480), legalConsent(random));
    bundle.push(legal);
    if (random.chance(0.25)) {
      bundle.push(spec(person, 'ngo-frontera-legal', 'ngo-desert-refuge', 'TRANSPORT', sector, after(random, legal.createdAt, 120, 960), noGrant(random)));
    }
  }
  return bundle.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** Legal aid takes a detained person, asked by the shelter or clinic that met the family. */
function inCustody(random: Random, person: PersonDraft, transfer: TransferRow, arrived: Date): Bundle {
  const sector: Sector = facilitySector(transfer.toFacility) ?? 'TUCSON';
  const from = random.chance(0.7) ? 'ngo-desert-refuge' : 'ngo-camino-health';
  return [spec(person, from, 'ngo-frontera-legal', legalService(person), sector, after(random, arrived, 72, 1_440), legalConsent(random))];
}

/** ICE called off the transfer and released the person to the shelter. */
function releasedByIce(random: Random, person: PersonDraft, transfer: TransferRow, releasedAt: Date): Bundle {
  const sector: Sector = facilitySector(transfer.toFacility) ?? 'TUCSON';
  return [spec(person, ICE_CUSTODY_ORG, 'ngo-desert-refuge', 'SHELTER', sector, after(random, releasedAt, 1, 6), agencyConsent(random, 'ICE'))];
}

function spec(
  person: PersonDraft,
  fromOrg: string,
  toOrg: NgoOrg,
  service: ReferralService,
  sector: Sector,
  createdAt: Date,
  consent: ConsentPlan,
): ReferralSpec {
  return { person, fromOrg, toOrg, service, sector, createdAt, consent };
}

const legalService = (person: PersonDraft): ReferralService => (person.protected1367 ? 'TRAFFICKING_SUPPORT' : 'LEGAL');

const state = (random: Random): ConsentState => random.weighted<ConsentState>({ active: 70, revoked: 15, expired: 15 });

const plan = (random: Random, grantees: readonly string[], purposes: readonly Purpose[], notifyTransfers = false): ConsentPlan => ({
  grantees,
  purposes,
  notifyTransfers,
  state: state(random),
});

/** The referring agency asks to coordinate the release; some clients also allow the other DHS component. */
function agencyConsent(random: Random, sender: 'CBP' | 'ICE'): ConsentPlan {
  switch (random.weighted({ sender: 55, both: 20, none: 25 })) {
    case 'sender':
      return plan(random, [sender], ['RELEASE_COORDINATION']);
    case 'both':
      return plan(random, ['CBP', 'ICE'], ['RELEASE_COORDINATION']);
    case 'none':
      return plan(random, [], []);
  }
}

function legalConsent(random: Random): ConsentPlan {
  const notify = random.chance(0.6);
  switch (random.weighted({ none: 50, custodyOffice: 30, ice: 20 })) {
    case 'none':
      return plan(random, [], ['LEGAL_SERVICES'], notify);
    case 'custodyOffice':
      return plan(random, [ICE_CUSTODY_ORG], ['CUSTODY_TRANSFER'], notify);
    case 'ice':
      return plan(random, ['ICE'], ['CUSTODY_TRANSFER', 'RELEASE_COORDINATION'], notify);
  }
}

function medicalConsent(random: Random): ConsentPlan {
  switch (random.weighted({ none: 60, cbp: 20, ice: 20 })) {
    case 'none':
      return plan(random, [], []);
    case 'cbp':
      return plan(random, ['CBP'], ['CUSTODY_TRANSFER']);
    case 'ice':
      return plan(random, ['ICE'], ['CUSTODY_TRANSFER']);
  }
}

const noGrant = (random: Random): ConsentPlan => plan(random, [], []);
