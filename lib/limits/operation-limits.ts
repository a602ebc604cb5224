import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ParseOptions, ValidationRule } from 'graphql';
import { maxAliasesRule, type RootAliases } from './aliases.js';
import { useCostLimit } from './cost.js';
import { maxDepthRule } from './depth.js';
import { maxDirectivesRule } from './directives.js';
import { useLimitErrorCodes } from './error-codes.js';
import { usePageSizeLimit } from './page-size.js';
import { DEFAULT_OPERATION_LIMITS, subgraphOperationLimits, type OperationLimits } from './settings.js';
import { useNoSuggestions } from './suggestions.js';
import { maxTokensRule, tokenLimitParseOptions } from './tokens.js';

/** What the gateway spreads into its `new ApolloServer({ ... })`. */
export interface OperationLimitsConfig<C extends BaseContext = BaseContext> {
  readonly plugins: ApolloServerPlugin<C>[];
  readonly validationRules: ValidationRule[];
  /** Stops the parser at the token limit, before a flood costs any work (see tokens.ts). */
  readonly parseOptions: ParseOptions;
}

/**
 * Every operation limit of SPEC section 8 that Apollo Server enforces, as one piece of config:
 *
 *   const limits = useOperationLimits<GatewayContext>(settings.operationLimits);
 *   new ApolloServer({ gateway, ...limits, plugins: [...limits.plugins, ...others] });
 *
 * Limits that depend on the document alone (depth, aliases, directives, tokens) are validation
 * rules: they run once per distinct document (Apollo caches only documents that pass) and
 * refuse it before any plugin sees the operation. Limits that depend on variables (page size, cost)
 * run per request in `didResolveOperation`, page size first so that `first: 501` is refused
 * as a page size rather than as a cost. The batch and body-size limits belong to the HTTP
 * layer: see `checkBatchSize` and `maxBodyBytes`.
 */
export function useOperationLimits<C extends BaseContext = BaseContext>(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): OperationLimitsConfig<C> {
  return limitsConfig<C>(limits, 'counted');
}

/**
 * The same limits, with the same code, for a subgraph (SPEC 8: subgraphs are reachable directly
 * and apply the gateway's limits), given the gateway's settings. What differs is only what a
 * Federation router's fetches for an operation the gateway admitted need: a larger token budget
 * (`subgraphOperationLimits`), root-field aliases left uncounted (`RootAliases`), and entity
 * fetches costed by their representations (cost.ts, which only subgraph schemas reach).
 */
export function useSubgraphOperationLimits<C extends BaseContext = BaseContext>(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): OperationLimitsConfig<C> {
  return limitsConfig<C>(subgraphOperationLimits(limits), 'exempt');
}

function limitsConfig<C extends BaseContext>(limits: OperationLimits, rootAliases: RootAliases): OperationLimitsConfig<C> {
  return {
    // Order matters twice: `useLimitErrorCodes` before anything that logs errors by code, and
    // `usePageSizeLimit` before `useCostLimit`.
    plugins: [useLimitErrorCodes<C>(), useNoSuggestions<C>(), usePageSizeLimit<C>(limits), useCostLimit<C>(limits)],
    validationRules: [maxTokensRule(limits), maxDepthRule(limits), maxAliasesRule(limits, rootAliases), maxDirectivesRule(limits)],
    parseOptions: tokenLimitParseOptions(limits),
  };
}
