import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/**
 * GraphQL's "Did you mean ...?" hints ("Cannot query field "nmae" on type "Network". Did you
 * mean "name"?", "Did you mean the enum value "TUCSON"?", "Did you mean to use an inline
 * fragment on ...?") let a caller map the schema by probing with typos even where introspection
 * is off. The hint never carries client input, only schema names, so cutting it up to its
 * question mark removes exactly that.
 */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * Apollo Server plugin: strips suggestions from every error of a request (validation errors,
 * and variable coercion errors raised at execution) before it is formatted for the client.
 * graphql-armor's block-field-suggestions and Apollo's own `hideSchemaDetailsFromClientErrors`
 * do this for validation errors only, and armor's pattern misses enum-value hints.
 */
export function useNoSuggestions<C extends BaseContext = BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          // Apollo formats these very objects afterwards; rewriting in place is how its own
          // DisableSuggestions plugin does it.
          for (const error of errors) error.message = withoutSuggestions(error.message);
        },
      };
    },
  };
}
