/** One HTTP request the load generator sends (cycled in order on every connection). */
export interface LoadRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly timeoutSeconds: number;
  readonly requests: readonly LoadRequest[];
}

export interface LoadResult {
  /** Completed 2xx responses. */
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Responses whose body carried a top-level `errors` member (REDACTED fields included). */
  readonly withErrors: number;
  readonly seconds: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
}

export interface LoadMethods {
  run: { params: LoadSpec; result: LoadResult };
}
