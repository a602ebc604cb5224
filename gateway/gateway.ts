import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { isSubgraphName } from '../lib/domain.js';
import { gatewayPublicJwks } from '../lib/identity/index.js';
import { repoPath } from '../lib/paths.js';
import { serveHttp, type RunningService } from '../lib/server/http.js';
import { useArgumentChecks } from '../lib/server/argument-checks.js';
import { errorFormatter, logErrors } from '../lib/server/mask-errors.js';
import type { Runtime } from '../lib/server/runtime.js';
import { liveness, readiness } from '../lib/server/readiness.js';
import { useRequestTelemetry } from '../lib/telemetry/index.js';
import { AdmissionControl } from './admission.js';
import { awaitRequestEntry } from './await-request-entry.js';
import { admitRequests } from './admit-requests.js';
import type { GatewayContext } from './context.js';
import { checkBatchSize, useOperationLimits, type OperationLimits } from '../lib/limits/index.js';
import { loadManifest, resolvePersistedQueries } from './persisted-operations/index.js';
import { rateLimiterFromSettings } from './rate-limit/index.js';
import { disableApolloTelemetry } from './no-phone-home.js';
import { gatewayContext } from './request-context.js';
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
      // Public: subgraphs trust the gateway's identity by this set (GATEWAY_JWKS_URL).
      jwks: () => gatewayPublicJwks({ keys: settings }),
      ready: readiness({ auditStore: runtime.auditStore, chain: audit.chain }),
      context: gatewayContext({ settings, verifyToken: runtime.verifyToken, audit, log, metrics: telemetry.metrics, rateLimiter, allowlist }),
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
