import { factsFresh } from '../facts/fresh.js';
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
 * They read only the facts each owner publishes (`<owner>_facts.*`, subgraphs/<owner>/facts.sql):
 * the owner's own tables in its database, or this database's replicated copy (SPEC 1: "never
 * by a query on the owner's tables"). A copy older than FACTS_MAX_LAG_MS reads as the most
 * restrictive value (factsFresh): not linked, protected.
 */

/**
 * Orgs whose own records name this person: the facts behind rules 2, 3 and 4 on persons. A
 * link row with a NULL org (malformed) names nobody; links from a stale owner are left out.
 */
export const linkedOrgs = (personId: Sql): Sql => sql`ARRAY(
  SELECT l.owner_org FROM partner_facts.custody_links l WHERE l.person_id = ${personId} AND l.owner_org IS NOT NULL AND ${factsFresh('partner')}
  UNION SELECT l.from_org FROM ice_facts.transfer_links l WHERE l.person_id = ${personId} AND l.from_org IS NOT NULL AND ${factsFresh('ice')}
  UNION SELECT l.to_org FROM ice_facts.transfer_links l WHERE l.person_id = ${personId} AND l.to_org IS NOT NULL AND ${factsFresh('ice')}
  UNION SELECT l.owner_org FROM cbp_facts.custody_links l WHERE l.person_id = ${personId} AND l.owner_org IS NOT NULL AND ${factsFresh('cbp')}
  UNION SELECT l.from_org FROM ngo_facts.referral_links l WHERE l.person_id = ${personId} AND l.from_org IS NOT NULL AND ${factsFresh('ngo')}
  UNION SELECT l.to_org FROM ngo_facts.referral_links l WHERE l.person_id = ${personId} AND l.to_org IS NOT NULL AND ${factsFresh('ngo')})`;

/**
 * A person's 1367 protection over alias `p` (ICE's own persons table, or the published
 * `ice_facts.persons`): anything but an explicit `false` from fresh ICE facts (a missing row,
 * a NULL flag, a stale copy) reads as protected (rule 6 fails closed).
 */
export const protected1367 = (alias: string): Sql => sql`(${raw(`${alias}.protected1367`)} IS NOT FALSE OR NOT ${factsFresh('ice')})`;

/** The Person policy's columns over ICE's own persons `p` or `ice_facts.persons p` (PolicyAttributes['Person']). */
export const personColumns = (): Record<string, Sql> => ({
  ...metaColumns('p'),
  protected1367: protected1367('p'),
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
      // ICE's published facts (this database's copy when ICE's database is another): a write
      // learns the policy attributes and the flag, never the person's PII.
      select: sql`SELECT p.id, ${protected1367('p')} AS protected1367 FROM ice_facts.persons p`,
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
