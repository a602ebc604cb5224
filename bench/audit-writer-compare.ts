import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { AuditBenchConfig, AuditBenchMethods, AuditBenchResult } from './audit-writer.js';
import { createBenchDatabase } from './lib/database.js';
import { spawnChild } from './lib/rpc.js';

/**
 * The durable writer alone, before/after in one run: `npx tsx bench/audit-writer-compare.ts
 * [TREE ...]` runs each tree's bench/audit-writer.ts (default: this one) on a fresh database
 * per round, trees alternating round by round (ROUNDS, default 2) so drift of a shared machine
 * cancels out. CONFIGS=8x100,32x10,6c:32x100 picks the configs (`Nc:` = N chains written at
 * once), SECONDS the time per config. Prints one JSON line per result, with the load average.
 */
const parseConfig = (text: string): AuditBenchConfig => {
  const match = /^(?:(\d+)c:)?(\d+)x(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`CONFIGS: expected [chainsc:]appendersxentries, got ${JSON.stringify(text)}`);
  const chains = Number(match[1] ?? 1);
  const base = { appenders: Number(match[2]), entriesPerAppend: Number(match[3]) };
  return chains === 1 ? base : { ...base, chains };
};

const trees = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((tree) => resolve(tree)) : [resolve('.')];
const configs = (process.env['CONFIGS'] ?? '8x100,32x10').split(',').map(parseConfig);
const seconds = Number(process.env['SECONDS'] ?? 6);
const rounds = Number(process.env['ROUNDS'] ?? 2);
// PROFILE_DIR: each writer process writes a V8 CPU profile there.
const profileDir = process.env['PROFILE_DIR'];
const execArgv = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`];
if (!(seconds > 0) || !Number.isInteger(rounds) || rounds < 1) throw new Error('SECONDS must be > 0 and ROUNDS a positive integer');

for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? trees : [...trees].reverse();
  for (const tree of order) {
    const database = await createBenchDatabase('_audit');
    const child = spawnChild<AuditBenchMethods>('audit-writer', resolve(tree, 'bench', 'audit-writer.ts'), process.env, execArgv);
    try {
      const results: AuditBenchResult[] = await child.call('run', { databaseUrl: database.url, seconds, configs });
      for (const result of results) console.log(JSON.stringify({ tree, round, load: loadavg()[0]?.toFixed(2), ...result }));
    } finally {
      await child.stop();
      await database.drop();
    }
  }
}
