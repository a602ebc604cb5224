import { createRequire } from 'node:module';

/** One sample of a family as parse-prometheus-text-format gives it (prom2json's shape). */
export interface Sample {
  /** Absent when the sample has none. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly value?: string;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly metrics: readonly Sample[];
}

/** The parser ships no types: what it returns is checked here, once, before a test reads it. */
const parser: unknown = createRequire(import.meta.url)('parse-prometheus-text-format');

function isFamily(value: unknown): value is Family {
  if (typeof value !== 'object' || value === null) return false;
  const family = value as Record<string, unknown>;
  return typeof family.name === 'string' && typeof family.type === 'string' && Array.isArray(family.metrics);
}

function parse(text: string): Family[] {
  if (typeof parser !== 'function') throw new Error('parse-prometheus-text-format did not export a function');
  const parsed: unknown = parser(text);
  if (!Array.isArray(parsed) || !parsed.every(isFamily)) throw new Error('parse-prometheus-text-format returned an unexpected shape');
  return parsed;
}

/**
 * Parses Prometheus text exposition with a parser that is not ours, by family name. That parser
 * folds a histogram's series into one and drops their labels (it follows prom2json for
 * unlabelled histograms only), so histograms are read a second time as untyped lines: then
 * `<name>_count`, `<name>_sum` and `<name>_bucket` are families of their own, with labels, and
 * `<name>` keeps its type.
 */
export function parsePrometheus(text: string): ReadonlyMap<string, Family> {
  const types = new Map(parse(text).map((family) => [family.name, family.type]));
  const families = new Map<string, Family>();
  // Untyped, a histogram's series of one label set come as a run of lines, then the next set's:
  // the parser starts a family at each run, so runs of one name are joined here.
  for (const family of parse(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'))) {
    const seen = families.get(family.name);
    families.set(family.name, { ...family, type: types.get(family.name) ?? family.type, metrics: [...(seen?.metrics ?? []), ...family.metrics] });
  }
  return families;
}

/** GET `/metrics` on the service behind `url` (any path of it), parsed. */
export async function scrape(url: string): Promise<{ readonly contentType: string | null; readonly families: ReadonlyMap<string, Family> }> {
  const response = await fetch(new URL('/metrics', url));
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return { contentType: response.headers.get('content-type'), families: parsePrometheus(await response.text()) };
}

/** The samples of a family whose labels include `labels`. */
export function samples(families: ReadonlyMap<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}): readonly Sample[] {
  const family = families.get(name);
  if (!family) throw new Error(`no metric family ${name}`);
  return family.metrics.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
}

/** A counter's total over the samples matching `labels` (0 when none do). */
export const total = (families: ReadonlyMap<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}): number =>
  samples(families, name, labels).reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);

/** A histogram's observation count (its `_count` series) over the samples matching `labels`. */
export function observations(families: ReadonlyMap<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}): number {
  if (families.get(name)?.type !== 'HISTOGRAM') throw new Error(`${name} is not a histogram`);
  return total(families, `${name}_count`, labels);
}

/** Every label value of every sample: what must never carry an id or a subject. */
export const labelValues = (families: ReadonlyMap<string, Family>): string[] =>
  [...families.values()].flatMap((family) => family.metrics.flatMap((sample) => Object.values(sample.labels ?? {})));
