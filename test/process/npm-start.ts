import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../lib/paths.js';

/**
 * `npm start` as a newcomer runs it (scripts/launch.mjs scripts/start.ts, as the npm script does:
 * the compiled dist/scripts/start.js, which the `alone` project's global setup has built),
 * on free ports, over an embedded store in a directory of the test's own. Its stdout carries the
 * supervisor's JSON log lines (each child's pid) and the banner (each service's URL).
 */
export interface StartedTributary {
  readonly supervisor: ChildProcess;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** The supervisor's log lines so far. */
  supervisorLogs(): readonly SupervisorLog[];
  /** The banner's `name -> URL` once printed. */
  bannerUrls(): Readonly<Record<string, string>>;
  /** Every pid the supervisor started, including restarted ones. */
  childPids(): readonly number[];
  /** The pid of the running `child` (the newest started). */
  pidOf(child: string): number | undefined;
  waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void>;
}

export interface SupervisorLog {
  readonly msg: string;
  readonly child?: string;
  readonly pid?: number;
  readonly signal?: string | null;
  readonly url?: string;
}

const SERVICES = ['gateway', 'cbp', 'ice', 'partner', 'ngo', 'audit'] as const;

export function startTributary(options: { readonly dataDir: string; readonly devIssuerDir: string }): StartedTributary {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: options.dataDir, DEV_ISSUER_DIR: options.devIssuerDir, LOG_LEVEL: 'info' };
  // The embedded store is the point here: the `alone` project runs with a PostgreSQL URL set.
  delete env['DATABASE_URL'];
  delete env['AUDIT_DATABASE_URL'];
  delete env['SEED_SCALE'];
  for (const service of SERVICES) env[`${service.toUpperCase()}_PORT`] = '0';
  const supervisor = spawn(process.execPath, ['scripts/launch.mjs', 'scripts/start.ts'], {
    cwd: REPO_ROOT,
    env,
    // Its own process group, as a terminal's foreground job: Ctrl-C is a SIGINT to the group.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: SupervisorLog[] = [];
  const banner: Record<string, string> = {};
  let pending = '';
  supervisor.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const entry = /^  (\w+)\s+(http\S+)$/.exec(line);
      if (entry?.[1] !== undefined && entry[2] !== undefined) banner[entry[1]] = entry[2];
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as { name?: unknown } & SupervisorLog;
        if (parsed.name === 'supervisor') logs.push(parsed);
      } catch {
        // a child's line cut by another's write; not the supervisor's
      }
    }
  });
  supervisor.stderr?.on('data', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    supervisor.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = (): SupervisorLog[] => logs.filter((log) => log.msg === 'started' && typeof log.pid === 'number');
  return {
    supervisor,
    exited,
    supervisorLogs: () => logs,
    bannerUrls: () => banner,
    childPids: () => started().map((log) => log.pid as number),
    pidOf: (child) => started().filter((log) => log.child === child).at(-1)?.pid,
    async waitFor(what, predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        if (supervisor.exitCode !== null) throw new Error(`the supervisor exited (${supervisor.exitCode}) while waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** Whether `pid` is a live process (a zombie awaiting its reaper is not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** GET `<origin>/ready`: true on 200. */
export async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(3_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** The command line `pid` runs (its argv, from /proc). */
export function commandLine(pid: number): readonly string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}
