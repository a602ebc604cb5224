/**
 * A one-off command of the split deployment (the seed), run to completion as an operator would
 * run it, with its output kept in a log file. Services are not run this way: they run under the
 * supervisor (lib/process/supervisor.ts), which restarts them.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { environment } from '../../lib/config.js';
import { repoPath } from '../../lib/paths.js';
import { scriptArgs, type ScriptRuntime } from '../../lib/process/script-command.js';

/**
 * Runs `<script> ...args` in node (compiled or through tsx: `runtime`, by default as this process
 * runs; script-command.ts) with `env` over the inherited environment; rejects on a non-zero exit,
 * with the log's tail.
 */
export async function runScript(
  command: readonly [string, ...string[]],
  env: Readonly<Record<string, string>>,
  logFile: string,
  runtime?: ScriptRuntime,
): Promise<void> {
  const [script, ...args] = command;
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...scriptArgs(script, runtime), ...args], {
    cwd: repoPath(),
    env: { ...environment(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  // 'close', not 'exit': the output is all read by then.
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  await new Promise<void>((resolve) => log.end(() => resolve()));
  if (code !== 0) {
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
    throw new Error(`${command.join(' ')} exited with ${code}:\n${tail}`);
  }
}
