import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkOperationArguments, useArgumentChecks } from '../../lib/server/argument-checks.js';
import { MAX_ID_LENGTH } from '../../lib/server/argument-values.js';
import { genericValidationMessage } from '../../lib/server/validation-messages.js';

/** A schema of the shapes the real ones use, with bare custom scalars as the gateway's supergraph has. */
const schema = buildSchema(`
  scalar DateTime
  scalar Date
  scalar _Any
  enum Sector { TUCSON RGV }
  input Window { from: DateTime, to: DateTime }
  input Filter { sector: Sector, seen: Window, tags: [String!], day: Date }
  type Thing { id: ID! }
  type Query {
    things(filter: Filter, first: Int, after: String): [Thing!]!
    thing(id: ID!): Thing
    _entities(representations: [_Any!]!): [Thing]!
  }
`);

/** The first problem `checkOperationArguments` finds, as its message; undefined when there is none. */
function problem(source: string, variables?: Record<string, unknown>): string | undefined {
  const document = parse(source);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition');
  if (!operation) throw new Error('no operation');
  return checkOperationArguments(schema, document, operation, variables)?.message;
}

describe('argument checks', () => {
  it('passes well-formed arguments, written and in variables', () => {
    expect(problem('{ things(first: 5, filter: { sector: TUCSON, seen: { from: "2026-01-01T00:00:00Z" }, day: "2026-02-01" }) { id } }')).toBeUndefined();
    expect(problem('query($f: Filter, $n: Int) { things(filter: $f, first: $n) { id } }', { n: 0, f: { tags: ['a', 'b'], seen: { to: '2026-01-01T00:00:00+01:00' } } })).toBeUndefined();
    expect(problem('query($r: [_Any!]!) { _entities(representations: $r) { id } }', { r: [{ __typename: 'Thing', id: 'T-1' }] })).toBeUndefined();
  });

  it('names the argument by its path inside input objects and lists', () => {
    expect(problem('{ things(filter: { seen: { from: "now" } }) { id } }')).toMatch(/^Argument "filter\.seen\.from" of field "things" expected an ISO 8601 date-time/);
    expect(problem('query($f: Filter) { things(filter: $f) { id } }', { f: { tags: ['ok', 'a\u0000'] } })).toMatch(/^Argument "filter\.tags\[1\]" of field "things" contains a NUL byte/);
    expect(problem('query($d: Date) { things(filter: { day: $d }) { id } }', { d: '2026-1-1' })).toMatch(/^Argument "filter\.day" of field "things" expected a calendar date/);
  });

  it('refuses a negative page, a 64-bit Int, a garbage cursor, an absurd id and broken Unicode', () => {
    expect(problem('{ things(first: -1) { id } }')).toBe('Argument "first" of field "things" is a page size and must be 0 or more, got -1');
    expect(problem('query($n: Int) { things(first: $n) { id } }', { n: 2 ** 40 })).toMatch(/^Argument "first" of field "things" must be a whole number within 32 bits/);
    expect(problem('{ things(after: "%%%") { id } }')).toMatch(/^Argument "after" of field "things" is not a cursor from this API/);
    expect(problem('query($id: ID!) { thing(id: $id) { id } }', { id: 'x'.repeat(MAX_ID_LENGTH + 1) })).toMatch(/^Argument "id" of field "thing" is 129 characters long/);
    expect(problem('query($id: ID!) { thing(id: $id) { id } }', { id: `a${String.fromCharCode(0xdc00)}` })).toMatch(/not valid Unicode/);
    // A well-formed pair of surrogates is one character, and fine.
    expect(problem('query($id: ID!) { thing(id: $id) { id } }', { id: 'a😀' })).toBeUndefined();
  });

  it('looks inside custom scalars it does not know, and into fragments the operation spreads', () => {
    expect(problem('query($r: [_Any!]!) { _entities(representations: $r) { id } }', { r: [{ __typename: 'Thing', id: 'T\u0000' }] })).toMatch(/^Argument "representations\[0\]" of field "_entities" contains a NUL byte/);
    expect(problem('query($id: ID!) { ...F } fragment F on Query { thing(id: $id) { id } }', { id: '\u0000' })).toMatch(/^Argument "id" of field "thing"/);
  });

  it('uses a variable’s default when the request leaves it out, and leaves enums and wrong types to graphql-js', () => {
    expect(problem('query($n: Int = -3) { things(first: $n) { id } }', {})).toMatch(/must be 0 or more, got -3/);
    expect(problem('query($f: Filter) { things(filter: $f) { id } }', { f: { sector: 'tucson' } })).toBeUndefined();
    expect(problem('query($n: Int) { things(first: $n) { id } }', { n: 'five' })).toBeUndefined();
  });

  it('judges written values as a validation rule, where variables are not known yet', () => {
    const { validationRule } = useArgumentChecks();
    const errors = validate(schema, parse('query($n: Int) { things(first: -2) { id } more: things(first: $n) { id } }'), [validationRule]);
    expect(errors.map((error) => [error.message, error.extensions['code']])).toEqual([['Argument "first" of field "things" is a page size and must be 0 or more, got -2', 'BAD_USER_INPUT']]);
  });
});

describe('production validation messages', () => {
  it.each([
    ['Field "routes" of type "RouteConnection!" must have a selection of subfields. Did you mean "routes { ... }"?', 'Field "routes" needs a selection of subfields.'],
    ['Value "X" does not exist in "Sector" enum.', 'Value "X" is not allowed here.'],
    ['Cannot query field "nmae" on type "Route".', 'Cannot query field "nmae" here.'],
    ['Unknown argument "idd" on field "Query.route".', 'Unknown argument "idd" on field "route".'],
    ['Field "route" argument "id" of type "ID!" is required, but it was not provided.', 'Field "route" argument "id" is required, but it was not provided.'],
    ['Variable "$f" got invalid value {}; Field "RouteFilter.sector" of required type "Sector!" was not provided.', 'Variable "$f" got invalid value {}; Input field "sector" is required but was not provided.'],
    ['Fields "a" conflict because they return conflicting types "Route" and "Network". Use different aliases on the fields to fetch both if this was intentional.', 'Fields "a" conflict because they return conflicting types. Use different aliases on the fields to fetch both if this was intentional.'],
    ['Argument "id" of non-null type "ID!" must not be null.', 'Argument "id" must not be null.'],
  ])('rewrites %j', (message, generic) => {
    expect(genericValidationMessage(message)).toBe(generic);
  });

  it.each(['Unknown type "Rout".', 'Int cannot represent non-integer value: "x"', 'Syntax Error: Expected Name, found <EOF>.'])('keeps %j', (message) => {
    expect(genericValidationMessage(message)).toBe(message);
  });
});
