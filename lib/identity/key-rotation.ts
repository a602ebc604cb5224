import { pruneKeySet, rotateKeySet, type RotationResult } from './key-set.js';
import { readKeySetFile, writeKeySetFile } from './key-set-file.js';

/**
 * The operator's side of rotation (`npm run keys`), on a key file the signer watches: each step
 * rewrites the file whole and the running signer picks it up within its poll. Run it where the
 * key file lives; with several replicas of one signer, on the file they all read.
 */
export interface RotateOptions {
  readonly now?: Date;
  /** How long the next key must have been published (KEY_PUBLICATION_LEAD_MS); 0 with `--force`. */
  readonly minPublishedMs: number;
}

export async function rotateKeyFile(path: string, where: string, options: RotateOptions): Promise<RotationResult> {
  const set = await readKeySetFile(path, where);
  const result = await rotateKeySet(set, options.now ?? new Date(), options.minPublishedMs);
  if (result.outcome !== 'too-soon') await writeKeySetFile(path, result.set);
  return result;
}

/** Drops retired keys retired more than `keepMs` ago; returns their kids (none: the file is left alone). */
export async function pruneKeyFile(path: string, where: string, keepMs: number, now: Date = new Date()): Promise<readonly string[]> {
  const { set, dropped } = pruneKeySet(await readKeySetFile(path, where), now, keepMs);
  if (dropped.length > 0) await writeKeySetFile(path, set);
  return dropped;
}
