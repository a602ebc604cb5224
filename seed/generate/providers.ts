import type { Sector } from '../../lib/domain.js';
import { DAY, YEAR, atMinute } from '../clock.js';
import type { Random } from '../random.js';
import { DHS, NGO_CLASS, NGO_ORGS, NGO_SECTORS, NGO_SERVICES, PARTNER_CLASS, type NgoOrg, type ReferralService } from '../vocabulary.js';
import type { ProviderRow } from '../world.js';
import type { WorldBuilder } from './builder.js';
import { providerName } from './texts.js';

/**
 * NGO service sites, dealt round-robin over every (NGO, sector it serves) pair, so each NGO
 * has a site in each of its sectors. The first site of a pair offers all the NGO's services,
 * so a referral always finds a provider; later ones specialize.
 */
export function generateProviders(builder: WorldBuilder, random: Random): void {
  const pairs: readonly (readonly [NgoOrg, Sector])[] = NGO_ORGS.flatMap((org) => NGO_SECTORS[org].map((sector) => [org, sector] as const));
  const total = Math.max(builder.counts.providers, pairs.length);
  for (let i = 0; i < total; i += 1) {
    const [org, sector] = pairs[i % pairs.length] as readonly [NgoOrg, Sector];
    const all = NGO_SERVICES[org];
    const services = i < pairs.length ? all : random.sample(all, random.int(1, all.length));
    builder.providers.push(drawProvider(builder, random, org, sector, services));
  }
}

function drawProvider(
  builder: WorldBuilder,
  random: Random,
  org: NgoOrg,
  sector: Sector,
  services: readonly ReferralService[],
): ProviderRow {
  const main = services[0] ?? 'SHELTER';
  // Shelters count beds; legal aid counts open cases and has none; clinics keep a few respite beds.
  const capacity = main === 'SHELTER' || main === 'CHILD_WELFARE' ? random.int(40, 250) : main === 'MEDICAL' ? random.int(20, 80) : random.int(30, 120);
  const beds = main === 'LEGAL' || main === 'TRAFFICKING_SUPPORT' ? 0 : main === 'MEDICAL' ? random.int(0, 8) : random.chance(0.2) ? 0 : random.int(1, capacity);
  const createdAt = atMinute(builder.now.getTime() - random.float(1 * YEAR, 8 * YEAR));
  return {
    id: builder.nextId('provider'),
    ownerOrg: org,
    ownerAgency: 'NGO',
    sensitivity: 'UNCLASSIFIED',
    jurisdictions: [sector],
    // Capacity is HUMANITARIAN information every partner may plan with.
    disseminate: [DHS, PARTNER_CLASS, NGO_CLASS],
    createdAt,
    updatedAt: atMinute(builder.now.getTime() - random.float(DAY, 20 * DAY)),
    name: providerName(random, main, sector),
    services,
    sector,
    capacity,
    bedsAvailable: beds,
  };
}
