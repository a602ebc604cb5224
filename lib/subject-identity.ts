import { badInput } from './errors.js';
import { calendarDateOrNull, textOrNull } from './store/row.js';
import type { Row } from './store/store.js';
import { optionalText, requireText } from './validate.js';

/**
 * The identity an author holds for someone it records (a jail booking, a border encounter) but
 * cannot read in ICE's records yet (SPEC 5: "A 287(g) partner booking someone it cannot yet
 * read supplies the identity it holds"). It is PII of the author's own record, stored in the
 * author's own table, and nothing more: no link to ICE's Person is made by the write, so the
 * write widens no read. Matching it to ICE's Person is ICE's job and is not built here; when it
 * is, the match must reveal nothing back to the author.
 */
export interface SubjectIdentity {
  readonly name: string;
  /** Calendar date `YYYY-MM-DD`, already checked by the Date scalar. */
  readonly dateOfBirth: string | null;
  readonly nationality: string | null;
}

export interface SubjectIdentityInput {
  readonly name: string;
  readonly dateOfBirth?: string | null;
  readonly nationality?: string | null;
}

/** Who a new record is about: a person the author can read, or the identity it holds. */
export type RecordSubject =
  | { readonly kind: 'person'; readonly personId: string }
  | { readonly kind: 'identity'; readonly identity: SubjectIdentity };

/**
 * Exactly one of `personId` and `subject`, checked before anything is read: the answer to a
 * request that names both, or neither, never depends on the person named.
 */
export function recordSubject(
  input: { readonly personId?: string | null; readonly subject?: SubjectIdentityInput | null },
  now: Date,
): RecordSubject {
  const { personId, subject } = input;
  const hasPerson = personId !== null && personId !== undefined;
  const hasSubject = subject !== null && subject !== undefined;
  if (hasPerson === hasSubject) {
    throw badInput('give exactly one of personId (a person you can read) and subject (the identity you hold)', {
      argument: hasPerson ? 'subject' : 'personId',
    });
  }
  if (hasPerson) return { kind: 'person', personId };
  const dateOfBirth = subject?.dateOfBirth ?? null;
  if (dateOfBirth !== null && dateOfBirth > now.toISOString().slice(0, 10)) {
    throw badInput(`subject.dateOfBirth ${dateOfBirth} is in the future`, { argument: 'subject.dateOfBirth' });
  }
  return {
    kind: 'identity',
    identity: {
      name: requireText('subject.name', subject?.name, 200),
      dateOfBirth,
      nationality: optionalText('subject.nationality', subject?.nationality, 80),
    },
  };
}

/** The identity stored on a record (`subject_*` columns), or null when the record names a person. */
export function readSubjectIdentity(row: Row): SubjectIdentity | null {
  const name = textOrNull(row, 'subject_name');
  if (name === null) return null;
  return { name, dateOfBirth: calendarDateOrNull(row, 'subject_date_of_birth'), nationality: textOrNull(row, 'subject_nationality') };
}
