import type { Purpose } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import type { GraphQLResult, TestFederation } from './federation.js';

/**
 * A GraphQL POST as a client sends it, keeping what `TestFederation.query` drops: the response's
 * `x-request-id` (the id every audit entry of the request carries) and the choice of URL, so
 * the same call can go to the gateway or straight to one subgraph.
 */
export interface GraphQLExchange extends GraphQLResult {
  /** The `x-request-id` response header. */
  readonly requestId: string | null;
}

export interface PostOptions {
  readonly url: string;
  /** The raw `Authorization` header value, or null for none. */
  readonly authorization: string | null;
  readonly purpose: Purpose | null;
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export type GraphQLError = NonNullable<GraphQLResult['body']['errors']>[number];

export async function postGraphQL(options: PostOptions): Promise<GraphQLExchange> {
  const response = await fetch(options.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.authorization === null ? {} : { authorization: options.authorization }),
      ...(options.purpose === null ? {} : { 'x-purpose-of-use': options.purpose }),
      // INVESTIGATION needs a case number (SPEC 3); the harness uses the same one.
      ...(options.purpose === 'INVESTIGATION' ? { 'x-justification': 'CASE-2026-0042' } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: options.query, variables: options.variables ?? {} }),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as GraphQLResult['body'],
  };
}

/** As a persona, to the gateway or (with `url`) straight to a subgraph. */
export async function asPersona(
  fed: TestFederation,
  persona: PersonaName,
  purpose: Purpose,
  query: string,
  variables: Readonly<Record<string, unknown>> = {},
  url: string = fed.gatewayUrl,
): Promise<GraphQLExchange> {
  return postGraphQL({ url, authorization: `Bearer ${await fed.token(persona)}`, purpose, query, variables });
}

/** The REDACTED errors of a response whose path is `prefix` plus one field: field → rule id. */
export function redactionsUnder(errors: readonly GraphQLError[] | undefined, prefix: readonly (string | number)[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const error of errors ?? []) {
    const path = error.path ?? [];
    if (error.extensions?.code !== 'REDACTED' || path.length !== prefix.length + 1) continue;
    if (!prefix.every((segment, i) => path[i] === segment)) continue;
    const field = path[prefix.length];
    const rule = error.extensions['rule'];
    if (typeof field === 'string') found.set(field, typeof rule === 'string' ? rule : '(no rule)');
  }
  return found;
}

/** Narrows a JSON value to an object, for walking response data. */
export const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
