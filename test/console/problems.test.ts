import { describe, expect, it } from 'vitest';
import { GatewayClient, requestHeaders } from '../../console/src/api/client.js';
import { object } from '../../console/src/api/decode.js';
import { ApiError, describeProblem, endsSession, problemFromResponse, type Problem } from '../../console/src/api/problems.js';

const failure = (code: string, message = `${code} happened`) => ({ errors: [{ message, extensions: { code } }] });

describe('what went wrong, from the gateway\u2019s answer', () => {
  it.each([
    [401, failure('UNAUTHENTICATED'), 'unauthenticated'],
    [200, { data: { accessLog: null }, ...failure('FORBIDDEN') }, 'not-auditor'],
    [403, failure('PURPOSE_REQUIRED'), 'not-auditor'],
    [200, failure('AUDIT_UNAVAILABLE'), 'audit-unavailable'],
    [200, failure('SERVICE_UNAVAILABLE'), 'service-unavailable'],
    [429, failure('RATE_LIMITED'), 'rate-limited'],
    [200, failure('BAD_USER_INPUT'), 'bad-input'],
    [400, failure('OPERATION_LIMIT'), 'bad-input'],
    [200, failure('INTERNAL_SERVER_ERROR'), 'server'],
    [401, null, 'unauthenticated'],
    [502, null, 'unreachable'],
    [504, 'gateway timeout', 'unreachable'],
    [500, null, 'server'],
  ] as const)('HTTP %d with %j is %s', (status, body, kind) => {
    expect(problemFromResponse(status, body)?.kind).toBe(kind);
  });

  it('is nothing at all for data without errors', () => {
    expect(problemFromResponse(200, { data: { accessLog: { totalCount: 0 } } })).toBeNull();
  });

  it('lets a refused token explain every other error of the same answer', () => {
    const body = { errors: [failure('AUDIT_UNAVAILABLE').errors[0], failure('UNAUTHENTICATED').errors[0]] };
    expect(problemFromResponse(200, body)?.kind).toBe('unauthenticated');
  });

  it('names the request id of a server failure, for the operator', () => {
    expect(problemFromResponse(200, failure('INTERNAL_SERVER_ERROR', 'Internal error'), 'req-42')?.detail).toBe('Internal error (request id req-42)');
  });

  it.each([
    [{ kind: 'unauthenticated', detail: '' }, 'Your token has expired or is not valid.'],
    [{ kind: 'not-auditor', detail: '' }, "This token is not an auditor's."],
    [{ kind: 'audit-unavailable', detail: '' }, 'The audit store is unavailable.'],
    [{ kind: 'unreachable', detail: '' }, 'The gateway is unreachable.'],
  ] as const)('tells the auditor plainly: %j', (problem, sentence) => {
    expect(describeProblem(problem).startsWith(sentence)).toBe(true);
  });

  it('ends the session only for a token that is no good here', () => {
    const kinds: Problem['kind'][] = ['unauthenticated', 'not-auditor', 'audit-unavailable', 'unreachable', 'service-unavailable', 'rate-limited', 'bad-input', 'server'];
    expect(kinds.filter((kind) => endsSession({ kind, detail: '' }))).toEqual(['unauthenticated', 'not-auditor']);
  });
});

describe('the gateway client', () => {
  it('sends the token and the OVERSIGHT_AUDIT purpose with every call, to /graphql', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const client = new GatewayClient('tok.en.sig', '/graphql', async (url, init) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ data: { ok: true } }), { status: 200 });
    });
    await expect(client.request({ query: '{ ok }' }, (data) => data)).resolves.toEqual({ ok: true });
    expect(calls[0]?.url).toBe('/graphql');
    expect(calls[0]?.init.headers).toEqual(requestHeaders('tok.en.sig'));
    expect(requestHeaders('t')).toMatchObject({ authorization: 'Bearer t', 'x-purpose-of-use': 'OVERSIGHT_AUDIT' });
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ query: '{ ok }', variables: {} });
  });

  it('reports a gateway it cannot reach as unreachable', async () => {
    const client = new GatewayClient('t', '/graphql', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(client.request({ query: '{ ok }' }, (data) => data)).rejects.toMatchObject({ problem: { kind: 'unreachable' } });
  });

  it('reports an answer of an unexpected shape instead of showing undefined', async () => {
    const client = new GatewayClient('t', '/graphql', async () => new Response('{"data":{"accessLog":{"edges":"?"}}}', { status: 200 }));
    const strict = client.request({ query: '{ accessLog { edges } }' }, (data) => object(object(data, 'data')['missing'], 'missing'));
    await expect(strict).rejects.toBeInstanceOf(ApiError);
    await expect(strict).rejects.toMatchObject({ problem: { kind: 'server', detail: 'unexpected answer (missing: expected an object)' } });
  });
});
