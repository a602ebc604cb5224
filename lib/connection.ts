import { TributaryError, badInput } from './errors.js';

/**
 * Relay-style connections over keyset pagination: rows are ordered by id, and the opaque
 * cursor carries the last id seen, so page N costs the same as page 1.
 */

/** The page a connection returns when `first` is omitted; the largest is a setting (`LIMIT_MAX_PAGE_SIZE`). */
export const DEFAULT_PAGE_SIZE = 50;

export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

export interface Page {
  /** Rows to fetch: one more than the page, to learn whether another page follows. */
  readonly limit: number;
  readonly size: number;
  readonly afterId: string | null;
}

export function encodeCursor(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/** A cursor is `<Type>:<id>` in base64url; ids are short, so a cursor never needs to be long. */
const CURSOR = /^[A-Za-z0-9_-]{1,400}$/;
const DECODED_CURSOR = /^[A-Za-z][A-Za-z0-9]*:[^\u0000]+$/u;

/**
 * Why a string cannot be a cursor of this API (of any type), or undefined when it may be one.
 * The argument checks refuse garbage with this before execution; `decodeCursor` still checks
 * the type when the page is read.
 */
export function cursorProblem(cursor: string): string | undefined {
  if (!CURSOR.test(cursor)) return 'is not a cursor from this API (cursors are short base64url strings)';
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!DECODED_CURSOR.test(decoded) || Buffer.from(decoded, 'utf8').toString('base64url') !== cursor) return 'is not a cursor from this API';
  return undefined;
}

export function decodeCursor(type: string, cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${type}:`;
  if (!decoded.startsWith(prefix) || decoded.length === prefix.length || encodeCursor(type, decoded.slice(prefix.length)) !== cursor) {
    throw badInput(`Cursor "${cursor.slice(0, 40)}" is not a ${type} cursor from this API`);
  }
  return decoded.slice(prefix.length);
}

/**
 * The page `args` ask for, at most `maxPageSize` records (the operator's `LIMIT_MAX_PAGE_SIZE`,
 * the same figure the gateway admits): a larger one is refused with the gateway's code,
 * `OPERATION_LIMIT`, so a subgraph reached directly is no softer and says so the same way.
 */
export function readPage(type: string, args: PageArgs, maxPageSize: number): Page {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0) throw badInput(`Argument "first" must be a whole number from 0 to ${maxPageSize}, got ${size}`, { argument: 'first' });
  if (size > maxPageSize) throw pageSizeLimit(size, maxPageSize);
  return { size, limit: size + 1, afterId: args.after ? decodeCursor(type, args.after) : null };
}

/** `OPERATION_LIMIT` for a page past the limit, worded and detailed as the gateway's. */
export function pageSizeLimit(size: number, maxPageSize: number): TributaryError {
  return new TributaryError('OPERATION_LIMIT', `Page size ${size} exceeds the limit of ${maxPageSize}`, {
    details: { limit: 'pageSize', max: maxPageSize, actual: size },
  });
}

export interface Connection<N> {
  readonly edges: readonly { readonly cursor: string; readonly node: N }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: number;
}

/** `nodes` are the released records of the rows fetched with `page.limit`, in order. */
export function toConnection<N extends { readonly id: string }>(
  type: string,
  page: Page,
  nodes: readonly N[],
  fetchedRows: number,
  totalCount: number,
): Connection<N> {
  const edges = nodes.slice(0, page.size).map((node) => ({ cursor: encodeCursor(type, node.id), node }));
  const last = edges[edges.length - 1];
  return {
    edges,
    pageInfo: { hasNextPage: fetchedRows > page.size, endCursor: last ? last.cursor : null },
    totalCount,
  };
}
