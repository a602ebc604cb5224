/**
 * One service of the split deployment as an operating-system process: `scripts/start.ts
 * <service>` (what `npm run start:<service>` runs), started, probed until `/ready` answers 200,
 * killed (SIGKILL, as a crash or the OOM killer would), restarted on the same port, stopped.
 * Its output goes to a log file of its own, appended across restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { environment } from '../../lib/config.js';
import { repoPath } from '../../lib/paths.js';
import type { ProcessPlan } from './topology.js';

/** A cold start loads ~2,000 modules and opens pools: 3-12 s alone here, over a minute for ten at once on two busy cores. */
const READY_TIMEOUT_MS = 180_000;
const READY_POLL_MS = 100;
const STOP_GRACE_MS = 15_000;

export interface ServiceProcess {
  readonly plan: ProcessPlan;
  readonly logFile: string;
  /** Starts it (again) and resolves once `/ready` answers 200: the milliseconds that took. */
  start(): Promise<number>;
  /** Sends SIGKILL and resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (it drains), SIGKILL after a grace period; resolves once it is gone. */
  stop(): Promise<void>;
  readonly running: boolean;
}

/** Runs `node --import tsx <script> ...args` to completion with the output in `logFile`; rejects on a non-zero exit. */
export async function runScript(script: readonly string[], env: Readonly<Record<string, string>>, logFile: string): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', repoPath(...script.slice(0, 1)), ...script.slice(1)], {
    cwd: repoPath(),
    env: { ...environment(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  await new Promise<void>((resolve) => log.end(resolve));
  if (code !== 0) throw new Error(`${script.join(' ')} exited with ${code}:\n${await tail(logFile)}`);
}

async function tail(file: string, lines = 30): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export function serviceProcess(plan: ProcessPlan, logFile: string): ServiceProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const gone = async (): Promise<void> => {
    await exited;
    child = undefined;
  };

  return {
    plan,
    logFile,
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child !== undefined) throw new Error(`${plan.name} is already running`);
      const started = Date.now();
      // A stream per run, ended when the process exits: appended to across restarts.
      const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
      const spawned = spawn(process.execPath, ['--import', 'tsx', repoPath('scripts', 'start.ts'), plan.service], {
        cwd: repoPath(),
        env: { ...environment(), ...plan.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = spawned;
      spawned.stdout?.pipe(log, { end: false });
      spawned.stderr?.pipe(log, { end: false });
      let exitCode: number | null | undefined;
      exited = new Promise<void>((resolve) => {
        spawned.once('close', (code) => {
          exitCode = code;
          log.end(() => resolve());
        });
      });
      while (!(await isReady(plan.url))) {
        if (exitCode !== undefined) {
          child = undefined;
          throw new Error(`${plan.name} exited (${exitCode}) before it was ready:\n${await tail(logFile)}`);
        }
        if (Date.now() - started > READY_TIMEOUT_MS) throw new Error(`${plan.name} not ready after ${READY_TIMEOUT_MS} ms:\n${await tail(logFile)}`);
        await sleep(READY_POLL_MS);
      }
      return Date.now() - started;
    },
    async kill() {
      child?.kill('SIGKILL');
      await gone();
    },
    async stop() {
      const current = child;
      if (current === undefined) return;
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), STOP_GRACE_MS);
      await gone();
      clearTimeout(timer);
    },
  };
}
