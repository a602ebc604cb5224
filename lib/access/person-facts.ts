import { bool, text } from '../store/row.js';
import { raw, sql, type Sql } from '../store/sql.js';
import { recordSubject, type SubjectIdentity, type SubjectIdentityInput } from '../subject-identity.js';
import { readableRecord, type WriteContext } from './named-record.js';
import { metaColumns } from './record-meta.js';

/**
 * The Person policy's facts as SQL: who may read one of ICE's persons depends on the custody
 * links other agencies' records make (SPEC 5 rules 2-4, "Cross-agency policy facts"). ICE's
 * reads and every other subgraph's writes that name a person use these same expressions, so
 * the two can never disagree about who sees a person.
 *
 * This is the one place that reads other agencies' tables for a person's facts. When owners
 * publish those facts (SPEC 1: "never by a query on the owner's tables"), this file alone
 * changes to read the published copy.
 */

/** Orgs whose own records name this person: the facts behind rules 2, 3 and 4 on persons. */
export const linkedOrgs = (personId: Sql): Sql => sql`ARRAY(
  SELECT b.owner_org FROM partner.bookings b WHERE b.person_id = ${personId}
  UNION SELECT t.from_org FROM ice.transfers t WHERE t.person_id = ${personId}
  UNION SELECT t.to_org FROM ice.transfers t WHERE t.person_id = ${personId}
  UNION SELECT e.owner_org FROM cbp.encounters e WHERE e.person_id = ${personId}
  UNION SELECT r.from_org FROM ngo.referrals r WHERE r.person_id = ${personId}
  UNION SELECT r.to_org FROM ngo.referrals r WHERE r.person_id = ${personId})`;

/** The Person policy's columns over `ice.persons p` (PolicyAttributes['Person']). */
export const personColumns = (): Record<string, Sql> => ({
  ...metaColumns('p'),
  protected1367: raw('p.protected1367'),
  linkedOrgs: linkedOrgs(raw('p.id')),
});

/** What a write learns of a person it names: the id, and the 1367 flag a referral's sensitivity follows. Never PII. */
export interface NamedPerson {
  readonly id: string;
  readonly protected1367: boolean;
}

/**
 * The person a write names, when its author can already read that person (rules 1-4 by
 * id, as ICE would decide a read); otherwise the same BAD_USER_INPUT as an unknown id.
 * A write that could name anyone would link its author to anyone, and the link is what
 * grants the read (linkedOrgs): the whole table could be walked by sequential ids.
 */
export function readablePerson(context: WriteContext, id: string, argument: string): Promise<NamedPerson> {
  return readableRecord(
    context,
    { type: 'Person', id, argument },
    {
      select: sql`SELECT p.id, p.protected1367 FROM ice.persons p`,
      idColumn: raw('p.id'),
      columns: personColumns(),
      read: (row) => ({ id: text(row, 'id'), protected1367: bool(row, 'protected1367') }),
    },
  );
}

/** Who a new record is about, as it is stored: a person link, or the identity its author holds. */
export interface StoredSubject {
  readonly personId: string | null;
  readonly subject: SubjectIdentity | null;
}

/**
 * `personId` or `subject` of a write (exactly one, `recordSubject`), with the person checked
 * readable by its author; an identity is stored on the record alone and links to no person,
 * so the write grants no read of ICE's Person (SPEC 5, writes never widen reads).
 */
export async function storedSubject(
  context: WriteContext,
  input: { readonly personId?: string | null; readonly subject?: SubjectIdentityInput | null },
  now: Date,
): Promise<StoredSubject> {
  const subject = recordSubject(input, now);
  if (subject.kind === 'identity') return { personId: null, subject: subject.identity };
  const person = await readablePerson(context, subject.personId, 'personId');
  return { personId: person.id, subject: null };
}

/** The subject columns of an INSERT, in the order `subjectValues` fills them. */
export const SUBJECT_INSERT_COLUMNS: Sql = raw('person_id, subject_name, subject_date_of_birth, subject_nationality');

export const subjectValues = ({ personId, subject }: StoredSubject): Sql =>
  sql`${personId}, ${subject?.name ?? null}, ${subject?.dateOfBirth ?? null}::date, ${subject?.nationality ?? null}`;
