/**
 * Rotates a signer's keys: `npm run keys -- rotate --service gateway|audit [--prune] [--force]`,
 * `npm run keys -- prune --service gateway`, `npm run keys -- show --service gateway|audit`.
 *
 * `rotate`: the `next` key (published in the JWKS for at least KEY_PUBLICATION_LEAD_MS) becomes
 * `current` and signs; the old `current` becomes `retired` (still published); a new `next` is
 * published for the rotation after. A set without a next key gets one first, and rotate is run
 * again after the lead. `--force` skips the wait: verifiers that cached the JWKS before the next
 * key appeared refuse its signatures until their unknown-kid refetch (at most one cooldown).
 *
 * `prune` (or `rotate --prune`): the gateway drops keys retired for longer than an identity
 * token lives. The audit service's retired keys are never dropped: checkpoints they signed are
 * kept as long as the log.
 *
 * The key file: GATEWAY_IDENTITY_KEY_FILE / AUDIT_SIGNING_KEY_FILE, else the development key
 * directories. The running services pick the change up within KEY_SET_POLL_MS, no restart.
 * Exit 0 done, 1 refused (too soon), 2 bad flags or an unreadable key file.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AUDIT_KEY_DIR } from '../lib/audit/index.js';
import { readSettings, type Settings } from '../lib/config.js';
import {
  GATEWAY_IDENTITY_CLOCK_TOLERANCE_SECONDS,
  GATEWAY_KEY_DIR,
  GATEWAY_IDENTITY_TTL_SECONDS,
  KEY_PUBLICATION_LEAD_MS,
  devIssuerDir,
} from '../lib/identity/index.js';
import { pruneKeyFile, rotateKeyFile } from '../lib/identity/key-rotation.js';
import { ensureKeySetDir, readKeySetFile } from '../lib/identity/key-set-file.js';

const USAGE = `Usage: npm run keys -- <rotate|prune|show> --service gateway|audit [--prune] [--force]
  rotate    next -> current (signs), current -> retired (still published), new next published
  prune     drop the gateway's keys retired longer than an identity token lives (audit: never)
  show      list the keys, their states and since when
  --force   rotate even if the next key was published less than ${KEY_PUBLICATION_LEAD_MS / 1000} s ago`;

class UsageError extends Error {}

const SERVICES = ['gateway', 'audit'] as const;
type Signer = (typeof SERVICES)[number];
const isSigner = (value: unknown): value is Signer => value === 'gateway' || value === 'audit';

/** A gateway key may be dropped once every token it signed has expired, clock skew included. */
const GATEWAY_RETIRED_KEEP_MS = (GATEWAY_IDENTITY_TTL_SECONDS + GATEWAY_IDENTITY_CLOCK_TOLERANCE_SECONDS) * 1000;

async function keyFile(service: Signer, settings: Settings): Promise<{ readonly path: string; readonly where: string }> {
  const configured = (service === 'gateway' ? settings.gatewayIdentityKeyFile : settings.auditSigningKeyFile)?.trim();
  if (configured !== undefined && configured !== '') {
    const path = resolve(configured);
    return { path, where: `${service === 'gateway' ? 'GATEWAY_IDENTITY_KEY_FILE' : 'AUDIT_SIGNING_KEY_FILE'} ${path}` };
  }
  const dir = service === 'gateway' ? join(devIssuerDir({ DEV_ISSUER_DIR: settings.devIssuerDir }), GATEWAY_KEY_DIR) : AUDIT_KEY_DIR;
  const path = await ensureKeySetDir(dir);
  return { path, where: path };
}

async function prune(service: Signer, path: string, where: string): Promise<void> {
  if (service === 'audit') {
    process.stdout.write('audit: retired keys are kept published for as long as the checkpoints they signed (never pruned)\n');
    return;
  }
  const dropped = await pruneKeyFile(path, where, GATEWAY_RETIRED_KEEP_MS);
  process.stdout.write(dropped.length === 0 ? 'gateway: no retired key old enough to drop\n' : `gateway: dropped retired key(s) ${dropped.join(', ')}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { service: { type: 'string' }, prune: { type: 'boolean' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (extra.length > 0 || (command !== 'rotate' && command !== 'prune' && command !== 'show')) throw new UsageError('expected one command: rotate, prune or show');
  if (!isSigner(values.service)) throw new UsageError(`--service must be one of ${SERVICES.join(', ')}`);
  const service = values.service;
  const { path, where } = await keyFile(service, readSettings());

  switch (command) {
    case 'show': {
      for (const entry of (await readKeySetFile(path, where)).entries) {
        process.stdout.write(`${entry.state.padEnd(8)} ${entry.kid}  since ${entry.since.toISOString()}\n`);
      }
      return 0;
    }
    case 'prune':
      await prune(service, path, where);
      return 0;
    case 'rotate': {
      const result = await rotateKeyFile(path, where, { minPublishedMs: values.force === true ? 0 : KEY_PUBLICATION_LEAD_MS });
      switch (result.outcome) {
        case 'rotated':
          process.stdout.write(`${service}: now signing with ${result.signing}; retired ${result.retired} (still published); next ${result.next} published\n`);
          break;
        case 'prepared':
          process.stdout.write(`${service}: no next key was published; published ${result.next}. Run rotate again after ${result.usableAfter.toISOString()}\n`);
          break;
        case 'too-soon':
          process.stderr.write(`${service}: next key ${result.next} is published only since recently; verifiers may not have it yet. Retry after ${result.usableAfter.toISOString()} (or --force)\n`);
          return 1;
      }
      if (values.prune === true) await prune(service, path, where);
      return 0;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    else process.stderr.write(`keys failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
