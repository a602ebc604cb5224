import { sql, type Store } from '../../lib/store/index.js';
import type { TestFederation } from './federation.js';
import { asPersona, type Answer } from './http-client.js';

/**
 * The access log as an auditor reads it: through the gateway, with the auditor persona and
 * purpose OVERSIGHT_AUDIT (each such read is itself logged).
 */
export interface AccessEvent {
  readonly id: string;
  readonly at: string;
  readonly requestId: string;
  readonly subjectSub: string | null;
  readonly subjectOrg: string | null;
  readonly agency: string | null;
  readonly purpose: string | null;
  readonly justification: string | null;
  readonly action: string;
  readonly recordType: string | null;
  readonly recordId: string | null;
  readonly decision: 'ALLOW' | 'PARTIAL' | 'DENY';
  readonly fieldsReleased: readonly string[];
  readonly fieldsRedacted: readonly string[];
  readonly rules: readonly string[];
  readonly service: string;
  readonly chain: string;
  readonly seq: number;
  /** Index among its event's items (the id is `<chain>:<seq>.<item>`). */
  readonly item: number;
  readonly itemCount: number;
}

export const ACCESS_EVENT_FIELDS =
  'id at requestId subjectSub subjectOrg agency purpose justification action recordType recordId decision fieldsReleased fieldsRedacted rules service chain seq item itemCount';

export async function asAuditor(fed: TestFederation, query: string, variables: Readonly<Record<string, unknown>> = {}): Promise<Answer> {
  return asPersona(fed, 'auditor', 'OVERSIGHT_AUDIT', query, variables);
}

/** Every entry matching the filter (one page of up to 500), newest first. */
export async function accessLog(fed: TestFederation, filter: Readonly<Record<string, unknown>>): Promise<readonly AccessEvent[]> {
  const { body } = await asAuditor(fed, `query Log($filter: AccessLogFilter) { accessLog(filter: $filter, first: 500) { edges { node { ${ACCESS_EVENT_FIELDS} } } } }`, {
    filter,
  });
  if (body.errors !== undefined) throw new Error(`accessLog failed: ${JSON.stringify(body.errors)}`);
  const connection = body.data?.accessLog as { readonly edges: readonly { readonly node: AccessEvent }[] };
  return connection.edges.map((edge) => edge.node);
}

/**
 * Alters one stored entry (an item of an audit event: its fields released) as a database owner
 * could: with triggers off for the transaction (`session_replication_role = replica`), which the
 * append-only triggers cannot prevent; only the hash chain (here the event's items root) can tell.
 */
export async function tamperWithEntry(store: Store, chain: string, seq: number, fieldsReleased: readonly string[], item = 0): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    const [row] = await tx.query(sql`SELECT items FROM audit.events WHERE chain = ${chain} AND seq = ${seq}`);
    const items: unknown = JSON.parse(String(row?.['items'] ?? 'null'));
    const target: unknown = Array.isArray(items) ? items[item] : undefined;
    if (!Array.isArray(target)) throw new Error(`no audit entry ${chain}:${seq}.${item} to alter`);
    target[3] = [...fieldsReleased];
    await tx.query(sql`UPDATE audit.events SET items = ${JSON.stringify(items)} WHERE chain = ${chain} AND seq = ${seq}`);
  });
}
