/** What an operation without a name is counted under. */
export const ANONYMOUS_OPERATION = 'anonymous';
/** What every name past the cap is counted under. */
export const OTHER_OPERATION = 'other';
/** What a request refused before its operation was known (no token, rate limited) is counted under. */
export const UNKNOWN_OPERATION = 'unknown';
/** Up to this many distinct operation names get a label of their own (see OperationLabels). */
export const MAX_OPERATION_LABELS = 100;

/** A GraphQL name (graphql-js's own rule); anything else a client sent is not a label. */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * Operation names as metric labels, bounded: the first MAX_OPERATION_LABELS distinct names keep
 * theirs, every later one is "other". Names are chosen by clients, so without the cap one
 * client inventing names would grow every series set without end (and Prometheus with it). An
 * application's operations are a fixed set, which the first hundred cover.
 */
export class OperationLabels {
  private readonly known = new Set<string>();

  constructor(private readonly max = MAX_OPERATION_LABELS) {}

  label(name: string | null | undefined): string {
    if (name === null || name === undefined || name === '') return ANONYMOUS_OPERATION;
    if (this.known.has(name)) return name;
    if (this.known.size >= this.max || !GRAPHQL_NAME.test(name)) return OTHER_OPERATION;
    this.known.add(name);
    return name;
  }
}
