import { and, raw, sql, type Queryable, type Row, type Sql } from '../../lib/store/index.js';
import { factsFresh } from '../../lib/facts/fresh.js';
import type { AuditEntry } from '../../lib/audit/entry.js';
import { date, ENTRY_COLUMNS, int, parseEntryRow } from '../../lib/audit/entry-row.js';
import { rangeConditions } from './query.js';
import type { TimeRange } from './summaries.js';

/**
 * Patterns in the access log an auditor should look at first. Each is computed from the log
 * alone, except PROTECTED_PERSON_ACCESS, which needs to know who is protected (ice_facts.persons).
 *
 * What is NOT here, on purpose: "reads outside the subject's jurisdictions". An entry does not
 * record the caller's jurisdictions (only iss, sub, agency, org and roles), so such reads cannot
 * be told from the log honestly. The policy denies them (rule 1 reads only in the caller's
 * jurisdictions), so attempts surface as denials: DENIAL_BURST and the denials-by-rule summary.
 */
export const ANOMALY_KINDS = ['HEAVY_READER', 'DENIAL_BURST', 'PROTECTED_PERSON_ACCESS'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface AnomalySubject {
  readonly sub: string;
  readonly org: string;
  readonly agency: string;
}

/** Something in the log worth a look. */
export interface AnomalyFinding {
  readonly kind: AnomalyKind;
  /** Null for entries without a verified subject (refused tokens). */
  readonly subject: AnomalySubject | null;
  readonly count: number;
  readonly firstAt: Date;
  readonly lastAt: Date;
  readonly explanation: string;
  /** A few of the entries behind the finding, newest first. */
  readonly examples: readonly AuditEntry[];
}

/** A check that could not run here, and why: an auditor must not read its absence as "all clear". */
export interface SkippedCheck {
  readonly kind: 'CHECK_SKIPPED';
  readonly check: AnomalyKind;
  readonly explanation: string;
}

export type Anomaly = AnomalyFinding | SkippedCheck;

export interface AnomalyThresholds {
  /** HEAVY_READER: more distinct records than this many times the median of its agency's other readers... */
  readonly heavyReaderFactor: number;
  /** ...and at least this many. */
  readonly heavyReaderMinRecords: number;
  /** DENIAL_BURST: at least this many DENY entries... */
  readonly burstDenials: number;
  /** ...within this many milliseconds. */
  readonly burstWindowMs: number;
  /** Example entries per finding. */
  readonly examples: number;
}

export const ANOMALY_THRESHOLDS: AnomalyThresholds = {
  heavyReaderFactor: 3,
  heavyReaderMinRecords: 50,
  burstDenials: 10,
  burstWindowMs: 60_000,
  examples: 5,
};

/** Every check over the time range; findings by kind, largest first, then the checks that could not run. */
export async function detectAnomalies(store: Queryable, range: TimeRange = {}, thresholds: AnomalyThresholds = ANOMALY_THRESHOLDS): Promise<readonly Anomaly[]> {
  const results = await Promise.all([heavyReaders(store, range, thresholds), denialBursts(store, range, thresholds), protectedPersonAccess(store, range, thresholds)]);
  const all = results.flat();
  const findings = all.filter((anomaly): anomaly is AnomalyFinding => anomaly.kind !== 'CHECK_SKIPPED');
  const skipped = all.filter((anomaly): anomaly is SkippedCheck => anomaly.kind === 'CHECK_SKIPPED');
  findings.sort((a, b) => ANOMALY_KINDS.indexOf(a.kind) - ANOMALY_KINDS.indexOf(b.kind) || b.count - a.count || b.lastAt.getTime() - a.lastAt.getTime());
  return [...findings, ...skipped];
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

const subjectOf = (row: Row): AnomalySubject | null =>
  typeof row['sub'] === 'string' ? { sub: row['sub'], org: String(row['org'] ?? ''), agency: String(row['agency'] ?? '') } : null;

async function examples(store: Queryable, conditions: readonly Sql[], limit: number): Promise<readonly AuditEntry[]> {
  const rows = await store.query(sql`
    SELECT ${ENTRY_COLUMNS} FROM audit.entries e
    WHERE ${and(conditions)}
    ORDER BY e.at DESC, e.chain DESC, e.seq DESC
    LIMIT ${limit}`);
  return rows.map(parseEntryRow);
}

const RELEASED_READ = sql`e.action = 'READ' AND e.decision IN ('ALLOW', 'PARTIAL')`;

/** A subject reading far more distinct records than the other readers of its agency. */
async function heavyReaders(store: Queryable, range: TimeRange, thresholds: AnomalyThresholds): Promise<readonly Anomaly[]> {
  const rows = await store.query(sql`
    SELECT e.subject_sub AS sub, max(e.subject_org) AS org, max(e.agency) AS agency,
           count(DISTINCT coalesce(e.record_type, '') || ':' || coalesce(e.record_id, '')) AS records,
           min(e.at) AS first_at, max(e.at) AS last_at
    FROM audit.entries e
    WHERE ${RELEASED_READ} AND e.subject_sub IS NOT NULL AND ${and(rangeConditions(range))}
    GROUP BY e.subject_sub`);
  const readers = rows.map((row) => ({ row, subject: subjectOf(row), records: int(row, 'records') }));
  const findings: AnomalyFinding[] = [];
  for (const reader of readers) {
    const { subject } = reader;
    if (subject === null || reader.records < thresholds.heavyReaderMinRecords) continue;
    const peers = readers.filter((other) => other.subject?.agency === subject.agency && other.subject.sub !== subject.sub).map((other) => other.records);
    // Without peers there is nothing to compare with: one reader alone is not "far more than its peers".
    if (peers.length === 0) continue;
    const typical = median(peers);
    if (reader.records <= thresholds.heavyReaderFactor * typical) continue;
    const ratio = typical === 0 ? '' : `, ${(reader.records / typical).toFixed(1)}× the median of its ${peers.length} peer${peers.length === 1 ? '' : 's'} at ${subject.agency} (${typical})`;
    findings.push({
      kind: 'HEAVY_READER',
      subject,
      count: reader.records,
      firstAt: date(reader.row, 'first_at'),
      lastAt: date(reader.row, 'last_at'),
      explanation: `Read ${reader.records} distinct records${ratio}.`,
      examples: await examples(store, [RELEASED_READ, sql`e.subject_sub = ${subject.sub}`, ...rangeConditions(range)], thresholds.examples),
    });
  }
  return findings;
}

/** A subject (or anonymous callers, taken together) refused many times within a short window. */
async function denialBursts(store: Queryable, range: TimeRange, thresholds: AnomalyThresholds): Promise<readonly Anomaly[]> {
  const windowMs = thresholds.burstWindowMs;
  if (!Number.isSafeInteger(windowMs) || windowMs < 1) throw new RangeError(`burstWindowMs must be a positive whole number, got ${windowMs}`);
  // Trusted text: a validated integer. Timestamps have millisecond precision, so "within a
  // window of W ms" is the frame [at, at + W - 1 ms].
  const frame = raw(`RANGE BETWEEN CURRENT ROW AND interval '${windowMs - 1} milliseconds' FOLLOWING`);
  const rows = await store.query(sql`
    WITH d AS (
      SELECT e.subject_sub, e.subject_org, e.agency, e.at,
             count(*) OVER w AS in_window, max(e.at) OVER w AS window_end
      FROM audit.entries e
      WHERE e.decision = 'DENY' AND ${and(rangeConditions(range))}
      WINDOW w AS (PARTITION BY e.subject_sub ORDER BY e.at ${frame})
    )
    SELECT DISTINCT ON (d.subject_sub) d.subject_sub AS sub, d.subject_org AS org, d.agency,
           d.at AS first_at, d.window_end AS last_at, d.in_window
    FROM d
    WHERE d.in_window >= ${thresholds.burstDenials}
    ORDER BY d.subject_sub, d.in_window DESC, d.at`);
  const seconds = windowMs % 1000 === 0 ? `${windowMs / 1000} s` : `${windowMs} ms`;
  return Promise.all(
    rows.map(async (row): Promise<AnomalyFinding> => {
      const subject = subjectOf(row);
      const firstAt = date(row, 'first_at');
      const lastAt = date(row, 'last_at');
      const count = int(row, 'in_window');
      const who = subject === null ? sql`e.subject_sub IS NULL` : sql`e.subject_sub = ${subject.sub}`;
      const inWindow = [sql`e.decision = 'DENY'`, who, sql`e.at >= ${firstAt}`, sql`e.at <= ${lastAt}`];
      // One request can be refused many records at once (a list's nested entities): say how many
      // requests the denials came from, so an auditor can tell a probe from one broad query.
      const [requests] = await store.query(sql`SELECT count(DISTINCT e.request_id) AS requests FROM audit.entries e WHERE ${and(inWindow)}`);
      const requestCount = requests === undefined ? 0 : int(requests, 'requests');
      const across = `across ${requestCount} request${requestCount === 1 ? '' : 's'}`;
      return {
        kind: 'DENIAL_BURST',
        subject,
        count,
        firstAt,
        lastAt,
        explanation:
          subject === null
            ? `${count} refusals of callers without a valid token within ${seconds} (${across}): expired or forged tokens, or someone guessing.`
            : `${count} denials within ${seconds} (${across}): probing for records beyond its grants? The log does not record jurisdictions, so reads outside a subject's jurisdictions show up as denials like these.`,
        examples: await examples(store, inWindow, thresholds.examples),
      };
    }),
  );
}

/**
 * Records about persons protected under 8 U.S.C. 1367 released to anyone but an NGO (NGOs must
 * know and serve their clients; enforcement agencies may see a protected person's core record,
 * but every such access deserves review). Who is protected is ICE's published fact
 * (`ice_facts.persons`: ICE's own table when both share a database, a replicated copy
 * otherwise); a malformed flag counts as protected (more to review, never less). While the
 * copy is stale or absent the check says it was skipped rather than report nothing.
 */
async function protectedPersonAccess(store: Queryable, range: TimeRange, thresholds: AnomalyThresholds): Promise<readonly Anomaly[]> {
  const skipped = (why: string): SkippedCheck => ({
    kind: 'CHECK_SKIPPED',
    check: 'PROTECTED_PERSON_ACCESS',
    explanation: `Access to protected persons' records was not checked: ${why}`,
  });
  let rows: Row[];
  try {
    const [present] = await store.query(sql`SELECT to_regclass('ice_facts.persons') IS NOT NULL AS present`);
    if (present?.['present'] !== true) return [skipped('the audit store holds no copy of ICE\'s published person facts (ice_facts.persons).')];
    const [fresh] = await store.query(sql`SELECT ${factsFresh('ice')} AS fresh`);
    if (fresh?.['fresh'] !== true) return [skipped('the audit store\'s copy of ICE\'s person facts is older than FACTS_MAX_LAG_MS.')];
    rows = await store.query(sql`
      SELECT e.subject_sub AS sub, max(e.subject_org) AS org, max(e.agency) AS agency,
             count(*) AS accesses, count(DISTINCT e.person_id) AS persons, min(e.at) AS first_at, max(e.at) AS last_at
      FROM audit.entries e JOIN ice_facts.persons p ON p.id = e.person_id
      WHERE p.protected1367 IS NOT FALSE AND e.action IN ('READ', 'WRITE') AND e.decision IN ('ALLOW', 'PARTIAL')
        AND e.subject_sub IS NOT NULL AND e.agency <> 'NGO' AND ${and(rangeConditions(range))}
      GROUP BY e.subject_sub`);
  } catch (error) {
    return [skipped(`ice_facts.persons could not be read (${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}).`)];
  }
  return Promise.all(
    rows.map(async (row): Promise<AnomalyFinding> => {
      const subject = subjectOf(row);
      const accesses = int(row, 'accesses');
      const persons = int(row, 'persons');
      const who = subject === null ? sql`e.subject_sub IS NULL` : sql`e.subject_sub = ${subject.sub}`;
      return {
        kind: 'PROTECTED_PERSON_ACCESS',
        subject,
        count: accesses,
        firstAt: date(row, 'first_at'),
        lastAt: date(row, 'last_at'),
        explanation: `${accesses} access${accesses === 1 ? '' : 'es'} released to ${subject?.agency ?? 'an unknown agency'} about ${persons} person${persons === 1 ? '' : 's'} protected under 8 U.S.C. 1367: check each purpose.`,
        examples: await examples(
          store,
          [
            sql`e.action IN ('READ', 'WRITE') AND e.decision IN ('ALLOW', 'PARTIAL')`,
            who,
            sql`e.person_id IN (SELECT p.id FROM ice_facts.persons p WHERE p.protected1367 IS NOT FALSE)`,
            ...rangeConditions(range),
          ],
          thresholds.examples,
        ),
      };
    }),
  );
}
