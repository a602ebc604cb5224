import { describe, expect, it } from 'vitest';
import { parse, type OperationDefinitionNode } from 'graphql';
import { memoByOperation } from '../../lib/limits/operation-memo.js';
import { limitedServer } from './fixture.js';

/**
 * Page-size and cost limits remember what they learn of an operation's text (Apollo hands every
 * request with the same text the same parsed document); what variables decide must still be
 * decided per request. Each case sends one query text several times with different variables.
 */
describe('a query text sent again with other variables', () => {
  const nestedPages = 'query ($n: Int) { routes(first: $n) { edges { node { encounterPage(first: $n) { edges { node { id } } } } } } }';

  it('is refused for a page size only when that request asks for too large a page', async () => {
    const server = limitedServer();
    const query = 'query Page($n: Int) { networks(first: $n) { edges { node { id } } } }';
    expect((await server.run(query, { n: 5 })).errors).toEqual([]);
    const refused = await server.run(query, { n: 501 });
    expect(refused.status).toBe(400);
    expect(refused.errors[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'pageSize', actual: 501 });
    expect((await server.run(query, { n: -1 })).errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await server.run(query, { n: 500 })).errors).toEqual([]);
  });

  it('is refused for its cost only when that request\'s page sizes multiply past the budget', async () => {
    const server = limitedServer();
    expect((await server.run(nestedPages, { n: 10 })).errors).toEqual([]);
    const refused = await server.run(nestedPages, { n: 500 });
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0]?.message).toBe('Estimated operation cost 501,502 exceeds the limit of 250,000');
    expect(refused.errors[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'cost' });
    expect((await server.run(nestedPages, { n: 10 })).errors).toEqual([]);
    // Omitted, each page is the default size (50), and the two nested pages fit the budget.
    expect((await server.run(nestedPages)).errors).toEqual([]);
  });

  it('still decides correctly after many different sizes have come and gone', async () => {
    const server = limitedServer();
    for (let n = 1; n <= 40; n += 1) expect((await server.run(nestedPages, { n })).errors).toEqual([]);
    expect((await server.run(nestedPages, { n: 500 })).errors[0]?.extensions).toMatchObject({ limit: 'cost' });
    expect((await server.run(nestedPages, { n: 1 })).errors).toEqual([]);
  });

  it('honours a variable\'s default, and a value sent in its place', async () => {
    const server = limitedServer();
    const query = nestedPages.replace('$n: Int', '$n: Int = 500');
    expect((await server.run(query)).errors[0]?.extensions).toMatchObject({ limit: 'cost' });
    expect((await server.run(query, { n: 10 })).errors).toEqual([]);
    expect((await server.run(query)).errors[0]?.extensions).toMatchObject({ limit: 'cost' });
  });

  it('ignores variables that set no page size', async () => {
    const server = limitedServer();
    const query = 'query ($id: ID!, $n: Int) { network(id: $id) { id } networks(first: $n) { totalCount } }';
    expect((await server.run(query, { id: 'a', n: 10 })).errors).toEqual([]);
    expect((await server.run(query, { id: 'b', n: 10 })).errors).toEqual([]);
    expect((await server.run(query, { id: 'c', n: 501 })).errors[0]?.extensions).toMatchObject({ limit: 'pageSize' });
  });
});

describe('memoByOperation', () => {
  it('computes once per operation, and apart for each operation of a document', () => {
    const document = parse('query A { networks { totalCount } } query B { routes { totalCount } }');
    const [a, b] = document.definitions as readonly OperationDefinitionNode[];
    if (a === undefined || b === undefined) throw new Error('expected two operations');
    let computed = 0;
    const nameOf = memoByOperation((operation) => {
      computed += 1;
      return operation.name?.value;
    });
    expect([nameOf(a, document), nameOf(a, document), nameOf(b, document), nameOf(b, document)]).toEqual(['A', 'A', 'B', 'B']);
    expect(computed).toBe(2);
  });
});
