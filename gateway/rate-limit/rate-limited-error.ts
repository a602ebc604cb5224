import { HeaderMap } from '@apollo/server';
import { TributaryError } from '../../lib/errors.js';
import type { RateDecision } from './rate-limiter.js';

type Refusal = Extract<RateDecision, { allowed: false }>;

/**
 * RATE_LIMITED (HTTP 429) with the wait in `extensions.retryAfter` for GraphQL clients and in a
 * `retry-after` header for HTTP ones (proxies, fetch wrappers, load testers honour it). Apollo
 * Server moves `extensions.http` (status and headers) onto the HTTP response and strips it from
 * the body; its headers must be a HeaderMap, which TributaryError's details cannot carry, hence
 * the header is added here.
 */
export function rateLimitedError(refusal: Refusal): TributaryError {
  const whose = refusal.limit === 'subject' ? 'your' : "your organization's";
  const error = new TributaryError(
    'RATE_LIMITED',
    `Rate limit exceeded: ${whose} limit is ${refusal.perMinute} requests per minute; retry in ${refusal.retryAfterSeconds} s`,
    { details: { retryAfter: refusal.retryAfterSeconds, limit: refusal.limit } },
  );
  // Object.assign rather than `error.extensions.http = ...`: graphql-yoga (a dev dependency)
  // declares its own shape for `extensions.http` globally (headers as a plain record), but the
  // server reading this one is Apollo's, which takes a HeaderMap and ignores anything else.
  Object.assign(error.extensions, { http: { status: error.httpStatus, headers: new HeaderMap([['retry-after', String(refusal.retryAfterSeconds)]]) } });
  return error;
}
