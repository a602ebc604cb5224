import { DecodeError } from './decode.js';
import { ApiError, problemFromNetworkError, problemFromResponse } from './problems.js';

/** The one purpose the console ever states (SPEC 3): auditors read the log for oversight. */
export const PURPOSE = 'OVERSIGHT_AUDIT';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface GraphQLRequest {
  readonly query: string;
  /** The operation's name: the gateway's audit entries carry it. */
  readonly operationName?: string;
  readonly variables?: Readonly<Record<string, unknown>>;
}

/** The headers of every call: the auditor's token and purpose, nothing else. */
export function requestHeaders(token: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: `Bearer ${token}`,
    'x-purpose-of-use': PURPOSE,
  };
}

/**
 * A GraphQL client for the gateway's public API on the console's own origin. Every failure
 * becomes an ApiError with a Problem the views know how to show.
 */
export class GatewayClient {
  constructor(
    private readonly token: string,
    private readonly endpoint: string = '/graphql',
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  async request<T>(request: GraphQLRequest, decode: (data: unknown) => T): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers: requestHeaders(this.token),
        body: JSON.stringify({ query: request.query, ...(request.operationName === undefined ? {} : { operationName: request.operationName }), variables: request.variables ?? {} }),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(problemFromNetworkError(error));
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const problem = problemFromResponse(response.status, body, response.headers.get('x-request-id'));
    if (problem !== null) throw new ApiError(problem);
    const data = typeof body === 'object' && body !== null && 'data' in body ? body.data : null;
    try {
      return decode(data);
    } catch (error) {
      if (error instanceof DecodeError) throw new ApiError({ kind: 'server', detail: `unexpected answer (${error.message})` });
      throw error;
    }
  }
}
