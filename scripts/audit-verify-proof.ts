/**
 * Verifies an inclusion proof with no database or store at all:
 * `npm run audit:verify-proof -- FILE --jwks JWKS`, JWKS a file or the audit service's
 * `/.well-known/jwks.json` URL (SPEC section 2). The checkpoint's key is taken from that JWKS
 * only, never from the proof. Format and checks: docs/audit.md, "Inclusion proofs".
 *
 * Exit codes:
 *   0  valid: the item is in the event, the event in the chain up to a checkpoint the JWKS's key signed
 *   1  invalid, naming what does not match: ALTERED_ITEM, WRONG_PATH, BROKEN_LINK,
 *      BAD_SIGNATURE (a signature the JWKS's key does not verify, e.g. an impostor key under a
 *      trusted key id), CHECKPOINT_MISMATCH
 *   2  bad input: a file that is not JSON or not shaped as a proof (MALFORMED), a proof naming a
 *      key id the JWKS does not hold (UNKNOWN_KEY: issue 12's bad-input rule; it may be a
 *      rotated-out key whose JWKS you lack, not a forgery), an unreadable JWKS, bad flags
 * Messages, never stack traces. Reads nothing but the two inputs, writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadJwks } from '../lib/audit/checkpoint-keys.js';
import { verifyProof } from '../lib/audit/proof-verify.js';

const USAGE = `Usage: npm run audit:verify-proof -- FILE --jwks JWKS
  FILE         a proof printed by \`npm run -s audit:prove -- --entry <id>\`
  --jwks JWKS  the audit service's public keys: a JWKS file, or the URL of its /.well-known/jwks.json
Exit 0 valid, 1 invalid (naming what does not match), 2 bad input.`;

class InputError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { jwks: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (error) {
    throw new InputError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new InputError(`give exactly one proof FILE\n\n${USAGE}`);
  if (values.jwks === undefined || values.jwks.trim() === '') throw new InputError(`--jwks JWKS is required: the proof is checked against the audit service's published keys only\n\n${USAGE}`);

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read the proof: ${error instanceof Error ? error.message : String(error)}`);
  }
  let proof: unknown;
  try {
    proof = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const jwks = await loadJwks(values.jwks).catch((error: unknown) => {
    throw new InputError(error instanceof Error ? error.message : String(error));
  });

  const verdict = await verifyProof(proof, jwks);
  if (verdict.valid) {
    const { checkpoint: c } = verdict;
    process.stdout.write(
      `VALID: ${verdict.entry} is in chain ${c.chain}, covered by the checkpoint of seq ${c.seq} (head ${c.headHash}) signed at ${c.at.toISOString()} by key ${c.keyId}\n`,
    );
    return 0;
  }
  if (verdict.failure === 'MALFORMED' || verdict.failure === 'UNKNOWN_KEY') throw new InputError(`${file}: ${verdict.failure}: ${verdict.reason}`);
  process.stderr.write(`INVALID ${verdict.failure}: ${verdict.reason}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InputError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`audit:verify-proof failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
