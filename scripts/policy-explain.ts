/**
 * Explains one access decision to an operator:
 * `npm run policy:explain -- --persona ngo-legal --purpose LEGAL_SERVICES --type Transfer --id T-000001`.
 *
 * Reads the record with its policy attributes exactly as its owning subgraph does (that
 * subgraph's SQL and row reader, at the time of the explanation), builds the persona's
 * principal, and prints the engine's explanation (every rule about the type, whether it applied
 * and which condition failed) followed by the verdict for every field.
 *
 * Store: DATABASE_URL, else the embedded store in DATA_DIR (default `data/pglite`). Exit codes:
 * 0 explained (visible or not), 2 bad flags, unknown persona, type or id, or no store to read.
 *
 * Warning: the embedded store serves one process at a time. Opening it while `npm start` runs
 * on it would read stale pages and can corrupt it, so this command refuses while the store's
 * lock file is present.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { idIn } from '../lib/access/record-meta.js';
import { PURPOSES, RECORD_TYPES, isPurpose, type Principal, type Purpose, type RecordType, type SubgraphName } from '../lib/domain.js';
import { DEV_ISSUER, PERSONAS, PERSONA_NAMES, isPersonaName, type PersonaName } from '../lib/identity/index.js';
import { StoreUnavailableError, openExistingStore } from '../lib/store/existing.js';
import { raw, sql, type Queryable, type Row, type Sql, type Store } from '../lib/store/index.js';
import { isRecordId } from '../lib/validate.js';
import { categoryOf, defaultPolicyEngine, fieldNames, type AccessRequest, type PolicyRecord, type Relation, type TributaryPolicyEngine } from '../policies/index.js';
import { ENCOUNTER_SELECT, ROUTE_SELECT, readEncounter, readRoute } from '../subgraphs/cbp/records.js';
import { NETWORK_SELECT, PERSON_SELECT, readNetwork, readPerson, readTransfer, transferSelect } from '../subgraphs/ice/records.js';
import { PROVIDER_SELECT, REFERRAL_SELECT, readProvider, readReferral } from '../subgraphs/ngo/records.js';
import { BOOKING_SELECT, readBooking } from '../subgraphs/partner/records.js';
import { readSettings, type Settings } from '../lib/config.js';

const USAGE = `Usage: npm run policy:explain -- --persona <name> --type <RecordType> --id <record id> [--purpose <PURPOSE>]
                              [--member-of <network id>] [--at <ISO time>]
  --persona     one of ${PERSONA_NAMES.join(', ')}
  --type        one of ${RECORD_TYPES.join(', ')}
  --purpose     one of ${PURPOSES.join(', ')} (default: the persona's first purpose)
  --member-of   explain a Person as reached through that network's members (rule 3)
  --at          evaluate at this time instead of now (consent expiry, the five-year review)
Store: DATABASE_URL, else the embedded store in DATA_DIR (default data/pglite); stop npm start first.`;

/** A mistake in the command line: printed with the usage, exit code 2. */
export class ExplainUsageError extends Error {
  override readonly name = 'ExplainUsageError';
}

export interface ExplainRequest {
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  readonly type: RecordType;
  readonly id: string;
  /** Evaluation time: consent expiry and the five-year review are judged against it. */
  readonly now: Date;
  /** A network id: the Person is explained as one of its members (`Network.members`). */
  readonly memberOf?: string | undefined;
}

export type ExplainOutcome =
  | { readonly kind: 'explained'; readonly visible: boolean; readonly text: string }
  | { readonly kind: 'not-found'; readonly message: string };

/** The subgraph that owns each record type: its SQL and row reader are the ones used here. */
export const OWNING_SUBGRAPH: Readonly<Record<RecordType, SubgraphName>> = {
  Network: 'ice',
  Person: 'ice',
  Transfer: 'ice',
  Route: 'cbp',
  Encounter: 'cbp',
  Booking: 'partner',
  Referral: 'ngo',
  Provider: 'ngo',
};

/**
 * The command's core: reads the record as its owner does, decides, and returns the text an
 * operator reads. An unknown id (or one that cannot be an id) is `not-found`, not an error.
 */
export async function explainRecord(store: Queryable, request: ExplainRequest, engine: TributaryPolicyEngine = defaultPolicyEngine()): Promise<ExplainOutcome> {
  return explainTyped(store, request, request.type, engine);
}

async function explainTyped<T extends RecordType>(store: Queryable, request: ExplainRequest, type: T, engine: TributaryPolicyEngine): Promise<ExplainOutcome> {
  const { id, now } = request;
  const record = isRecordId(id) ? await READERS[type](store, id, now) : undefined;
  if (record === undefined) return { kind: 'not-found', message: `No ${type} with id "${id.slice(0, 64)}" in this store (read by the ${OWNING_SUBGRAPH[type]} subgraph's SQL)` };

  let relation: Relation | undefined;
  if (request.memberOf !== undefined) {
    if (type !== 'Person') throw new ExplainUsageError('--member-of explains a Person reached as a network member; use it with --type Person');
    const network = isRecordId(request.memberOf) ? await READERS.Network(store, request.memberOf, now) : undefined;
    if (network === undefined) return { kind: 'not-found', message: `No Network with id "${request.memberOf.slice(0, 64)}" for --member-of` };
    relation = { parentType: 'Network', parent: network, field: 'members' };
  }

  const principal = principalOf(request.persona);
  const access: AccessRequest = { principal, purpose: request.purpose, now };
  const decision = engine.decide(access, type, record, relation);
  const explanation = engine.explainDecision(access, type, record, relation);
  const rows = fieldNames(type).map((field) => {
    const verdict = decision.field(field);
    return [field, categoryOf(type, field) ?? '?', verdict.allowed ? 'released' : 'withheld', verdict.rule] as const;
  });
  const table = formatTable(['field', 'category', 'verdict', 'rule'], rows);
  const heading = `Fields of ${type} ${record.id} for ${principal.sub} with purpose ${request.purpose}${decision.visible ? '' : ' (the whole record is withheld)'}:`;
  return { kind: 'explained', visible: decision.visible, text: `${explanation}\n\n${heading}\n${table}` };
}

/** The persona's claims as a verified principal of the development issuer. */
export function principalOf(persona: PersonaName): Principal {
  return { iss: DEV_ISSUER, ...PERSONAS[persona] };
}

type ReadRecord<T extends RecordType> = (store: Queryable, id: string, now: Date) => Promise<PolicyRecord<T> | undefined>;

async function first<R>(store: Queryable, statement: Sql, read: (row: Row) => R): Promise<R | undefined> {
  const [row] = await store.query(statement);
  return row === undefined ? undefined : read(row);
}

/** One reader per type: the owning subgraph's SELECT (with its policy facts) and row reader. */
const READERS: { readonly [T in RecordType]: ReadRecord<T> } = {
  Network: (store, id, now) => first(store, sql`${NETWORK_SELECT} WHERE ${idIn(raw('n.id'), [id])}`, (row) => readNetwork(row, now)),
  Person: (store, id) => first(store, sql`${PERSON_SELECT} WHERE ${idIn(raw('p.id'), [id])}`, readPerson),
  Transfer: (store, id, now) => first(store, sql`${transferSelect(now)} WHERE ${idIn(raw('t.id'), [id])}`, readTransfer),
  Route: (store, id) => first(store, sql`${ROUTE_SELECT} WHERE ${idIn(raw('r.id'), [id])}`, readRoute),
  Encounter: (store, id) => first(store, sql`${ENCOUNTER_SELECT} WHERE ${idIn(raw('e.id'), [id])}`, readEncounter),
  Booking: (store, id) => first(store, sql`${BOOKING_SELECT} WHERE ${idIn(raw('b.id'), [id])}`, readBooking),
  Referral: (store, id) => first(store, sql`${REFERRAL_SELECT} WHERE ${idIn(raw('r.id'), [id])}`, readReferral),
  Provider: (store, id) => first(store, sql`${PROVIDER_SELECT} WHERE ${idIn(raw('pv.id'), [id])}`, readProvider),
};

function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => `  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** `argv` as the command receives it; `help` when only the usage was asked for. */
export function parseExplainArgs(argv: readonly string[], now: Date = new Date()): ExplainRequest | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        persona: { type: 'string', short: 'p' },
        purpose: { type: 'string' },
        type: { type: 'string', short: 't' },
        id: { type: 'string' },
        'member-of': { type: 'string' },
        at: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ExplainUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';

  const persona = values.persona;
  if (persona === undefined) throw new ExplainUsageError('--persona is required');
  if (!isPersonaName(persona)) throw new ExplainUsageError(`Unknown persona "${persona.slice(0, 64)}"; expected one of ${PERSONA_NAMES.join(', ')}`);
  const typeName = values.type;
  if (typeName === undefined) throw new ExplainUsageError('--type is required');
  const type = RECORD_TYPES.find((candidate) => candidate.toLowerCase() === typeName.toLowerCase());
  if (type === undefined) throw new ExplainUsageError(`Unknown record type "${typeName.slice(0, 64)}"; expected one of ${RECORD_TYPES.join(', ')}`);
  const id = values.id;
  if (id === undefined || id.trim() === '') throw new ExplainUsageError('--id is required');

  const held = PERSONAS[persona].purposes;
  const purpose = values.purpose ?? held[0];
  if (purpose === undefined) throw new ExplainUsageError(`Persona ${persona} holds no purpose of use; name one with --purpose`);
  // A purpose the persona does not hold is still explained (the engine says nothing is granted);
  // one that is not a purpose at all is a typo.
  if (!isPurpose(purpose)) throw new ExplainUsageError(`Unknown purpose "${purpose.slice(0, 64)}"; expected one of ${PURPOSES.join(', ')}`);

  let at = now;
  if (values.at !== undefined) {
    at = new Date(values.at);
    if (Number.isNaN(at.getTime())) throw new ExplainUsageError(`--at must be an ISO time, got "${values.at.slice(0, 64)}"`);
  }
  return { persona, purpose, type, id: id.trim(), now: at, memberOf: values['member-of'] };
}

/** The store the services use: DATABASE_URL, else the embedded store, refused while in use. */
export const openServiceStore = (settings: Settings = readSettings()): Promise<Store> =>
  openExistingStore(settings.databaseUrl, settings.dataDir);

async function main(argv: readonly string[]): Promise<number> {
  const request = parseExplainArgs(argv);
  if (request === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const store = await openServiceStore();
  try {
    const outcome = await explainRecord(store, request);
    if (outcome.kind === 'not-found') {
      process.stderr.write(`${outcome.message}\n`);
      return 2;
    }
    process.stdout.write(`${outcome.text}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ExplainUsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      else if (error instanceof StoreUnavailableError) process.stderr.write(`${error.message}\n`);
      else process.stderr.write(`policy:explain failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
