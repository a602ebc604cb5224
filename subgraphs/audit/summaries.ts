import { isRecordType, type Category } from '../../lib/domain.js';
import { and, sql, type Queryable } from '../../lib/store/index.js';
import { categoryOf } from '../../lib/access/fields.js';
import { date, int } from '../../lib/audit/entry-row.js';
import { rangeConditions } from './query.js';

/** A time window over `at`: `from` inclusive, `to` exclusive; either open when absent. */
export interface TimeRange {
  readonly from?: Date | null;
  readonly to?: Date | null;
}

export interface OrgDay {
  /** UTC calendar day, YYYY-MM-DD. */
  readonly day: string;
  /** The caller's org; null for accesses without a verified subject. */
  readonly org: string | null;
  readonly accesses: number;
  readonly allowed: number;
  readonly partial: number;
  readonly denied: number;
}

/** Record accesses (reads and writes) per caller org and UTC day, oldest day first. */
export async function accessesPerOrgPerDay(store: Queryable, range: TimeRange = {}): Promise<readonly OrgDay[]> {
  const rows = await store.query(sql`
    SELECT to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, e.subject_org AS org,
           count(*) AS accesses,
           count(*) FILTER (WHERE e.decision = 'ALLOW') AS allowed,
           count(*) FILTER (WHERE e.decision = 'PARTIAL') AS partial,
           count(*) FILTER (WHERE e.decision = 'DENY') AS denied
    FROM audit.access_items e
    WHERE e.action IN ('READ', 'WRITE') AND ${and(rangeConditions(range))}
    GROUP BY 1, 2
    ORDER BY 1, 2 NULLS FIRST`);
  return rows.map((row) => ({
    day: String(row['day']),
    org: typeof row['org'] === 'string' ? row['org'] : null,
    accesses: int(row, 'accesses'),
    allowed: int(row, 'allowed'),
    partial: int(row, 'partial'),
    denied: int(row, 'denied'),
  }));
}

export interface RuleDenials {
  readonly rule: string;
  /** DENY entries that cite the rule. */
  readonly denials: number;
  readonly lastAt: Date;
}

/**
 * Denials per rule id, most frequent first: which rules refuse the most. Rules are not in the
 * per-item index (only what auditors filter on is), so this reads the per-item view over the
 * events of the range (audit.entries), which parses their items.
 */
export async function denialsByRule(store: Queryable, range: TimeRange = {}): Promise<readonly RuleDenials[]> {
  const rows = await store.query(sql`
    SELECT r.rule, count(*) AS denials, max(e.at) AS last_at
    FROM audit.entries e CROSS JOIN LATERAL unnest(e.rules) AS r(rule)
    WHERE e.decision = 'DENY' AND ${and(rangeConditions(range))}
    GROUP BY r.rule
    ORDER BY denials DESC, r.rule`);
  return rows.map((row) => ({ rule: String(row['rule']), denials: int(row, 'denials'), lastAt: date(row, 'last_at') }));
}

export interface PersonAccess {
  readonly subjectSub: string;
  readonly subjectOrg: string;
  readonly agency: string;
  readonly purpose: string | null;
  readonly recordType: string | null;
  readonly recordId: string | null;
  readonly reads: number;
  readonly firstAt: Date;
  readonly lastAt: Date;
}

/**
 * Who was shown something about a person: reads that released at least one field (ALLOW or
 * PARTIAL) of the person's own record or of any record about them (entries whose `person_id`
 * names them), grouped by reader, purpose and record; most recent first.
 */
export async function whoReadPerson(store: Queryable, personId: string, range: TimeRange = {}): Promise<readonly PersonAccess[]> {
  const rows = await store.query(sql`
    SELECT e.subject_sub, e.subject_org, e.agency, e.purpose, e.record_type, e.record_id,
           count(*) AS reads, min(e.at) AS first_at, max(e.at) AS last_at
    FROM audit.access_items e
    WHERE (e.person_id = ${personId} OR (e.record_type = 'Person' AND e.record_id = ${personId}))
      AND e.action = 'READ' AND e.decision IN ('ALLOW', 'PARTIAL') AND e.subject_sub IS NOT NULL
      AND ${and(rangeConditions(range))}
    GROUP BY e.subject_sub, e.subject_org, e.agency, e.purpose, e.record_type, e.record_id
    ORDER BY last_at DESC, e.subject_sub, e.record_type, e.record_id`);
  return rows.map((row) => ({
    subjectSub: String(row['subject_sub']),
    subjectOrg: String(row['subject_org']),
    agency: String(row['agency']),
    purpose: typeof row['purpose'] === 'string' ? row['purpose'] : null,
    recordType: typeof row['record_type'] === 'string' ? row['record_type'] : null,
    recordId: typeof row['record_id'] === 'string' ? row['record_id'] : null,
    reads: int(row, 'reads'),
    firstAt: date(row, 'first_at'),
    lastAt: date(row, 'last_at'),
  }));
}

/** A category no field map names: a redacted field the policy set does not classify (should not happen). */
export const UNCLASSIFIED = 'UNCLASSIFIED';

export interface CategoryRedactions {
  readonly category: Category | typeof UNCLASSIFIED;
  /** Fields withheld from records that were released (PARTIAL entries). */
  readonly fromReleasedRecords: number;
  /** Fields of records withheld whole (DENY entries list every field asked for). */
  readonly fromDeniedRecords: number;
  /** Both. */
  readonly redactions: number;
}

/**
 * Withheld fields per field category (SPEC 4), most withheld first: which kinds of information
 * policy holds back most. Counted per field and record type in SQL, then mapped through the one
 * field→category map (lib/access/fields.ts), so the log never has to store categories. Like
 * denialsByRule, it reads the per-item view (redacted fields are not indexed).
 */
export async function redactionsByCategory(store: Queryable, range: TimeRange = {}): Promise<readonly CategoryRedactions[]> {
  const rows = await store.query(sql`
    SELECT e.record_type, f.field,
           count(*) FILTER (WHERE e.decision <> 'DENY') AS released,
           count(*) FILTER (WHERE e.decision = 'DENY') AS denied
    FROM audit.entries e CROSS JOIN LATERAL unnest(e.fields_redacted) AS f(field)
    WHERE e.action IN ('READ', 'WRITE') AND ${and(rangeConditions(range))}
    GROUP BY e.record_type, f.field`);
  const totals = new Map<CategoryRedactions['category'], { released: number; denied: number }>();
  for (const row of rows) {
    const type = row['record_type'];
    const field = String(row['field']);
    const category = (isRecordType(type) ? categoryOf(type, field) : undefined) ?? UNCLASSIFIED;
    const total = totals.get(category) ?? { released: 0, denied: 0 };
    total.released += int(row, 'released');
    total.denied += int(row, 'denied');
    totals.set(category, total);
  }
  return [...totals]
    .map(([category, { released, denied }]) => ({ category, fromReleasedRecords: released, fromDeniedRecords: denied, redactions: released + denied }))
    .sort((a, b) => b.redactions - a.redactions || a.category.localeCompare(b.category));
}
