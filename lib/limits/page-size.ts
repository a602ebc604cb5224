import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { malformedArgument } from '../../lib/errors.js';
import { operationLimitError } from './limit-error.js';
import { memoByOperation } from './operation-memo.js';
import { fragmentsOf, operationOf, type Fragments, type RawVariables } from './operation.js';
import { pageSizeOf, variableValues, writtenPageArguments, type WrittenPageArgument } from './page-argument.js';
import type { OperationLimits } from './settings.js';

/**
 * Refuses a page larger than `maxPageSize` (`OPERATION_LIMIT`) or a negative one
 * (`BAD_USER_INPUT`) on any field's `first` or `last`, written literally or passed as a
 * variable. Variables are only known once a request names its operation and values, so this
 * runs per request, not as a validation rule (a validated document is cached and reused with
 * other variables). Omitted sizes are the server's default (50) and always fine.
 *
 * The subgraphs check again when they read the page (lib/connection.ts): this is the gateway
 * refusing early, before a query plan fans out, not the only guard.
 */
export function checkPageSizes(
  document: DocumentNode,
  variables: RawVariables | undefined,
  limits: Pick<OperationLimits, 'maxPageSize'>,
  operationName?: string | null,
): void {
  const operation = operationOf(document, operationName);
  if (operation) checkOperationPageSizes(operation, fragmentsOf(document), variables, limits);
}

export function checkOperationPageSizes(
  operation: OperationDefinitionNode,
  fragments: Fragments,
  variables: RawVariables | undefined,
  limits: Pick<OperationLimits, 'maxPageSize'>,
): void {
  checkWrittenPageSizes(operation, writtenPageArguments(operation, fragments), variables, limits);
}

function checkWrittenPageSizes(
  operation: OperationDefinitionNode,
  written: readonly WrittenPageArgument[],
  variables: RawVariables | undefined,
  limits: Pick<OperationLimits, 'maxPageSize'>,
): void {
  if (written.length === 0) return;
  const values = variableValues(operation, variables);
  for (const argument of written) {
    const size = pageSizeOf(argument, values);
    if (size === undefined) continue;
    const { name, field } = argument;
    const where = `"${name}" on field "${field.name.value}"`;
    if (size < 0) throw malformedArgument(`Page size ${where} must be 0 or more, got ${size}`, { argument: name, field: field.name.value });
    if (size > limits.maxPageSize) {
      throw operationLimitError('pageSize', `Page size ${size} (${where}) exceeds the limit of ${limits.maxPageSize}`, {
        max: limits.maxPageSize,
        actual: size,
      });
    }
  }
}

/**
 * Apollo Server plugin: `checkPageSizes` once the operation and its variables are known. Where
 * the page arguments sit is found once per distinct operation (see operation-memo.ts); their
 * values, which variables may set, are read on every request.
 */
export function usePageSizeLimit<C extends BaseContext = BaseContext>(limits: Pick<OperationLimits, 'maxPageSize'>): ApolloServerPlugin<C> {
  const pageArgumentsOf = memoByOperation((operation, document) => writtenPageArguments(operation, fragmentsOf(document)));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          // A thrown GraphQLError here is what Apollo sends back as is (code and HTTP status).
          if (operation) checkWrittenPageSizes(operation, pageArgumentsOf(operation, document), request.variables, limits);
        },
      };
    },
  };
}
