import type { Scale } from '../../seed/index.js';
import type { AuditBenchConfig } from '../audit-writer.js';

/** How long and how hard a run measures. */
export interface RunOptions {
  readonly mode: 'quick' | 'full';
  readonly scale: Scale;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Each round runs every scenario once per workload, in alternating order (drift cancels out). */
  readonly rounds: number;
  readonly auditSeconds: number;
  readonly auditConfigs: readonly AuditBenchConfig[];
  /**
   * Also write CPU profiles of one workload's cell for (a), (b) and (d) (bench/results/*.cpuprofile)
   * and a summary: `--profile` alone profiles list-100, `--profile <workload>` another one.
   */
  readonly profile: string | null;
  /** Only these workload ids (all when empty). */
  readonly only: readonly string[];
}

/**
 * One chain as before, and six chains written at once: every service writes its own chain, so
 * the real system commits six chains' groups side by side (bench/results/audit-events.md).
 */
const AUDIT_CONFIGS: readonly AuditBenchConfig[] = [
  { appenders: 8, entriesPerAppend: 100 },
  { appenders: 32, entriesPerAppend: 10 },
  { chains: 6, appenders: 16, entriesPerAppend: 100 },
  { chains: 6, appenders: 32, entriesPerAppend: 10 },
];

const USAGE = `usage: npm run bench [-- --quick] [--profile [workload]] [--only list-100,by-id] [--connections N] [--seconds S] [--scale small|medium|large]`;

export function parseOptions(argv: readonly string[]): RunOptions {
  const quick = argv.includes('--quick');
  let options: RunOptions = {
    mode: quick ? 'quick' : 'full',
    scale: quick ? 'medium' : 'large',
    connections: 8,
    warmupSeconds: quick ? 0.5 : 2,
    seconds: quick ? 1.5 : 8,
    rounds: quick ? 1 : 2,
    auditSeconds: quick ? 1 : 8,
    auditConfigs: AUDIT_CONFIGS,
    profile: null,
    only: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const number = (): number => {
      const parsed = Number(value);
      if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} needs a positive number\n${USAGE}`);
      i++;
      return parsed;
    };
    switch (flag) {
      case '--quick':
        break;
      case '--profile':
        options = { ...options, profile: value !== undefined && !value.startsWith('--') ? value : 'list-100' };
        if (value !== undefined && !value.startsWith('--')) i++;
        break;
      case '--connections':
        options = { ...options, connections: Math.round(number()) };
        break;
      case '--seconds':
        options = { ...options, seconds: number() };
        break;
      case '--rounds':
        options = { ...options, rounds: Math.round(number()) };
        break;
      case '--scale':
        if (value !== 'small' && value !== 'medium' && value !== 'large') throw new Error(`--scale must be small, medium or large\n${USAGE}`);
        options = { ...options, scale: value };
        i++;
        break;
      case '--only':
        options = { ...options, only: (value ?? '').split(',').filter((id) => id !== '') };
        i++;
        break;
      default:
        throw new Error(`unknown option ${String(flag)}\n${USAGE}`);
    }
  }
  return options;
}
