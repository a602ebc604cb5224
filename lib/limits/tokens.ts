import { TokenKind, type ASTVisitor, type GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { TributaryError } from '../errors.js';
import { operationLimitError } from './limit-error.js';
import type { OperationLimits } from './settings.js';

/**
 * Token limit, in two places:
 *
 * 1. `tokenLimitParseOptions` makes GraphQL's own parser stop at `maxTokens + 1` tokens, before
 *    a flood costs any parse or validation work. That is the real protection, and it is why the
 *    gateway passes these options to Apollo Server (`parseOptions`). Apollo reports the abort as a
 *    syntax error (`GRAPHQL_PARSE_FAILED`); `tokenLimitOfParseError` recognises it so that the
 *    error-code plugin turns it into `OPERATION_LIMIT`.
 * 2. `maxTokensRule` counts the tokens of an already parsed document, for callers that validate
 *    without those parse options (graphql's `validate` directly).
 *
 * graphql-armor's max-tokens fits neither: its Apollo plugin throws from `parsingDidStart`,
 * which Apollo Server 5 answers with a 500.
 */
export function tokenLimitParseOptions(limits: Pick<OperationLimits, 'maxTokens'>): ParseOptions {
  return { maxLexicalTokens: limits.maxTokens };
}

// graphql 16.15's wording, typo included ("more that 5000 tokens"); matched loosely on purpose.
const PARSE_ABORT = /Document contains more \w+ (\d+) tokens/;

/** The limit a parse error reports having hit, or `undefined` when it is another syntax error. */
export function tokenLimitOfParseError(error: GraphQLError): number | undefined {
  const limit = PARSE_ABORT.exec(error.message)?.[1];
  return limit === undefined ? undefined : Number(limit);
}

export function maxTokensRule(limits: Pick<OperationLimits, 'maxTokens'>): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document() {
      const count = countTokens(context, limits.maxTokens + 1);
      if (count !== undefined && count > limits.maxTokens) context.reportError(tokenLimitError(limits.maxTokens));
    },
  });
}

/** The count stops at the first token past the limit, so the refusal says "more than", not how many. */
export const tokenLimitError = (max: number): TributaryError =>
  operationLimitError('tokens', `Operation exceeds the limit of ${max} tokens`, { max });

/**
 * Tokens as the parser counts them (comments, start and end of file excluded), stopping at
 * `stopAt`. `undefined` when the document was parsed without locations and has no tokens.
 */
function countTokens(context: ValidationContext, stopAt: number): number | undefined {
  const start = context.getDocument().loc?.startToken;
  if (start === undefined) return undefined;
  let count = 0;
  for (let token = start.next; token !== null && token.kind !== TokenKind.EOF && count < stopAt; token = token.next) {
    if (token.kind !== TokenKind.COMMENT) count += 1;
  }
  return count;
}
