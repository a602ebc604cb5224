import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll } from 'vitest';
import { guardOwnedFields } from '../../lib/access/field-guard.js';
import { AccessFunnel } from '../../lib/access/funnel.js';
import type { AuditEntryInput, AuditWriter } from '../../lib/audit/index.js';
import { CATEGORIES, type Principal, type Purpose } from '../../lib/domain.js';
import { createLogger } from '../../lib/log.js';
import { DEFAULT_OPERATION_LIMITS } from '../../lib/limits/settings.js';
import type { RequestContext } from '../../lib/server/context.js';
import { toSubgraphResolvers } from '../../lib/server/resolvers.js';
import { loadSubgraphSdl, type SubgraphDefinition } from '../../lib/server/subgraph.js';
import { sql, type Store } from '../../lib/store/index.js';
import type { AccessRequest, PolicyEngine, RecordDecision, Verdict } from '../../lib/access/decision.js';
import { openTestStore, type TestStore } from './store.js';

/**
 * The harness of the subgraph tests (test/subgraphs/*.test.ts): one subgraph's real SDL,
 * resolvers, loaders and field guard over a store of the test file's own, but with a policy
 * small enough to reason about in the test and an audit log held in memory. The subgraph, not
 * the policy engine or the audit chain, is under test; both have suites of their own.
 */

// ---- Callers

/** Who calls and for what: the purpose travels beside the principal, as `x-purpose-of-use` does. */
export interface Caller {
  readonly principal: Principal;
  readonly purpose: Purpose;
}

/** The claims that tell one test caller from another; the rest are the same for all of them. */
export type CallerClaims = Pick<Principal, 'agency' | 'org' | 'roles' | 'jurisdictions' | 'cfr28' | 'sworn'>;

/**
 * A caller as the identity module would hand it over after verifying a token. Its principal
 * holds exactly the one purpose it calls for, so no test passes by a purpose it never named.
 */
export function testCaller(claims: CallerClaims, purpose: Purpose): Caller {
  return {
    principal: { iss: 'https://issuer.test', sub: `${claims.org}-user`, ...claims, purposes: [purpose], pii: true },
    purpose,
  };
}

// ---- Test policies

/** Refusals a test switches on for one call, to see the subgraph honour them. */
export interface TestPolicyOptions {
  /** `Type.field` names every caller is refused, under rule `test.withheld`. */
  readonly withheld?: readonly string[];
  /** Refuse every write (rule `test.read-only`). */
  readonly readOnly?: boolean;
}

/** Builds the policy of one call from that call's refusals; a fresh engine per call, like a request. */
export type TestPolicy = (options: TestPolicyOptions) => PolicyEngine;

/** What `readOnly` answers every write with. */
export const WRITES_REFUSED: Verdict = { allowed: false, rule: 'test.read-only', reason: 'writes refused by the test' };

/** The rule a test policy quotes, and the reasons its audit entries carry (tests assert on them). */
export interface DecisionWording {
  readonly rule: string;
  readonly shown: string;
  readonly hidden: string;
}

/**
 * Record decisions as a test policy makes them: every field of a shown record is allowed
 * unless the call withheld it, and a hidden record allows none (the funnel never releases it,
 * but the guard must not be the only thing standing between it and the client).
 */
export function testDecisions(options: TestPolicyOptions, wording: DecisionWording): (type: string, visible: boolean) => RecordDecision {
  const withheld = new Set(options.withheld ?? []);
  return (type, visible) => ({
    visible,
    rules: [wording.rule],
    reason: visible ? wording.shown : wording.hidden,
    categories: new Set(visible ? CATEGORIES : []),
    field: (name): Verdict =>
      !visible
        ? { allowed: false, rule: wording.rule, reason: 'record withheld' }
        : withheld.has(`${type}.${name}`)
          ? { allowed: false, rule: 'test.withheld', reason: 'withheld by the test' }
          : { allowed: true, rule: wording.rule, reason: wording.shown },
  });
}

/**
 * Each agency sees its own records and nothing else, and only the owning org writes. Its SQL
 * filter says the same through the subgraph's ColumnMap, so a list that disagrees with reads by
 * id points at the subgraph's columns, not at the policy.
 */
export const ownerOnlyPolicy: TestPolicy = (options) => {
  const decision = testDecisions(options, { rule: 'test.owner', shown: 'owner agency', hidden: 'not the owner agency' });
  return {
    decide: (request, type, record) => decision(type, request.principal.agency === record.ownerAgency),
    listFilter(request, _type, columns) {
      const ownerAgency = columns.ownerAgency;
      if (!ownerAgency) throw new Error('listFilter needs an ownerAgency column');
      return sql`${ownerAgency} = ${request.principal.agency}`;
    },
    canWrite(request, _action, _type, record) {
      const { principal } = request;
      if (options.readOnly) return WRITES_REFUSED;
      const owner = principal.agency === record.ownerAgency && principal.org === record.ownerOrg;
      return { allowed: owner, rule: 'test.owner', reason: owner ? 'owner' : 'not the owner' };
    },
    canReadAuditLog: () => ({ allowed: false, rule: 'test.owner', reason: 'no audit log here' }),
  };
};

// ---- Audit

/**
 * An audit writer that keeps every append apart, in order: batching tests count appends (one
 * per resolver level), and read tests look at the entries across them.
 */
export class MemoryAudit implements AuditWriter {
  readonly chain = 'test';
  readonly appends: (readonly AuditEntryInput[])[] = [];
  get entries(): AuditEntryInput[] {
    return this.appends.flat();
  }
  async append(entries: readonly AuditEntryInput[]): Promise<void> {
    this.appends.push(entries);
  }
}

// ---- Requests

/** What one call may change about the request it makes, beyond the policy's refusals. */
export interface CallOptions<L> extends TestPolicyOptions {
  /** The request's clock, where expiry or an update time matters; the harness's `now` otherwise. */
  readonly now?: Date;
  /** Replaces loaders, e.g. to hand the resolvers a record that never passed the funnel. */
  readonly loaders?: (loaders: L) => L;
  /** Wraps the call's policy, e.g. to record the facts the subgraph hands the engine. */
  readonly policy?: (policy: PolicyEngine) => PolicyEngine;
}

/** A request context and the audit log its funnel writes to. */
export interface TestRequest<L> {
  readonly context: RequestContext<L>;
  readonly audit: MemoryAudit;
}

/** What one operation returned, what it audited, and how many SQL round trips it took. */
export interface Call {
  readonly result: ExecutionResult;
  readonly audit: MemoryAudit;
  readonly roundTrips: number;
}

export interface SubgraphHarnessOptions {
  /** The frozen clock every request runs at unless a call names its own. */
  readonly now: Date;
  /** The policy of every call; each agency sees only its own records unless a test says otherwise. */
  readonly policy?: TestPolicy;
  /** Inserts the rows the file's tests read, once, after the store is migrated. */
  readonly seed: (store: Store) => Promise<void>;
}

export interface SubgraphHarness<L> {
  /** The file's own store: open from the file's `beforeAll` until its `afterAll`. */
  readonly store: Store;
  /** A request context as `startSubgraph` builds one after authentication, for this caller. */
  request(who: Caller, options?: CallOptions<L>): TestRequest<L>;
  /** Executes one operation against the subgraph's schema, as its HTTP endpoint would. */
  run(who: Caller, query: string, variables?: Record<string, unknown>, options?: CallOptions<L>): Promise<Call>;
}

/**
 * Registers `beforeAll` and `afterAll` in the calling test file: a store of its own (dropped
 * again afterwards, so files run in parallel on one PostgreSQL), the subgraph's guarded schema,
 * and the file's seed. The methods are plain closures, so `const { run } = harness` works.
 */
export function useSubgraphHarness<L>(definition: SubgraphDefinition<L>, options: SubgraphHarnessOptions): SubgraphHarness<L> {
  const policy = options.policy ?? ownerOnlyPolicy;
  const log = createLogger('test', 'silent');
  let testStore: TestStore | undefined;
  let schema: GraphQLSchema | undefined;

  beforeAll(async () => {
    // Kept before anything that may throw, so that `afterAll` still drops the database.
    testStore = await openTestStore();
    schema = await guardedSchema(definition);
    await options.seed(testStore.store);
  });
  afterAll(async () => {
    await testStore?.close();
  });

  const opened = (): { readonly store: Store; readonly schema: GraphQLSchema } => {
    if (!testStore || !schema) throw new Error(`The ${definition.name} harness is used outside its file's tests: it opens in beforeAll`);
    return { store: testStore.store, schema };
  };

  const request = (who: Caller, call: CallOptions<L> = {}): TestRequest<L> => {
    const { store } = opened();
    const audit = new MemoryAudit();
    const now = call.now ?? options.now;
    const access: AccessRequest = { principal: who.principal, purpose: who.purpose, now };
    const engine = policy(call);
    const funnel = new AccessFunnel(call.policy ? call.policy(engine) : engine, audit, access, {
      requestId: 'req-test',
      operationName: null,
      operationHash: null,
      justification: null,
      service: definition.name,
    });
    const loaders = definition.loaders({ store, auditStore: store, access: funnel, request: access });
    const context: RequestContext<L> = {
      requestId: 'req-test',
      service: definition.name,
      principal: who.principal,
      purpose: who.purpose,
      justification: null,
      now,
      access: funnel,
      loaders: call.loaders ? call.loaders(loaders) : loaders,
      store,
      maxPageSize: DEFAULT_OPERATION_LIMITS.maxPageSize,
      log,
    };
    return { context, audit };
  };

  const run = async (who: Caller, query: string, variables: Record<string, unknown> = {}, call: CallOptions<L> = {}): Promise<Call> => {
    const { store, schema } = opened();
    const { context, audit } = request(who, call);
    const before = store.roundTrips;
    const result = await execute({ schema, document: parse(query), contextValue: context, variableValues: variables });
    return { result, audit, roundTrips: store.roundTrips - before };
  };

  return {
    get store() {
      return opened().store;
    },
    request,
    run,
  };
}

/**
 * The schema as `startSubgraph` serves it: built from the SDL file, every field of an owned
 * record type behind the guard. Tests that skipped the guard would pass records the funnel
 * never saw.
 */
async function guardedSchema<L>(definition: SubgraphDefinition<L>): Promise<GraphQLSchema> {
  const typeDefs = parse(await loadSubgraphSdl(definition.name));
  return guardOwnedFields(buildSubgraphSchema({ typeDefs, resolvers: toSubgraphResolvers(definition.resolvers) }), definition.owns);
}

/** The `extensions.code` of each error, in order: what a client switches on. */
export const errorCodes = (result: ExecutionResult): unknown[] => (result.errors ?? []).map((error) => error.extensions.code);

/** A page of a Relay connection, as the listing tests read it. */
export interface ConnectionPage {
  readonly totalCount: number;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly edges: readonly { readonly node: { readonly id: string } }[];
}

/** The ids of a page's nodes, in the order the subgraph returned them (the order is under test). */
export const nodeIds = (connection: ConnectionPage): string[] => connection.edges.map((edge) => edge.node.id);
