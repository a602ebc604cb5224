import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { isReadyMessage } from './parent-link.js';
import { scriptArgs, type ScriptRuntime } from './script-command.js';

/**
 * Runs each service of `npm start` as a process of its own, so that one exhausting its memory
 * or crashing takes only itself down: starts them, restarts one that dies (with backoff, logged),
 * and stops them in order. Children run as the supervisor does unless told otherwise
 * (script-command.ts): the compiled JavaScript when it is compiled, else TypeScript through tsx's
 * loader, in a plain `node` either way (no npm or tsx CLI in between), so the pid the
 * supervisor holds is the service's own.
 */
export interface ChildSpec {
  /** `store`, or the service's name: the key in logs. */
  readonly name: string;
  /** TypeScript entry point, relative to the repository (`scripts/start.ts`); its compiled file when compiled. */
  readonly script: string;
  /**
   * Stop order: the highest stage stops first (gateway 2, subgraphs 1, store 0), so no request
   * enters a service whose store is already gone.
   */
  readonly stage: number;
  /**
   * The child's arguments and environment at each start; `previousUrl` is what it reported
   * last time, so that a restarted child keeps its port (the gateway, the services, still point there).
   */
  launch(previousUrl: string | undefined): { readonly args: readonly string[]; readonly env: NodeJS.ProcessEnv };
  /** Checked after the child reports ready and before it counts as up (HTTP `/ready`); none for the store. */
  readonly readyProbe?: (url: string) => Promise<boolean>;
}

export interface SupervisorOptions {
  readonly cwd: string;
  /** How the children run (script-command.ts); by default as the supervisor itself does. */
  readonly runtime?: ScriptRuntime;
  readonly log: Logger;
  readonly backoff?: BackoffPolicy;
  /** How long a child may drain after SIGTERM before it is killed. */
  readonly stopTimeoutMs?: number;
  /**
   * A child that dies this many times in a row without ever having been ready cannot start (a
   * port taken, a broken setting): `onGiveUp` is called instead of restarting it forever. A child
   * that was ready once is always restarted.
   */
  readonly giveUpAfter?: number;
  readonly onGiveUp?: (child: string) => void;
}

export interface ChildHandle {
  readonly name: string;
  /** Its URL once ready (kept across restarts). */
  readonly url: string;
  /** The current process id (changes with each restart). */
  pid(): number | undefined;
}

interface Running {
  readonly spec: ChildSpec;
  readonly backoff: Backoff;
  child: ChildProcess | undefined;
  url: string | undefined;
  startedAt: number;
  restartTimer: NodeJS.Timeout | undefined;
  /** Resolves the first start's promise; later readiness is only logged. */
  firstReady: ((url: string) => void) | undefined;
  exited: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Supervisor {
  private readonly children: Running[] = [];
  private stopping = false;
  private readonly stopTimeoutMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  }

  /** Starts a child and resolves once it is ready (through however many restarts that takes). */
  start(spec: ChildSpec): Promise<ChildHandle> {
    return new Promise((resolve) => {
      const running: Running = {
        spec,
        backoff: new Backoff(this.options.backoff ?? DEFAULT_BACKOFF),
        child: undefined,
        url: undefined,
        startedAt: 0,
        restartTimer: undefined,
        firstReady: (url) => resolve({ name: spec.name, url, pid: () => running.child?.pid }),
        exited: Promise.resolve(),
      };
      this.children.push(running);
      this.launch(running);
    });
  }

  private launch(running: Running): void {
    const { spec } = running;
    const { log } = this.options;
    const { args, env } = spec.launch(running.url);
    const child = spawn(process.execPath, [...scriptArgs(spec.script, this.options.runtime), ...args], {
      cwd: this.options.cwd,
      env,
      // Its own process group: a terminal's Ctrl-C reaches the supervisor alone, which then stops
      // the children in order instead of all of them draining at once.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    running.child = child;
    running.startedAt = Date.now();
    running.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    log.info({ child: spec.name, pid: child.pid }, 'started');
    child.on('message', (message: unknown) => {
      if (!isReadyMessage(message) || running.child !== child) return;
      void this.confirmReady(running, child, message.url);
    });
    child.once('exit', (code, signal) => {
      if (running.child === child) running.child = undefined;
      if (this.stopping) return;
      const uptimeMs = Date.now() - running.startedAt;
      const delayMs = running.backoff.next(uptimeMs);
      if (running.url === undefined && running.backoff.consecutive >= (this.options.giveUpAfter ?? 5)) {
        log.error({ child: spec.name, pid: child.pid, code, signal, failures: running.backoff.consecutive }, 'never became ready; giving up');
        this.options.onGiveUp?.(spec.name);
        return;
      }
      log.warn({ child: spec.name, pid: child.pid, code, signal, uptimeMs, restartInMs: delayMs, consecutive: running.backoff.consecutive }, 'exited unexpectedly; restarting');
      running.restartTimer = setTimeout(() => {
        running.restartTimer = undefined;
        if (!this.stopping) this.launch(running);
      }, delayMs);
    });
  }

  private async confirmReady(running: Running, child: ChildProcess, url: string): Promise<void> {
    const probe = running.spec.readyProbe;
    while (probe !== undefined && !(await probe(url).catch(() => false))) {
      if (running.child !== child || this.stopping) return;
      await sleep(200);
    }
    if (running.child !== child) return;
    running.url = url;
    this.options.log.info({ child: running.spec.name, pid: child.pid, url }, 'ready');
    const first = running.firstReady;
    running.firstReady = undefined;
    first?.(url);
  }

  /** Stops every child, highest stage first, each given `stopTimeoutMs` to drain after SIGTERM. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const running of this.children) if (running.restartTimer !== undefined) clearTimeout(running.restartTimer);
    const stages = [...new Set(this.children.map((running) => running.spec.stage))].sort((a, b) => b - a);
    for (const stage of stages) {
      await Promise.all(this.children.filter((running) => running.spec.stage === stage).map((running) => this.stopChild(running)));
    }
  }

  private async stopChild(running: Running): Promise<void> {
    const child = running.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.options.log.warn({ child: running.spec.name, pid: child.pid, afterMs: this.stopTimeoutMs }, 'did not stop in time; killing');
      child.kill('SIGKILL');
    }, this.stopTimeoutMs);
    await running.exited;
    clearTimeout(timer);
    this.options.log.info({ child: running.spec.name, pid: child.pid }, 'stopped');
  }
}
