import type { GraphQLResolveInfo } from 'graphql';
import { isOneOf, isSector } from '../../lib/domain.js';
import type { Released } from '../../lib/access/released.js';
import { badInput } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { optionalText, requireText } from '../../lib/validate.js';
import { SUBJECT_INSERT_COLUMNS, storedSubject, subjectValues } from '../../lib/access/person-facts.js';
import { META_INSERT_COLUMNS, metaValues } from '../../lib/access/record-meta.js';
import { sql } from '../../lib/store/sql.js';
import { EncounterDispositionValues, type MutationRecordEncounterArgs } from '../../schema/generated/cbp.js';
import type { CbpContext } from './loaders.js';
import type { EncounterRecord } from './records.js';
import { visibleRoute } from './write-access.js';

// GraphQL refuses an unknown enum value already; a direct caller is checked all the same.
const isDisposition = isOneOf(EncounterDispositionValues);

/**
 * `recordEncounter`: every argument is checked, and the person and route looked up, before
 * anything is written; rule 9 (only CBP records encounters) is the policy's `canWrite`, asked
 * with the record as it would be stored, and the sector must be one of the caller's.
 *
 * Writes never widen reads (SPEC 5): `personId` and `routeId` must name records the caller can
 * already read (else the same "not found" as unknown ids); someone the caller cannot read yet is
 * recorded under the identity the agent holds (`subject`), stored on the encounter alone with no
 * person link, so the encounter grants no read of ICE's Person and the answer shows `person: null`.
 */
export async function recordEncounter(
  _: unknown,
  args: MutationRecordEncounterArgs,
  context: CbpContext,
  info: GraphQLResolveInfo,
): Promise<Released<EncounterRecord>> {
  const { input } = args;
  const { principal, now } = context;
  // The SDL's enums already admit only these values; narrowing here keeps the record typed.
  if (!isSector(input.sector)) throw badInput(`sector must be a Border Patrol sector, got "${String(input.sector).slice(0, 40)}"`, { argument: 'sector' });
  if (!isDisposition(input.disposition)) {
    throw badInput(`disposition must be one of ${EncounterDispositionValues.join(', ')}`, { argument: 'disposition' });
  }
  const station = requireText('station', input.station, 120);
  const medicalSummary = optionalText('medicalSummary', input.medicalSummary, 2000);
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt.getTime() > now.getTime()) throw badInput('occurredAt is in the future', { argument: 'occurredAt' });

  const { personId, subject } = await storedSubject(context, input, now);
  // A route the caller may not see reads as not found: the mutation is no oracle for route ids.
  const route = input.routeId ? await visibleRoute(context, input.routeId, 'routeId') : null;

  const record: EncounterRecord = {
    id: newId('E'),
    ownerOrg: principal.org,
    ownerAgency: principal.agency,
    sensitivity: 'LAW_ENFORCEMENT_SENSITIVE',
    jurisdictions: [input.sector],
    // Rule 2: the other DHS component (ICE) reads encounters, e.g. to take custody.
    disseminate: ['DHS'],
    createdAt: now,
    updatedAt: now,
    personId,
    subject,
    occurredAt,
    sector: input.sector,
    station,
    routeId: route?.id ?? null,
    disposition: input.disposition,
    unaccompaniedMinor: input.unaccompaniedMinor ?? false,
    familyUnit: input.familyUnit ?? false,
    medicalNeed: input.medicalNeed ?? false,
    medicalSummary,
  };
  await context.access.authorizeNewRecord('create', 'Encounter', record);
  await context.store.query(sql`INSERT INTO cbp.encounters
    (${META_INSERT_COLUMNS}, ${SUBJECT_INSERT_COLUMNS}, occurred_at, sector, station, route_id, disposition, unaccompanied_minor,
     family_unit, medical_need, medical_summary)
    VALUES (${metaValues(record)}, ${subjectValues(record)}, ${occurredAt}, ${record.sector}, ${station}, ${record.routeId},
     ${record.disposition}, ${record.unaccompaniedMinor}, ${record.familyUnit}, ${record.medicalNeed}, ${medicalSummary})`);
  return context.access.releaseWritten('Encounter', record, info);
}
