/**
 * Mints a development token: `npm run token -- --persona cbp-analyst`, or composes one from flags
 * (`--agency CBP --org cbp-tucson --roles analyst --purposes INVESTIGATION --pii`). Only the token
 * goes to stdout, so that `TOKEN=$(npm run -s token -- --persona auditor)` works; problems go to
 * stderr with exit code 2 (bad flags) or 1 (anything else).
 */
import { parseArgs } from 'node:util';
import { readSettings } from '../lib/config.js';
import { AGENCIES, PURPOSES, ROLES, SECTORS, isAgency, isPurpose, isRole } from '../lib/domain.js';
import { TributaryError } from '../lib/errors.js';
import {
  DEFAULT_TOKEN_TTL_SECONDS,
  PERSONAS,
  PERSONA_NAMES,
  isJurisdiction,
  isPersonaName,
  mintToken,
  parseSubjectClaims,
} from '../lib/identity/index.js';
import type { SubjectClaims } from '../lib/identity/index.js';

/**
 * The longest lifetime services accept (TOKEN_MAX_LIFETIME_SECONDS, read as they read it): a
 * longer --ttl is refused here rather than printed as a token every service would refuse.
 */
const maxTtlSeconds = (): number => readSettings().tokenMaxLifetimeSeconds;

const USAGE = `Usage:
  npm run -s token -- --persona <name>            sign a token for a development persona
  npm run -s token -- --list                      list the personas
  npm run -s token -- --agency CBP --org cbp-tucson [--roles analyst,agent] [--jurisdictions TUCSON]
                      [--purposes INVESTIGATION] [--pii] [--cfr28] [--sworn] [--sub <id>]
Flags also override a persona's claims (--no-pii, --no-cfr28, --no-sworn turn flags off).
  --ttl <seconds>       lifetime (default ${DEFAULT_TOKEN_TTL_SECONDS}, at most TOKEN_MAX_LIFETIME_SECONDS, 86400 unless set)
  --audience <aud>      default: env TOKEN_AUDIENCE, else "tributary"
  --role, --jurisdiction, --purpose may be repeated instead of the comma-separated lists.`;

/** A mistake in the command line: reported with the usage and exit code 2. */
class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv);
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.list === true) {
    process.stdout.write(`${listPersonas()}\n`);
    return;
  }
  const claims = composeClaims(values);
  const ttl = parseTtl(values.ttl);
  const token = await mintToken(claims, { expiresIn: ttl, ...(values.audience === undefined ? {} : { audience: values.audience }) });
  process.stdout.write(`${token}\n`);
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      allowNegative: true,
      options: {
        persona: { type: 'string', short: 'p' },
        list: { type: 'boolean', short: 'l' },
        help: { type: 'boolean', short: 'h' },
        agency: { type: 'string' },
        org: { type: 'string' },
        sub: { type: 'string' },
        roles: { type: 'string' },
        role: { type: 'string', multiple: true },
        jurisdictions: { type: 'string' },
        jurisdiction: { type: 'string', multiple: true },
        purposes: { type: 'string' },
        purpose: { type: 'string', multiple: true },
        pii: { type: 'boolean' },
        cfr28: { type: 'boolean' },
        sworn: { type: 'boolean' },
        ttl: { type: 'string' },
        audience: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

type Flags = ReturnType<typeof parseFlags>['values'];

function composeClaims(flags: Flags): SubjectClaims {
  const personaName = flags.persona;
  if (personaName !== undefined && !isPersonaName(personaName)) {
    throw new UsageError(`unknown persona "${personaName}"; known: ${PERSONA_NAMES.join(', ')}`);
  }
  const persona = personaName === undefined ? undefined : PERSONAS[personaName];
  if (persona === undefined && (flags.agency === undefined || flags.org === undefined)) {
    throw new UsageError('give --persona <name>, or at least --agency and --org (see --list)');
  }
  const agency = flags.agency ?? persona?.agency;
  if (!isAgency(agency)) throw new UsageError(`--agency must be one of ${AGENCIES.join(', ')}`);
  const org = flags.org ?? persona?.org ?? '';
  // A persona moved to another org gets a matching subject, so audit entries stay readable.
  const defaultSub = persona !== undefined && flags.org === undefined ? persona.sub : `${personaName ?? 'user'}@${org}`;
  const claims: SubjectClaims = {
    sub: flags.sub ?? defaultSub,
    agency,
    org,
    roles: listFlag('roles', flags.roles, flags.role, isRole, ROLES) ?? persona?.roles ?? [],
    jurisdictions:
      listFlag('jurisdictions', flags.jurisdictions, flags.jurisdiction, isJurisdiction, [...SECTORS, 'county:<name>']) ??
      persona?.jurisdictions ??
      [],
    purposes: listFlag('purposes', flags.purposes, flags.purpose, isPurpose, PURPOSES) ?? persona?.purposes ?? [],
    pii: flags.pii ?? persona?.pii ?? false,
    cfr28: flags.cfr28 ?? persona?.cfr28 ?? false,
    sworn: flags.sworn ?? persona?.sworn ?? false,
  };
  // The same validation a verifier applies, so that the command never prints a token services refuse.
  try {
    return parseSubjectClaims(claims);
  } catch (error) {
    if (error instanceof TributaryError) throw new UsageError(error.message);
    throw error;
  }
}

/** Undefined when neither the list flag nor its repeatable singular was given. */
function listFlag<T extends string>(
  name: string,
  commaList: string | undefined,
  repeated: readonly string[] | undefined,
  isMember: (value: unknown) => value is T,
  known: readonly string[],
): readonly T[] | undefined {
  if (commaList === undefined && repeated === undefined) return undefined;
  const items = [...(commaList?.split(',') ?? []), ...(repeated ?? [])].map((item) => item.trim()).filter((item) => item !== '');
  const members: T[] = [];
  for (const item of items) {
    if (!isMember(item)) throw new UsageError(`--${name}: unknown value "${item}"; expected ${known.join(', ')}`);
    if (!members.includes(item)) members.push(item);
  }
  return members;
}

function parseTtl(raw: string | undefined): number {
  const max = maxTtlSeconds();
  // An operator who set a maximum below an hour still gets a token services accept.
  if (raw === undefined) return Math.min(DEFAULT_TOKEN_TTL_SECONDS, max);
  const ttl = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new UsageError(`--ttl must be a whole number of seconds between 1 and ${max}, got "${raw}"`);
  }
  if (ttl > max) {
    throw new UsageError(
      `--ttl ${ttl} exceeds the maximum token lifetime of ${max} s (TOKEN_MAX_LIFETIME_SECONDS): services would refuse the token`,
    );
  }
  return ttl;
}

function listPersonas(): string {
  const width = Math.max(...PERSONA_NAMES.map((name) => name.length));
  return PERSONA_NAMES.map((name) => {
    const p = PERSONAS[name];
    const flags = (['pii', 'cfr28', 'sworn'] as const).filter((flag) => p[flag]);
    return [
      name.padEnd(width),
      p.agency.padEnd(9),
      p.org.padEnd(19),
      `roles=${p.roles.join(',')}`,
      `jurisdictions=${p.jurisdictions.join(',')}`,
      `purposes=${p.purposes.join(',')}`,
      flags.join(' '),
    ]
      .join('  ')
      .trimEnd();
  }).join('\n');
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`token: ${error.message}\nRun "npm run token -- --help" for usage.\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
