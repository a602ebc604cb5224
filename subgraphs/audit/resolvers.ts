import type { AuditEntry } from '../../lib/audit/index.js';
import type { Anomaly } from './anomalies.js';
import { fullChainStatus } from './chain-status.js';
import type { AuditContext } from './loaders.js';
import { accessEventProof } from './proof.js';
import type { AccessLogFilter } from './query.js';
import type { CategoryRedactions, OrgDay, RuleDenials } from './summaries.js';
import type { PageArgs } from '../../lib/connection.js';
import type { Resolvers } from '../../schema/generated/audit.js';
import { DateTimeScalar } from '../../lib/server/scalars.js';

type Context = AuditContext;

interface Range {
  readonly from?: Date | null;
  readonly to?: Date | null;
}

const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;
const defaultRange = (range: Range, now: Date): { from: Date; to: Date } => ({
  from: range.from ?? new Date(now.getTime() - THIRTY_DAYS_MS),
  to: range.to ?? now,
});

/** A filter as the auditor sent it, for the audit entry of the read itself. */
const describe = (what: string, args: object): string => `${what} ${JSON.stringify(args).slice(0, 500)}`;

/**
 * The GraphQL shape of an entry (one item of an event): the subject flattened, as SPEC 7 pins
 * it; id `<chain>:<seq>.<item>`, hash and prevHash its event's, itemCount its event's items.
 */
const accessEvent = (entry: AuditEntry) => ({
  ...entry,
  subjectIss: entry.subject?.iss ?? null,
  subjectSub: entry.subject?.sub ?? null,
  subjectOrg: entry.subject?.org ?? null,
  agency: entry.subject?.agency ?? null,
  roles: entry.subject?.roles ?? [],
});

/**
 * The parents of AccessEvent and AuditAnomaly (codegen mappers): the log keeps a subject's
 * agency as the text the entry was written with, so it is not typed as the Agency enum here;
 * GraphQL's enum serialization still refuses a value outside it, as it always has.
 */
export type AccessEventSource = ReturnType<typeof accessEvent>;
export type AuditAnomalySource = ReturnType<typeof auditAnomaly>;

/** Accesses without a verified subject (none are counted today: READ and WRITE always have one). */
const NO_ORG = '(no subject)';

const orgDayCount = (row: OrgDay) => ({ org: row.org ?? NO_ORG, day: row.day, count: row.accesses });
const ruleCount = (row: RuleDenials) => ({ rule: row.rule, count: row.denials });
const categoryCount = (row: CategoryRedactions) => ({
  category: row.category,
  count: row.redactions,
  fromReleasedRecords: row.fromReleasedRecords,
  fromDeniedRecords: row.fromDeniedRecords,
});

/** The GraphQL shape of an anomaly: one flat type, `kind` telling findings from skipped checks. */
function auditAnomaly(anomaly: Anomaly) {
  if (anomaly.kind === 'CHECK_SKIPPED') {
    return {
      kind: anomaly.kind,
      check: anomaly.check,
      subjectSub: null,
      subjectOrg: null,
      agency: null,
      count: 0,
      firstAt: null,
      lastAt: null,
      explanation: anomaly.explanation,
      exampleEntryIds: [],
      examples: [],
    };
  }
  return {
    kind: anomaly.kind,
    check: null,
    subjectSub: anomaly.subject?.sub ?? null,
    subjectOrg: anomaly.subject?.org ?? null,
    agency: anomaly.subject?.agency ?? null,
    count: anomaly.count,
    firstAt: anomaly.firstAt,
    lastAt: anomaly.lastAt,
    explanation: anomaly.explanation,
    exampleEntryIds: anomaly.examples.map((entry) => entry.id),
    examples: anomaly.examples.map(accessEvent),
  };
}

async function accessLogPage(context: Context, filter: AccessLogFilter, page: PageArgs) {
  await context.loaders.waitForIndex();
  const result = await context.loaders.accessLog(context, filter, page);
  return {
    edges: result.edges.map((edge) => ({ cursor: edge.cursor, node: accessEvent(edge.node) })),
    pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.endCursor },
    totalCount: result.totalCount,
  };
}

/**
 * The audit subgraph reads the log; it never writes records. Every resolver first passes the
 * funnel's audit-read gate, which leaves an AUDIT_READ entry and refuses non-auditors. Queries
 * over the per-item index first wait (bounded) until it holds every event committed before
 * them, so an auditor reads her own and everyone's committed accesses (lib/audit/indexer-wait.ts).
 */
export const auditResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    accessLog: async (_, args, context) => {
      await context.access.authorizeAuditRead(describe('accessLog', args));
      return accessLogPage(context, args.filter ?? {}, args);
    },
    personAccessHistory: async (_, args, context) => {
      await context.access.authorizeAuditRead(describe('personAccessHistory', args));
      return accessLogPage(context, { personId: args.personId, from: args.from ?? null, to: args.to ?? null }, args);
    },
    auditChainStatus: async (_, __, context) => {
      await context.access.authorizeAuditRead('auditChainStatus');
      return context.loaders.chainStatus();
    },
    auditChainWalk: async (_, __, context) => {
      await context.access.authorizeAuditRead('auditChainWalk');
      return fullChainStatus(context);
    },
    auditCheckpoints: async (_, __, context) => {
      await context.access.authorizeAuditRead('auditCheckpoints');
      // A checkpoint's seq is the head's position: the entries the chain had ever held then.
      return (await context.loaders.latestCheckpoints()).map((checkpoint) => ({ ...checkpoint, entryCount: checkpoint.seq }));
    },
    accessesPerOrgPerDay: async (_, args, context) => {
      await context.access.authorizeAuditRead(describe('accessesPerOrgPerDay', args));
      await context.loaders.waitForIndex();
      return (await context.loaders.accessesPerOrgPerDay(defaultRange(args, context.now))).map(orgDayCount);
    },
    denialsByRule: async (_, args, context) => {
      await context.access.authorizeAuditRead(describe('denialsByRule', args));
      await context.loaders.waitForIndex();
      return (await context.loaders.denialsByRule(defaultRange(args, context.now))).map(ruleCount);
    },
    redactionsByCategory: async (_, args, context) => {
      await context.access.authorizeAuditRead(describe('redactionsByCategory', args));
      await context.loaders.waitForIndex();
      return (await context.loaders.redactionsByCategory(defaultRange(args, context.now))).map(categoryCount);
    },
    auditAnomalies: async (_, args, context) => {
      await context.access.authorizeAuditRead(describe('auditAnomalies', args));
      await context.loaders.waitForIndex();
      return (await context.loaders.anomalies(defaultRange(args, context.now))).map(auditAnomaly);
    },
    accessEventProof,
  },
};
