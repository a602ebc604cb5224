import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and resident memory of processes, read from /proc (Linux), so that measuring costs
 * the measured processes nothing. PostgreSQL counts as one process: the backends serving the
 * benchmark's database.
 */

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface StatFields {
  readonly comm: string;
  /** user + system, own and reaped children's, in seconds. */
  readonly cpuSeconds: number;
}

function readStat(pid: number): StatFields | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm is in parentheses and may contain spaces: split after its closing parenthesis.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // Fields after comm start at field 3 (state); utime is field 14, stime 15.
  const at = (field: number): number => Number(fields[field - 3] ?? 0);
  return { comm, cpuSeconds: (at(14) + at(15)) / TICKS_PER_SECOND };
}

export function cpuSecondsOf(pid: number): number {
  return readStat(pid)?.cpuSeconds ?? 0;
}

export function rssBytesOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of each PostgreSQL backend serving `database`, by pid (the backend's command line
 * names its database). Other databases on the same server, and the server's background
 * writers, are not counted.
 */
export function postgresBackendsCpu(database: string): Map<number, number> {
  const found = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!command.startsWith('postgres: ') || !command.split(' ').includes(database)) continue;
    const stat = readStat(pid);
    if (stat) found.set(pid, stat.cpuSeconds);
  }
  return found;
}

export interface ProcessUsage {
  /** CPU seconds used per second of wall time (1.0 = one core busy). */
  readonly cpuCores: number;
  /** Highest resident set seen while measuring, in MB (null for PostgreSQL: shared memory). */
  readonly peakRssMb: number | null;
}

/**
 * Measures a set of named processes over a window: CPU as a rate, RSS as the peak of samples
 * taken every 250 ms.
 */
export class UsageMeter {
  private started = 0;
  private cpuAtStart = new Map<string, number>();
  private backendsAtStart = new Map<number, number>();
  private peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: Readonly<Record<string, number>>,
    private readonly database: string,
  ) {}

  private cpuNow(): Map<string, number> {
    return new Map(Object.entries(this.pids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  }

  private sampleRss(): void {
    for (const [name, pid] of Object.entries(this.pids)) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, rssBytesOf(pid)));
  }

  begin(): void {
    this.peaks.clear();
    this.cpuAtStart = this.cpuNow();
    this.backendsAtStart = postgresBackendsCpu(this.database);
    this.started = performance.now();
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), 250);
  }

  end(): Record<string, ProcessUsage> {
    clearInterval(this.timer);
    this.sampleRss();
    const seconds = (performance.now() - this.started) / 1000;
    const usage: Record<string, ProcessUsage> = {};
    for (const [name, cpu] of this.cpuNow()) {
      const rss = this.peaks.get(name);
      usage[name] = {
        cpuCores: Math.max(0, cpu - (this.cpuAtStart.get(name) ?? cpu)) / seconds,
        peakRssMb: rss === undefined ? null : rss / 1024 / 1024,
      };
    }
    let postgres = 0;
    for (const [pid, cpu] of postgresBackendsCpu(this.database)) postgres += cpu - (this.backendsAtStart.get(pid) ?? 0);
    usage['postgres'] = { cpuCores: Math.max(0, postgres) / seconds, peakRssMb: null };
    return usage;
  }
}
