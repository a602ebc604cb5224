import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Purpose } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import { sql, type Store } from '../../lib/store/index.js';
import type { GraphQLResult, TestFederation } from './federation.js';

export type GraphQLBody = GraphQLResult['body'];

export type GraphQLError = NonNullable<GraphQLBody['errors']>[number];

/** What came back, as a client sees it: status, headers, and the body parsed when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: GraphQLBody;
  /** The body as sent, for checks that nothing leaked (SQL, stacks, hints). */
  readonly text: string;
  readonly ms: number;
  /** The `x-request-id` response header: the id every audit entry of the request carries. */
  readonly requestId: string | null;
}

export interface SendOptions {
  readonly method?: 'GET' | 'POST';
  /** A raw body (malformed JSON, oversized documents); `json` is stringified otherwise. */
  readonly raw?: string;
  readonly json?: unknown;
  readonly token?: string;
  readonly purpose?: Purpose;
  readonly headers?: Readonly<Record<string, string>>;
  /** Query string for GET requests. */
  readonly search?: Readonly<Record<string, string>>;
  /** Aborting it disconnects the client before its answer (a user who gives up). */
  readonly signal?: AbortSignal;
}

/** A fresh, well-formed request id: ties a response to its audit entries. */
export const newRequestId = (): string => `test-${randomUUID()}`;

/** One HTTP request to a GraphQL endpoint, with whatever a hostile or faulty client would send. */
export async function send(url: string, options: SendOptions = {}): Promise<Answer> {
  const target = new URL(url);
  for (const [key, value] of Object.entries(options.search ?? {})) target.searchParams.set(key, value);
  const method = options.method ?? 'POST';
  const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const started = Date.now();
  const response = await fetch(target, {
    method,
    headers: {
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.purpose === undefined ? {} : { 'x-purpose-of-use': options.purpose }),
      ...(options.purpose === 'INVESTIGATION' ? { 'x-justification': 'CASE-2026-0042' } : {}),
      ...options.headers,
    },
    ...(body === undefined ? {} : { body }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return answerOf(response.status, response.headers, await response.text(), Date.now() - started);
}

/** An answer from what came over the wire (here, or from the burst client's thread). */
export function answerOf(status: number, headers: Headers, text: string, ms: number): Answer {
  let body: GraphQLBody = {};
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    // Not JSON (an HTML error page, an empty body): `text` holds it.
  }
  return { status, headers, body, text, ms, requestId: headers.get('x-request-id') };
}

/** A GraphQL POST as a persona, to the gateway or (with `url`) straight to a subgraph. */
export async function asPersona(
  fed: TestFederation,
  persona: PersonaName,
  purpose: Purpose,
  query: string,
  variables: Readonly<Record<string, unknown>> = {},
  url: string = fed.gatewayUrl,
): Promise<Answer> {
  return send(url, { token: await fed.token(persona), purpose, json: { query, variables } });
}

/** The `extensions.code` of each error, in order. */
export const codes = (body: GraphQLBody): (string | undefined)[] =>
  (body.errors ?? []).map((error) => (typeof error.extensions?.code === 'string' ? error.extensions.code : undefined));

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

/**
 * Whether a new TCP connection to the URL's port is accepted. Uses a connection of its own
 * (no keep-alive pool), which is what "new connections are refused" is about.
 */
export function acceptsConnections(url: string): Promise<boolean> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = httpRequest({ host: target.hostname, port: target.port, path: '/health', method: 'GET', agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** An audit entry as the tests look at it. */
export interface EntryRow {
  readonly chain: string;
  readonly service: string;
  readonly action: string;
  readonly decision: string;
  readonly recordType: string | null;
  readonly recordId: string | null;
  readonly subjectSub: string | null;
  readonly reason: string | null;
}

/** Every audit entry one request left, in every chain. */
export async function entriesOf(store: Store, requestId: string): Promise<EntryRow[]> {
  const rows = await store.query(sql`
    SELECT chain, service, action, decision, record_type, record_id, subject_sub, reason
    FROM audit.entries WHERE request_id = ${requestId} ORDER BY chain, seq, item`);
  return rows.map((row) => ({
    chain: String(row['chain']),
    service: String(row['service']),
    action: String(row['action']),
    decision: String(row['decision']),
    recordType: typeof row['record_type'] === 'string' ? row['record_type'] : null,
    recordId: typeof row['record_id'] === 'string' ? row['record_id'] : null,
    subjectSub: typeof row['subject_sub'] === 'string' ? row['subject_sub'] : null,
    reason: typeof row['reason'] === 'string' ? row['reason'] : null,
  }));
}

/** Entries of one action (e.g. READ) across the whole log: grows with every record released. */
export async function countEntries(store: Store, action: string): Promise<number> {
  const rows = await store.query(sql`SELECT count(*)::int AS n FROM audit.entries WHERE action = ${action}`);
  return Number(rows[0]?.['n'] ?? 0);
}
