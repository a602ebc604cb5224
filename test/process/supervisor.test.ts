import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, PERSONAS } from '../../lib/identity/index.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { alive, answersReady, commandLine, startTributary, type StartedTributary } from './npm-start.js';

/**
 * `npm start` as processes (scripts/supervise.ts, lib/process/): the banner's services answer,
 * a subgraph killed with SIGKILL comes back while the others keep answering, Ctrl-C stops every
 * child in order and exits 0, and a supervisor killed with SIGKILL leaves no child behind.
 * Slow (each start runs seven processes on two cores): in the `alone` project, run once.
 */
const STARTUP_MS = 240_000;
const SUBGRAPHS = ['cbp', 'ice', 'partner', 'ngo', 'audit'] as const;

let dataDir: string;
let devIssuerDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tributary-procs-data-'));
  devIssuerDir = await mkdtemp(join(tmpdir(), 'tributary-procs-issuer-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(devIssuerDir, { recursive: true, force: true });
});

const killAll = (started: StartedTributary | undefined): void => {
  if (started === undefined) return;
  for (const pid of [started.supervisor.pid, ...started.childPids()]) {
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  }
};

describe('npm start: a process per service', () => {
  let started: StartedTributary | undefined;
  const running = (): StartedTributary => {
    if (started === undefined) throw new Error('not started');
    return started;
  };
  beforeAll(async () => {
    started = startTributary({ dataDir, devIssuerDir });
    await started.waitFor('the banner', () => started?.bannerUrls()['gateway'] !== undefined, STARTUP_MS);
  }, STARTUP_MS + 10_000);
  afterAll(() => killAll(started));

  it("prints the banner once every service answers, and the gateway answers through the subgraphs' processes", async () => {
    const urls = running().bannerUrls();
    expect(Object.keys(urls).sort()).toEqual(['audit', 'cbp', 'gateway', 'ice', 'ngo', 'partner']);
    for (const url of Object.values(urls)) expect(await answersReady(url), url).toBe(true);
    // Seven processes: the store, five subgraphs, the gateway, each with a pid of its own.
    expect(new Set(running().childPids()).size).toBe(7);
    const token = await mintToken(PERSONAS['cbp-analyst'], { dir: devIssuerDir });
    const response = await fetch(urls['gateway']!, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'INTERDICTION', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ routes(first: 3) { totalCount edges { node { id } } } }' }),
    });
    const body = (await response.json()) as { data?: { routes?: { totalCount?: number } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.routes?.totalCount).toBeGreaterThan(0);
  });

  it('runs every child from the compiled JavaScript with plain node, no TypeScript loader', () => {
    const t = running();
    const compiled = (script: string): string => `${REPO_ROOT}dist/scripts/${script}.js`;
    for (const child of ['store', ...SUBGRAPHS, 'gateway']) {
      const argv = commandLine(t.pidOf(child)!);
      expect(argv.slice(1, 2), child).toEqual([compiled(child === 'store' ? 'store-process' : 'start')]);
      expect(argv.join(' '), child).not.toMatch(/tsx/);
    }
  });

  it('restarts a subgraph killed with SIGKILL (logged), while the others keep answering', async () => {
    const t = running();
    const urls = t.bannerUrls();
    const victim = t.pidOf('ice')!;
    const readyBefore = t.supervisorLogs().filter((log) => log.child === 'ice' && log.msg === 'ready').length;
    let probing = true;
    const failures: string[] = [];
    const probes = (async () => {
      while (probing) {
        for (const name of SUBGRAPHS.filter((each) => each !== 'ice')) {
          if (!(await answersReady(urls[name]!))) failures.push(name);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    process.kill(victim, 'SIGKILL');
    await t.waitFor('ice back', () => t.supervisorLogs().filter((log) => log.child === 'ice' && log.msg === 'ready').length > readyBefore, 120_000);
    probing = false;
    await probes;
    expect(alive(victim)).toBe(false);
    expect(t.pidOf('ice')).not.toBe(victim);
    expect(t.supervisorLogs()).toContainEqual(expect.objectContaining({ child: 'ice', pid: victim, signal: 'SIGKILL', msg: 'exited unexpectedly; restarting' }));
    // Back on the same port, where the gateway already points.
    expect(t.supervisorLogs().filter((log) => log.child === 'ice' && log.msg === 'ready').at(-1)?.url).toBe(urls['ice']);
    expect(await answersReady(urls['ice']!)).toBe(true);
    expect(failures).toEqual([]);
  }, 150_000);

  it('stops every child on Ctrl-C (gateway, then subgraphs, then the store) and exits 0', async () => {
    const t = running();
    const pids = t.childPids();
    process.kill(-t.supervisor.pid!, 'SIGINT'); // what a terminal sends its foreground job
    expect(await t.exited).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    const stopped = t.supervisorLogs().filter((log) => log.msg === 'stopped').map((log) => log.child);
    expect(stopped[0]).toBe('gateway');
    expect(stopped.at(-1)).toBe('store');
    expect([...stopped].sort()).toEqual(['audit', 'cbp', 'gateway', 'ice', 'ngo', 'partner', 'store']);
  }, 90_000);
});

describe('npm start killed with SIGKILL', () => {
  let started: StartedTributary | undefined;
  afterAll(() => killAll(started));

  it('leaves no child process behind: each notices its supervisor is gone and stops', async () => {
    // The same data directory: a second start finds it migrated and seeded.
    started = startTributary({ dataDir, devIssuerDir });
    const t = started;
    await t.waitFor('the banner', () => t.bannerUrls()['gateway'] !== undefined, STARTUP_MS);
    const pids = t.childPids();
    expect(pids).toHaveLength(7);
    process.kill(t.supervisor.pid!, 'SIGKILL');
    await t.exited;
    const deadline = Date.now() + 30_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pids.filter(alive)).toEqual([]);
  }, STARTUP_MS + 60_000);
});
