import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SubgraphSource } from '../../gateway/subgraph-source.js';
import { TributaryError } from '../../lib/errors.js';

/** What RemoteGraphQLDataSource raises for a non-2xx answer: the status and the parsed body. */
const failedAnswer = (status: number, body: unknown): GraphQLError =>
  new GraphQLError(`${status}: answer`, { extensions: { response: { url: 'http://127.0.0.1:1/graphql', status, statusText: 'answer', body } } });

/** The error the gateway gets from the data source for that answer. */
function mapped(error: Error): TributaryError | GraphQLError {
  const source = new SubgraphSource({ name: 'ice', url: 'http://127.0.0.1:1/graphql', timeoutMs: 1_000, signIdentity: false });
  try {
    source.didEncounterError(error);
  } catch (thrown) {
    if (thrown instanceof GraphQLError) return thrown;
  }
  throw new Error('didEncounterError neither threw nor threw a GraphQLError');
}

describe("the gateway's reading of a subgraph's failed answer", () => {
  it('keeps AUDIT_UNAVAILABLE from a 503, names the service, and answers 503 with retry-after itself', () => {
    const error = mapped(failedAnswer(503, { errors: [{ message: 'The audit log could not be written; nothing was released', extensions: { code: 'AUDIT_UNAVAILABLE' } }] }));
    expect(error).toBeInstanceOf(TributaryError);
    expect(error.extensions).toMatchObject({ code: 'AUDIT_UNAVAILABLE', service: 'ice', http: { status: 503 } });
    expect((error as TributaryError).httpHeaders.get('retry-after')).toBe('5');
  });

  it("passes on a 400 BAD_USER_INPUT with the subgraph's message, naming the service", () => {
    const error = mapped(failedAnswer(400, { errors: [{ message: 'Argument "id" of field "person" contains a NUL byte', extensions: { code: 'BAD_USER_INPUT' } }] }));
    expect({ message: error.message, extensions: error.extensions }).toEqual({
      message: 'Argument "id" of field "person" contains a NUL byte',
      extensions: { code: 'BAD_USER_INPUT', service: 'ice' },
    });
  });

  it('calls any other 5xx the service being unavailable, and shows nothing of its body', () => {
    const error = mapped(failedAnswer(503, '<html>maintenance</html>'));
    expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'ice' });
    expect(error.message).not.toContain('maintenance');
  });
});
