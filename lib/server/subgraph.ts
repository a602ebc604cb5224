import { readFile } from 'node:fs/promises';
import { ApolloServer } from '@apollo/server';
import type { JSONWebKeySet } from 'jose';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { AccessFunnel } from '../access/funnel.js';
import { guardOwnedFields } from '../access/field-guard.js';
import type { AccessRequest } from '../access/decision.js';
import type { RecordType, SubgraphName } from '../domain.js';
import { TributaryError } from '../errors.js';
import { verifyGatewayIdentity } from '../identity/index.js';
import { checkBatchSize, useSubgraphOperationLimits } from '../limits/index.js';
import { repoPath } from '../paths.js';
import type { Store } from '../store/index.js';
import { useRequestTelemetry } from '../telemetry/index.js';
import { authenticate } from './authenticate.js';
import type { RequestContext } from './context.js';
import { serveHttp, type RunningService } from './http.js';
import { useArgumentChecks } from './argument-checks.js';
import { errorFormatter, logErrors } from './mask-errors.js';
import { budgetedAudit } from './request-budget.js';
import { toSubgraphResolvers, type ResolverMap } from './resolvers.js';
import type { Runtime } from './runtime.js';
import { useSdlGate } from './sdl-gate.js';
import { liveness, readiness } from './readiness.js';

/** What a subgraph's own loaders may use: its store, the funnel, the request. */
export interface LoaderDeps {
  readonly store: Store;
  /**
   * The audit log as its owner reads it (the records' store unless AUDIT_DATABASE_URL or
   * AUDIT_ADMIN_DATABASE_URL say otherwise); only the audit subgraph reads it. Writers append
   * through runtime.auditStore, which may hold the append-only role.
   */
  readonly auditStore: Store;
  readonly access: AccessFunnel;
  readonly request: AccessRequest;
}

/**
 * A subgraph is its SDL (`schema/<name>.graphql`), the record types it owns (whose every field
 * the guard checks), its resolvers and its per-request loaders. Everything else — identity,
 * purpose, the access funnel, audit, errors, HTTP — is the same for every subgraph and lives here.
 */
export interface SubgraphDefinition<L> {
  readonly name: SubgraphName;
  readonly owns: readonly RecordType[];
  /** The generated `Resolvers` of schema/generated/<name>.ts, so the typecheck holds it to the SDL. */
  readonly resolvers: ResolverMap;
  readonly loaders: (deps: LoaderDeps) => L;
}

export async function loadSubgraphSdl(name: SubgraphName): Promise<string> {
  return readFile(repoPath('schema', `${name}.graphql`), 'utf8');
}

/** What a service adds to the common subgraph: the audit service publishes its checkpoint keys. */
export interface SubgraphExtras {
  readonly jwks?: () => Promise<JSONWebKeySet>;
}

export async function startSubgraph<L>(
  definition: SubgraphDefinition<L>,
  runtime: Runtime,
  listen: { readonly port: number; readonly host: string },
  extras: SubgraphExtras = {},
): Promise<RunningService> {
  const typeDefs = parse(await loadSubgraphSdl(definition.name));
  const schema = guardOwnedFields(buildSubgraphSchema({ typeDefs, resolvers: toSubgraphResolvers(definition.resolvers) }), definition.owns);
  const log = runtime.log.child({ service: definition.name });
  const audit = runtime.auditWriter(definition.name);
  const telemetry = runtime.telemetry(definition.name);
  telemetry.metrics.observeFactCopies(() => runtime.factCopies(definition.name));
  const argumentChecks = useArgumentChecks<RequestContext<L>>();
  // A subgraph is reachable directly (SPEC 8), so it applies the gateway's operation limits with
  // the gateway's code; `useSubgraphOperationLimits` says what a router's fetches need besides.
  const limits = runtime.settings.operationLimits;
  const operationLimits = useSubgraphOperationLimits<RequestContext<L>>(limits);
  const apollo = new ApolloServer<RequestContext<L>>({
    schema,
    formatError: errorFormatter(runtime.settings),
    // Malformed arguments are BAD_USER_INPUT with HTTP 400 here as at the gateway (one check):
    // a subgraph is reachable directly.
    validationRules: [argumentChecks.validationRule, ...operationLimits.validationRules],
    includeStacktraceInErrorResponses: false,
    // Subgraphs are reached by the gateway (or an agency's own tools) with a token; the IDE
    // and its CDN-hosted landing page have no place here.
    introspection: !runtime.settings.production,
    // Load-bearing for graceful shutdown: otherwise (whenever NODE_ENV is not `test`) Apollo
    // stops itself on SIGINT/SIGTERM at once, and the gateway's requests still in flight fail
    // here while the gateway drains them. The process that owns the server handles signals.
    stopOnTerminationSignals: false,
    parseOptions: operationLimits.parseOptions,
    // Inline tracing (Apollo's usage reporting) is off: no one here collects it, and it would
    // send resolver timings to every caller that asks. Cache control is off too: no record
    // here may be cached by anyone (each release is decided and audited per request), and its
    // per-field hook wrapped every resolver (3-4% of a subgraph's CPU, measured by bench/).
    // Limit plugins first: they restore OPERATION_LIMIT codes before errors are logged.
    plugins: [
      argumentChecks.plugin,
      ...operationLimits.plugins,
      useSdlGate<L>({ service: definition.name, production: runtime.settings.production, audit, log, keys: runtime.settings }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      logErrors(log, (context) => context.requestId),
      useRequestTelemetry<RequestContext<L>>((context) => context.telemetry),
    ],
  });
  await apollo.start();

  return serveHttp(
    {
      name: definition.name,
      apollo,
      log,
      maxBodyBytes: limits.maxBodyBytes,
      checkBody: (body) => checkBatchSize(body, limits),
      telemetry,
      health: liveness,
      ...(extras.jwks === undefined ? {} : { jwks: extras.jwks }),
      ready: readiness({
        store: runtime.storeFor(definition.name),
        auditStore: runtime.auditStore,
        chain: audit.chain,
        factCopies: () => runtime.factCopies(definition.name),
      }),
      context: async (incoming) => {
        if (runtime.settings.requireGatewayIdentity) {
          await verifyGatewayIdentity(incoming.headers.get('x-gateway-identity'), incoming.requestId, { keys: runtime.settings }).catch((error: unknown) => {
            // Not a caller's mistake but this deployment's (the gateway's JWKS unreachable): the operator must see it.
            if (error instanceof TributaryError && error.code === 'SERVICE_UNAVAILABLE') {
              log.error({ err: error, requestId: incoming.requestId }, "gateway identity cannot be checked: the gateway's keys are unavailable");
            }
            throw error;
          });
        }
        const who = await authenticate({ service: definition.name, verifyToken: runtime.verifyToken, audit, log }, incoming);
        const request: AccessRequest = { principal: who.principal, purpose: who.purpose, now: runtime.clock() };
        // Bounded, whatever the estimate admitted: see request-budget.ts. The deadline falls at
        // four fifths of the gateway's wait for a subgraph, so that the refusal reaches the
        // gateway (and the client learns why) before it gives up; past that, work is wasted.
        const budget = { maxRecords: limits.maxRecords, deadlineMs: Math.floor(runtime.settings.subgraphTimeoutMs * 0.8) };
        const access = new AccessFunnel(runtime.policy, budgetedAudit(audit, budget), request, {
          requestId: incoming.requestId,
          operationName: who.operationName,
          operationHash: who.operationHash,
          justification: who.justification,
          service: definition.name,
        }, incoming.telemetry);
        return {
          requestId: incoming.requestId,
          service: definition.name,
          principal: who.principal,
          purpose: who.purpose,
          justification: who.justification,
          now: request.now,
          access,
          loaders: definition.loaders({ store: runtime.storeFor(definition.name), auditStore: runtime.auditOwnerStore, access, request }),
          store: runtime.storeFor(definition.name),
          maxPageSize: limits.maxPageSize,
          log: log.child({ requestId: incoming.requestId }),
          telemetry: incoming.telemetry,
        };
      },
    },
    listen.port,
    listen.host,
  );
}
