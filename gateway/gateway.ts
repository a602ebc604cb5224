import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { requestEntry } from '../lib/audit/index.js';
import { auditUnavailable } from '../lib/audit/writer.js';
import { TributaryError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { isSubgraphName } from '../lib/domain.js';
import { repoPath } from '../lib/paths.js';
import { authenticate } from '../lib/server/authenticate.js';
import { serveHttp, type RunningService } from '../lib/server/http.js';
import { useArgumentChecks } from '../lib/server/argument-checks.js';
import { errorFormatter, formatError, logErrors } from '../lib/server/mask-errors.js';
import type { Runtime } from '../lib/server/runtime.js';
import { liveness, readiness } from '../lib/server/readiness.js';
import { useRequestTelemetry } from '../lib/telemetry/index.js';
import { AdmissionControl } from './admission.js';
import { admitRequests } from './admit-requests.js';
import type { GatewayContext } from './context.js';
import { checkBatchSize, useOperationLimits, type OperationLimits } from '../lib/limits/index.js';
import { enforceAllowlist, loadManifest, resolvePersistedQueries } from './persisted-operations/index.js';
import { rateLimitedError, rateLimiterFromSettings } from './rate-limit/index.js';
import { requestIdentity } from './request-identity.js';
import { disableApolloTelemetry } from './no-phone-home.js';
import { SubgraphSource } from './subgraph-source.js';

export interface GatewayOptions {
  readonly port: number;
  readonly host: string;
  readonly limits?: OperationLimits;
  /** The composed supergraph; default `schema/supergraph.graphql` (written by `npm run compose`). */
  readonly supergraphSdl?: string;
  /** Extra routes served beside GraphQL (the auditor console). */
  readonly routes?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  /**
   * Prefix of the rate-limit keys in Redis (default `tributary:ratelimit:`). Replicas of one
   * deployment must share it to share budgets; tests give each run its own.
   */
  readonly rateLimitKeyPrefix?: string;
}

/**
 * The gateway: authentication and purpose before anything else, operation limits, rate limits,
 * the query plan over the subgraphs, and one request-level audit entry per request. It forwards the
 * caller's token rather than vouching for the caller: every subgraph decides for its own records.
 */
export async function startGateway(runtime: Runtime, options: GatewayOptions): Promise<RunningService> {
  const { settings } = runtime;
  const limits = options.limits ?? settings.operationLimits;
  const log = runtime.log.child({ service: 'gateway' });
  const audit = runtime.auditWriter('gateway');
  const telemetry = runtime.telemetry('gateway');
  const supergraphSdl = options.supergraphSdl ?? (await readFile(repoPath('schema', 'supergraph.graphql'), 'utf8'));
  // Read and validated before anything listens: a bad manifest stops the gateway (manifest.ts).
  const persisted = settings.persistedOperations.mode === 'none' ? undefined : await loadManifest(settings.persistedOperations.file);
  const allowlist = settings.persistedOperations.mode === 'only' && persisted !== undefined ? { operations: persisted, audit, log } : undefined;

  disableApolloTelemetry();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new SubgraphSource({
        name,
        url: isSubgraphName(name) ? settings.subgraphUrls[name] : (url ?? ''),
        timeoutMs: settings.subgraphTimeoutMs,
        signIdentity: settings.requireGatewayIdentity,
        metrics: telemetry.metrics,
      }),
    // Planning's end (its span starts with execution; the plan may come from the plan cache).
    experimental_didResolveQueryPlan: ({ requestContext }) => (requestContext.context as Partial<GatewayContext>).telemetry?.planned(),
  });
  const operationLimits = useOperationLimits(limits);
  const argumentChecks = useArgumentChecks<GatewayContext>();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: errorFormatter(settings),
    includeStacktraceInErrorResponses: false,
    // Introspection answers only authenticated callers (the context refuses everyone else) and
    // only outside production (SPEC 8).
    introspection: !settings.production,
    allowBatchedHttpRequests: true,
    // Load-bearing for PERSISTED_OPERATIONS_ONLY: Apollo's automatic persisted queries let any
    // client register a text under its hash. Hashes are looked up in the read-only manifest
    // before Apollo sees the body instead (persisted-operations/resolve-persisted-queries.ts).
    persistedQueries: false,
    // Load-bearing for graceful shutdown: otherwise (whenever NODE_ENV is not `test`) Apollo
    // stops itself on SIGINT/SIGTERM at once, failing requests still in flight, while
    // serveHttp's close() is draining them. The process that owns the server handles signals.
    stopOnTerminationSignals: false,
    validationRules: [...operationLimits.validationRules, argumentChecks.validationRule],
    // The token limit applies while parsing, so an oversized document is never fully parsed.
    parseOptions: operationLimits.parseOptions,
    // Limit plugins first: they restore OPERATION_LIMIT codes before errors are logged. The
    // argument checks before them: a malformed `first` (negative, past 32 bits) is refused as
    // malformed rather than as too large. Nothing malformed reaches the query planner.
    plugins: [
      argumentChecks.plugin,
      ...operationLimits.plugins,
      ApolloServerPluginLandingPageDisabled(),
      logErrors(log, (context) => context.requestId),
      awaitRequestEntry(log),
      // Last: it counts the answer as sent, after the audit wait may have replaced it.
      useRequestTelemetry<GatewayContext>((context) => context.telemetry),
    ],
  });
  await apollo.start();
  const rateLimiter = await rateLimiterFromSettings(settings, {
    log,
    ...(options.rateLimitKeyPrefix === undefined ? {} : { keyPrefix: options.rateLimitKeyPrefix }),
  });

  // Before anything else a request costs: past its capacity the gateway answers 503 at once
  // (see admit-requests.ts) rather than slow every request down.
  const admission = new AdmissionControl(settings.admission);
  const service = await serveHttp<GatewayContext>(
    {
      name: 'gateway',
      apollo,
      log,
      ...(admission.enabled ? { admit: admitRequests({ admission, verifyToken: runtime.verifyToken, audit, log }) } : {}),
      maxBodyBytes: limits.maxBodyBytes,
      checkBody: (body) => checkBatchSize(body, limits),
      prepareBody: (body) => resolvePersistedQueries(body, persisted),
      ...(options.routes ? { routes: options.routes } : {}),
      telemetry,
      health: liveness,
      ready: readiness({ auditStore: runtime.auditStore, chain: audit.chain }),
      context: async (incoming) => {
        const who = await authenticate({ service: 'gateway', verifyToken: runtime.verifyToken, audit, log }, incoming);
        // One request-level entry ties the subgraphs' record entries (same request id) to the
        // operation as the caller sent it.
        const entry = requestEntry({
          requestId: incoming.requestId,
          operationName: who.operationName,
          operationHash: who.operationHash,
          principal: who.principal,
          purpose: who.purpose,
          justification: who.justification,
          action: 'REQUEST',
          decision: 'ALLOW',
          service: 'gateway',
          reason: null,
        });
        // After authentication (budgets are per verified subject and org), before anything is
        // planned or fetched. A batch costs one request per operation.
        const rate = await rateLimiter.check(who.principal, Array.isArray(incoming.body) ? incoming.body.length : 1);
        if (!rate.allowed) {
          telemetry.metrics.rateLimitRefusals.inc({ limit: rate.limit });
          const refusal = rateLimitedError(rate);
          // The refusal releases nothing, so it stands even when it cannot be recorded (as for a
          // refused token); the log keeps the failure then.
          await audit
            .append([{ ...entry, decision: 'DENY', reason: `rate limited: ${refusal.message}` }])
            .catch((error: unknown) => log.error({ err: error, requestId: incoming.requestId }, 'could not audit a rate-limited request'));
          throw refusal;
        }
        // After authentication (its entry names the subject) and the rate limit (a refused
        // operation still costs its budget: refusals are audited writes), before anything is
        // parsed or planned.
        if (allowlist) await enforceAllowlist(allowlist, who, incoming);
        // Fail closed: no audit, no answer. The entry is committed while the operation is
        // planned and executed rather than before (one durable commit less on every request's
        // path); `awaitRequestEntry` holds the response until it is, and answers
        // AUDIT_UNAVAILABLE instead when it cannot be. Writes wait for it before they run.
        const committed = audit.append([entry]);
        committed.catch(() => undefined);
        const context: GatewayContext & { readonly [REQUEST_ENTRY]: Promise<void> } = {
          [REQUEST_ENTRY]: committed,
          requestId: incoming.requestId,
          principal: who.principal,
          purpose: who.purpose,
          justification: who.justification,
          forward: {
            authorization: incoming.headers.get('authorization') ?? '',
            purpose: who.purpose,
            justification: who.justification,
            gatewayIdentity: requestIdentity(incoming.requestId, { keys: settings }),
          },
          telemetry: incoming.telemetry,
        };
        return context;
      },
    },
    options.port,
    options.host,
  ).catch(async (error: unknown) => {
    // A gateway that could not listen must not keep a Redis connection (and the process) alive.
    await rateLimiter.close();
    throw error;
  });
  return {
    url: service.url,
    port: service.port,
    async close() {
      await service.close();
      await rateLimiter.close();
    },
  };
}

/**
 * The commit of a request's entry, carried by its context under a symbol: Apollo copies the
 * context for each operation (a batch has several), and a symbol-keyed property is copied along.
 */
const REQUEST_ENTRY = Symbol('tributary.requestEntry');

function requestEntryOf(context: GatewayContext): Promise<void> | undefined {
  if (!(REQUEST_ENTRY in context)) return undefined;
  const committed = context[REQUEST_ENTRY];
  return committed instanceof Promise ? (committed as Promise<void>) : undefined;
}

/**
 * Fail closed on the request-level audit entry (see the context): a write waits for it before
 * it runs, since a write that ran while its entry failed would be repeated by a retrying
 * client; every response waits for it before it is sent, and becomes AUDIT_UNAVAILABLE, with
 * no data, when the entry could not be committed.
 */
function awaitRequestEntry(log: Logger): ApolloServerPlugin<GatewayContext> {
  const failure = (error: unknown): TributaryError => (error instanceof TributaryError ? error : auditUnavailable(error));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'query') await requestEntryOf(contextValue);
        },
        async willSendResponse({ response, contextValue }) {
          const committed = requestEntryOf(contextValue);
          if (committed === undefined) return;
          try {
            await committed;
          } catch (error) {
            const refusal = failure(error);
            log.error({ err: error, requestId: contextValue.requestId }, refusal.message);
            response.body = { kind: 'single', singleResult: { errors: [formatError(refusal.toJSON())] } };
            response.http.status = refusal.httpStatus;
            for (const [name, value] of refusal.httpHeaders) response.http.headers.set(name, value);
          }
        },
      };
    },
  };
}
