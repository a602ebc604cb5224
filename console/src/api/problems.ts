/**
 * Everything that can go wrong talking to the gateway, as the console must tell the auditor.
 * Derived from `extensions.code` (SPEC 7), the HTTP status, or a failed fetch: one place, so
 * every view says the same thing about the same failure.
 */
export type Problem =
  /** Expired, malformed, wrongly signed or untrusted token: sign in again. */
  | { readonly kind: 'unauthenticated'; readonly detail: string }
  /** A valid token that is not an auditor's (FORBIDDEN, or OVERSIGHT_AUDIT not among its purposes). */
  | { readonly kind: 'not-auditor'; readonly detail: string }
  /** AUDIT_UNAVAILABLE: the audit store cannot be written, so nothing is read (fail closed). */
  | { readonly kind: 'audit-unavailable'; readonly detail: string }
  /** No answer from the gateway at all. */
  | { readonly kind: 'unreachable'; readonly detail: string }
  /** The gateway answered but the audit service behind it did not. */
  | { readonly kind: 'service-unavailable'; readonly detail: string }
  | { readonly kind: 'rate-limited'; readonly detail: string }
  /** The filter or range was refused (BAD_USER_INPUT, OPERATION_LIMIT). */
  | { readonly kind: 'bad-input'; readonly detail: string }
  | { readonly kind: 'server'; readonly detail: string };

export type ProblemKind = Problem['kind'];

/** Raised by the client; views catch it and show `describeProblem`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(describeProblem(problem));
  }
}

interface GraphQLErrorShape {
  readonly message: string;
  readonly code: string | null;
}

function errorsOf(body: unknown): readonly GraphQLErrorShape[] {
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) return [];
  return body.errors.map((error: unknown): GraphQLErrorShape => {
    if (typeof error !== 'object' || error === null) return { message: 'Unknown error', code: null };
    const message = 'message' in error && typeof error.message === 'string' ? error.message : 'Unknown error';
    const extensions = 'extensions' in error && typeof error.extensions === 'object' && error.extensions !== null ? error.extensions : {};
    const code = 'code' in extensions && typeof extensions.code === 'string' ? extensions.code : null;
    return { message, code };
  });
}

/** Most decisive first: a refused token explains every other error of the same answer. */
const PRECEDENCE: readonly (readonly [string, ProblemKind])[] = [
  ['UNAUTHENTICATED', 'unauthenticated'],
  ['FORBIDDEN', 'not-auditor'],
  // The console always states OVERSIGHT_AUDIT: a token refused that purpose is not an auditor's.
  ['PURPOSE_REQUIRED', 'not-auditor'],
  ['AUDIT_UNAVAILABLE', 'audit-unavailable'],
  ['SERVICE_UNAVAILABLE', 'service-unavailable'],
  ['RATE_LIMITED', 'rate-limited'],
  ['BAD_USER_INPUT', 'bad-input'],
  ['OPERATION_LIMIT', 'bad-input'],
];

/**
 * The problem in a gateway answer, or null when it carries data and no error. `requestId` (the
 * x-request-id header) goes into server problems so that an operator can find the logs.
 */
export function problemFromResponse(status: number, body: unknown, requestId: string | null = null): Problem | null {
  const errors = errorsOf(body);
  for (const [code, kind] of PRECEDENCE) {
    const error = errors.find((candidate) => candidate.code === code);
    if (error) return { kind, detail: error.message };
  }
  if (status === 401) return { kind: 'unauthenticated', detail: 'The gateway refused the token' };
  if (status === 502 || status === 503 || status === 504) return { kind: 'unreachable', detail: `The gateway answered HTTP ${status}` };
  if (status === 429) return { kind: 'rate-limited', detail: 'Too many requests' };
  const first = errors[0];
  const hasData = typeof body === 'object' && body !== null && 'data' in body && body.data !== null && body.data !== undefined;
  if (first === undefined && hasData && status >= 200 && status < 300) return null;
  const where = requestId === null ? '' : ` (request id ${requestId})`;
  return { kind: 'server', detail: `${first?.message ?? `HTTP ${status} without data`}${where}` };
}

export function problemFromNetworkError(error: unknown): Problem {
  return { kind: 'unreachable', detail: error instanceof Error ? error.message : String(error) };
}

/** What the auditor reads. The first sentence is the one tests and users look for. */
export function describeProblem(problem: Problem): string {
  switch (problem.kind) {
    case 'unauthenticated':
      return 'Your token has expired or is not valid. Sign in again with a fresh token.';
    case 'not-auditor':
      return "This token is not an auditor's. Only auditors (agency OVERSIGHT, role auditor, purpose OVERSIGHT_AUDIT) may use this console.";
    case 'audit-unavailable':
      return 'The audit store is unavailable. Nothing can be read from the log until it is back; try again shortly.';
    case 'unreachable':
      return 'The gateway is unreachable. Check that Tributary is running (npm start), then try again.';
    case 'service-unavailable':
      return 'The audit service is unreachable behind the gateway. Try again shortly.';
    case 'rate-limited':
      return 'Too many requests this minute. Wait a moment, then try again.';
    case 'bad-input':
      return `The request was refused: ${problem.detail}`;
    case 'server':
      return `The gateway could not answer: ${problem.detail}`;
  }
}

/** Problems that end the session: the token itself is no good here. */
export const endsSession = (problem: Problem): boolean => problem.kind === 'unauthenticated' || problem.kind === 'not-auditor';
