import { DAY, atMinute } from '../clock.js';
import type { Random } from '../random.js';
import { DHS, ICE_CUSTODY_ORG, type TransferStatus } from '../vocabulary.js';
import type { PersonDraft, WorldBuilder } from './builder.js';
import { drawFacility, facilitySector } from './places.js';
import { requestTransfer } from './records.js';
import { MEDICAL_SUMMARIES, TRANSFER_REASONS } from './texts.js';

/**
 * ICE moving detainees between its facilities, to bring transfers up to their target. Each
 * person's moves form a chain: a move starts at the facility the previous one reached, after
 * it arrived; a chain ends with a move still under way or when it would run past "now".
 */

interface InCustody {
  readonly person: PersonDraft;
  facility: string;
  since: Date;
}

export function generateMovements(builder: WorldBuilder, random: Random): void {
  const { now, counts } = builder;
  let queue: InCustody[] = builder.transfers
    .filter((transfer) => transfer.status === 'COMPLETED' && transfer.completedAt !== null && !builder.person(transfer.personId).anchored)
    .map((transfer) => ({ person: builder.person(transfer.personId), facility: transfer.toFacility, since: transfer.completedAt ?? now }));

  while (builder.transfers.length < counts.transfers && queue.length > 0) {
    const still: InCustody[] = [];
    for (const stay of queue) {
      if (builder.transfers.length >= counts.transfers) break;
      const requestedAt = atMinute(stay.since.getTime() + random.float(3 * DAY, 60 * DAY));
      // Steps after a request take under two days; anything later could not have happened yet.
      if (requestedAt.getTime() > now.getTime() - 2 * DAY) continue;
      const recent = requestedAt.getTime() > now.getTime() - 7 * DAY;
      const status = recent
        ? random.weighted<TransferStatus>({ REQUESTED: 4, ACCEPTED: 3, IN_TRANSIT: 3 })
        : random.weighted<TransferStatus>({ COMPLETED: 9, CANCELLED: 1 });
      const transfer = requestTransfer(builder, random, {
        person: stay.person,
        owner: { org: ICE_CUSTODY_ORG, agency: 'ICE' },
        fromOrg: ICE_CUSTODY_ORG,
        fromFacility: stay.facility,
        to: drawFacility(random, facilitySector(stay.facility) ?? 'TUCSON', stay.facility),
        requestedAt,
        status,
        reason: random.pick(TRANSFER_REASONS.internal),
        medicalSummary: random.chance(0.1) ? random.pick(MEDICAL_SUMMARIES) : null,
        // A few internal moves stay within ICE: the owner-only side of rule 2.
        disseminate: random.chance(0.9) ? [DHS] : [],
        origin: [facilitySector(stay.facility) ?? 'TUCSON'],
      });
      if (recent) continue;
      if (transfer.completedAt !== null) stay.facility = transfer.toFacility;
      stay.since = transfer.completedAt ?? transfer.cancelledAt ?? requestedAt;
      still.push(stay);
    }
    queue = still;
  }
}
