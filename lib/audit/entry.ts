import { AuditActionValues, AuditDecisionValues, type AuditAction, type AuditDecision } from '../../schema/generated/enums.js';
import { isOneOf, SERVICES, type ServiceName } from '../domain.js';

/**
 * What an audit entry records (SPEC section 6): one access to one record, one authentication
 * attempt, one request, one read of the audit log itself.
 */
export const AUDIT_ACTIONS = AuditActionValues;
export type { AuditAction };
export const isAuditAction = isOneOf(AUDIT_ACTIONS);

/** Both are the audit API's enums (schema/audit.graphql), generated into schema/generated/enums.ts. */
export const AUDIT_DECISIONS = AuditDecisionValues;
export type { AuditDecision };
export const isAuditDecision = isOneOf(AUDIT_DECISIONS);

const isServiceName = isOneOf(SERVICES);

/** The verified caller, as far as the audit log needs it. */
export interface AuditSubject {
  readonly iss: string;
  readonly sub: string;
  readonly agency: string;
  readonly org: string;
  readonly roles: readonly string[];
}

/** One entry as a service hands it to the writer. */
export interface AuditEntryInput {
  /** When the access happened; default: when `append` was called. */
  readonly at?: Date;
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  /**
   * The verified subject. `null` when no subject was verified (an authentication failure): then
   * NOTHING the unverified token claimed is stored, and `reason` must say why it was refused.
   */
  readonly subject: AuditSubject | null;
  readonly purpose: string | null;
  readonly justification: string | null;
  readonly action: AuditAction;
  readonly recordType: string | null;
  readonly recordId: string | null;
  readonly ownerOrg: string | null;
  /** The person the record is about (a Person's own id): lets auditors ask who saw a person. */
  readonly personId?: string | null;
  readonly fieldsReleased: readonly string[];
  readonly fieldsRedacted: readonly string[];
  readonly decision: AuditDecision;
  /** Every rule id behind the decision. */
  readonly rules: readonly string[];
  readonly service: ServiceName;
  readonly reason: string | null;
}

/** An entry's content exactly as stored and hashed: every optional filled, every string normalized. */
export interface AuditContent {
  readonly at: Date;
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  readonly subject: AuditSubject | null;
  readonly purpose: string | null;
  readonly justification: string | null;
  readonly action: AuditAction;
  readonly recordType: string | null;
  readonly recordId: string | null;
  readonly ownerOrg: string | null;
  readonly personId: string | null;
  readonly fieldsReleased: readonly string[];
  readonly fieldsRedacted: readonly string[];
  readonly decision: AuditDecision;
  readonly rules: readonly string[];
  readonly service: ServiceName;
  readonly reason: string | null;
}

/**
 * A stored entry: one ITEM of an audit event (event-format.ts) with its event's header, i.e. one
 * record's access as the API answers it (an AccessEvent).
 */
export interface AuditEntry extends AuditContent {
  /** `<chain>:<seq>.<item>` (event-format.ts itemId): stable, and names a position even when the event was removed. */
  readonly id: string;
  readonly chain: string;
  /** The event's position in the chain, from 1, without gaps. */
  readonly seq: number;
  /** The item's index in its event, from 0. */
  readonly item: number;
  /** Items in the event (the entry view shows the others' count). */
  readonly itemCount: number;
  /** The EVENT's links (SPEC 7: an AccessEvent's hash and prevHash are its event's). */
  readonly prevHash: string;
  readonly hash: string;
}

/** `<chain>:<seq>`: an EVENT's position (where verification says a chain breaks). */
export const entryId = (chain: string, seq: number): string => `${chain}:${seq}`;

/** Chain ids end up in entry ids (`chain:seq`) and lock keys: short, lower-case, no colon. */
export const CHAIN_ID = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

/**
 * Validates an input entry and turns it into the content that will be hashed and stored.
 * Throws a TypeError naming the bad member. Strings are made storable exactly as hashed: a NUL
 * (which PostgreSQL text refuses) or a lone UTF-16 surrogate (which the driver would silently
 * replace, breaking the hash) becomes U+FFFD, so one odd value from a caller can neither fail a
 * whole group commit nor make an honest entry look tampered.
 */
export function normalizeEntry(input: AuditEntryInput, now: Date): AuditContent {
  return normalizeOne(input, now, undefined);
}

/**
 * normalizeEntry over one append's entries. A page's entries share one subject object and
 * (without `at`) one time: those are validated and copied once per call, not once per record,
 * which was most of the garbage the writer made per record.
 */
export function normalizeEntries(inputs: readonly AuditEntryInput[], now: Date): AuditContent[] {
  const shared: SharedParts = { input: undefined, subject: null, at: new Date(now.getTime()), lists: new Map(), texts: new Map() };
  const contents = new Array<AuditContent>(inputs.length);
  for (let i = 0; i < inputs.length; i += 1) contents[i] = normalizeOne(inputs[i] as AuditEntryInput, now, shared);
  return contents;
}

/**
 * What the entries of one call share, by identity: the last subject seen and its copy, the
 * call's default time, and each string list's copy (the access funnel hands every record with
 * the same outcome the same released/redacted/rules arrays). Identity is enough: nothing can
 * change a caller's object between two entries of one synchronous call.
 */
interface SharedParts {
  input: AuditSubject | undefined;
  subject: AuditSubject | null;
  readonly at: Date;
  readonly lists: Map<unknown, readonly string[]>;
  /** The call's header texts already checked, each by the input string it came from. */
  readonly texts: Map<string, string>;
}

function normalizeOne(input: AuditEntryInput, now: Date, shared: SharedParts | undefined): AuditContent {
  const at = input.at ?? now;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError(`audit entry: "at" must be a valid Date, got ${String(at)}`);
  if (!isAuditAction(input.action)) throw new TypeError(`audit entry: unknown action ${JSON.stringify(input.action)}`);
  if (!isAuditDecision(input.decision)) throw new TypeError(`audit entry: unknown decision ${JSON.stringify(input.decision)}`);
  if (!isServiceName(input.service)) throw new TypeError(`audit entry: unknown service ${JSON.stringify(input.service)}`);
  const requestId = headerText(input.requestId, 'requestId', shared);
  if (requestId === '') throw new TypeError('audit entry: "requestId" must not be empty');
  let subject: AuditSubject | null;
  if (input.subject === null) subject = null;
  else if (shared !== undefined && shared.input === input.subject) subject = shared.subject;
  else {
    subject = normalizeSubject(input.subject);
    if (shared !== undefined) {
      shared.input = input.subject;
      shared.subject = subject;
    }
  }
  const reason = optionalHeaderText(input.reason, 'reason', shared);
  if (subject === null && reason === null) {
    throw new TypeError('audit entry: an entry without a verified subject must give a reason');
  }
  return {
    // The call's own copy of `now` when the entry gives no time: nobody else holds it.
    at: input.at === undefined && shared !== undefined ? shared.at : new Date(at.getTime()),
    requestId,
    operationName: optionalHeaderText(input.operationName, 'operationName', shared),
    operationHash: optionalHeaderText(input.operationHash, 'operationHash', shared),
    subject,
    purpose: optionalHeaderText(input.purpose, 'purpose', shared),
    justification: optionalHeaderText(input.justification, 'justification', shared),
    action: input.action,
    recordType: optionalHeaderText(input.recordType, 'recordType', shared),
    recordId: optionalText(input.recordId, 'recordId'),
    ownerOrg: optionalHeaderText(input.ownerOrg, 'ownerOrg', shared),
    personId: optionalText(input.personId ?? null, 'personId'),
    fieldsReleased: sharedTexts(input.fieldsReleased, 'fieldsReleased', shared),
    fieldsRedacted: sharedTexts(input.fieldsRedacted, 'fieldsRedacted', shared),
    decision: input.decision,
    rules: sharedTexts(input.rules, 'rules', shared),
    service: input.service,
    reason,
  };
}

function normalizeSubject(subject: AuditSubject): AuditSubject {
  if (typeof subject !== 'object' || subject === null) throw new TypeError('audit entry: "subject" must be an object or null');
  return {
    iss: text(subject.iss, 'subject.iss'),
    sub: text(subject.sub, 'subject.sub'),
    agency: text(subject.agency, 'subject.agency'),
    org: text(subject.org, 'subject.org'),
    roles: texts(subject.roles, 'subject.roles'),
  };
}

// NUL, and UTF-16 surrogates without their partner. SUSPECT is the cheap test run on every string.
const SUSPECT = /[\u0000\ud800-\udfff]/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function storable(value: string): string {
  return SUSPECT.test(value) ? value.replace(UNSTORABLE, '\ufffd') : value;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`audit entry: "${name}" must be a string, got ${typeof value}`);
  return storable(value);
}

function optionalText(value: unknown, name: string): string | null {
  return value === null || value === undefined ? null : text(value, name);
}

/**
 * text() for the members a page's entries repeat (request, operation, purpose, record type,
 * reason, owner): each distinct string is checked once per call, not once per record. A string
 * is a value, so the same text always gives the same storable text.
 */
function headerText(value: unknown, name: string, shared: SharedParts | undefined): string {
  if (shared === undefined || typeof value !== 'string') return text(value, name);
  let checked = shared.texts.get(value);
  if (checked === undefined) {
    checked = storable(value);
    shared.texts.set(value, checked);
  }
  return checked;
}

function optionalHeaderText(value: unknown, name: string, shared: SharedParts | undefined): string | null {
  return value === null || value === undefined ? null : headerText(value, name, shared);
}

function sharedTexts(value: unknown, name: string, shared: SharedParts | undefined): readonly string[] {
  if (shared === undefined) return texts(value, name);
  let copy = shared.lists.get(value);
  if (copy === undefined) {
    copy = texts(value, name);
    shared.lists.set(value, copy);
  }
  return copy;
}

function texts(value: unknown, name: string): readonly string[] {
  if (!Array.isArray(value)) throw new TypeError(`audit entry: "${name}" must be an array of strings`);
  // A copy (the caller may change its array later), by one native slice when every element is
  // already storable, the common case; the element's name is only built for an error.
  let clean = true;
  for (let i = 0; i < value.length; i += 1) {
    const item: unknown = value[i];
    if (typeof item !== 'string') throw new TypeError(`audit entry: "${name}[${i}]" must be a string, got ${typeof item}`);
    if (SUSPECT.test(item)) clean = false;
  }
  return clean ? (value.slice() as string[]) : value.map((item: string) => storable(item));
}
