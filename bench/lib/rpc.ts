import { fork, type ChildProcess } from 'node:child_process';

/**
 * A tiny request/response protocol over Node's IPC channel between the benchmark's
 * orchestrator and its child processes (servers, load generator, audit-writer bench). Every
 * process under measurement is a child of its own, so none shares an event loop with another
 * and each one's CPU and memory can be read from /proc.
 */

/** A table of methods: what each takes and what it answers, both plain JSON. */
export type Methods<M> = { readonly [K in keyof M]: { readonly params: unknown; readonly result: unknown } };

interface Call {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

type Reply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null;

function isCall(value: unknown): value is Call {
  return isObject(value) && typeof value['id'] === 'number' && typeof value['method'] === 'string';
}

function isReply(value: unknown): value is Reply {
  return isObject(value) && typeof value['id'] === 'number' && typeof value['ok'] === 'boolean';
}

export interface Child<M extends Methods<M>> {
  readonly name: string;
  readonly pid: number;
  call<K extends keyof M & string>(method: K, params: M[K]['params']): Promise<M[K]['result']>;
  /** Asks the child to close, then makes sure it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts `file` (TypeScript, through tsx) as a child process. The child must call `serve`.
 * Extra `execArgv` go to node (for instance `--cpu-prof`).
 */
export function spawnChild<M extends Methods<M>>(
  name: string,
  file: string,
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[] = [],
  /** How long `stop` lets the child close before killing it. */
  stopTimeoutMs = 5_000,
): Child<M> {
  const child: ChildProcess = fork(file, [name], {
    execArgv: ['--import', 'tsx', ...execArgv],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  let next = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const pending of waiting.values()) pending.reject(new Error(`${name} exited (${signal ?? code}) before answering`));
      waiting.clear();
      resolve();
    }),
  );
  child.on('message', (message: unknown) => {
    if (!isReply(message)) return;
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(`${name}: ${message.error}`));
  });

  return {
    name,
    pid: child.pid,
    call(method, params) {
      if (exited) return Promise.reject(new Error(`${name} has exited`));
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, method, params } satisfies Call);
      });
    },
    async stop() {
      if (exited) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      try {
        const id = next++;
        child.send({ id, method: 'close', params: null } satisfies Call);
        await exit;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

export type Handlers<M extends Methods<M>> = { readonly [K in keyof M]: (params: M[K]['params']) => Promise<M[K]['result']> };

/**
 * The child's side: answers calls with `handlers`; `close` runs `onClose` and exits. Params
 * arrive from the orchestrator of the same run (trusted, same code); they are typed by the
 * method table rather than re-validated.
 */
export function serve<M extends Methods<M>>(handlers: Handlers<M>, onClose: () => Promise<void>): void {
  const send = (reply: Reply): void => {
    process.send?.(reply);
  };
  process.on('message', (message: unknown) => {
    if (!isCall(message)) return;
    if (message.method === 'close') {
      void onClose()
        .catch((error: unknown) => console.error(error))
        .finally(() => process.exit(0));
      return;
    }
    const handler = (handlers as Readonly<Record<string, ((params: unknown) => Promise<unknown>) | undefined>>)[message.method];
    if (!handler) {
      send({ id: message.id, ok: false, error: `unknown method ${message.method}` });
      return;
    }
    handler(message.params).then(
      (result) => send({ id: message.id, ok: true, result: result ?? null }),
      (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // The orchestrator going away (Ctrl-C, crash) takes its children with it.
  process.on('disconnect', () => void onClose().finally(() => process.exit(0)));
}
