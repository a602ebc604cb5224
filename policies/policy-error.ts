/**
 * A rule file that cannot be enforced as written. Raised at start-up, never per request: a
 * service refuses to start rather than run a policy that says something other than what its
 * authors meant. The message names the file, the rule and the problem.
 */
export class PolicyError extends Error {
  readonly file: string;
  readonly ruleId: string | null;
  readonly problem: string;

  constructor(file: string, ruleId: string | null, problem: string, options: { readonly cause?: unknown } = {}) {
    super(`${file}${ruleId === null ? '' : `: rule ${ruleId}`}: ${problem}`, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'PolicyError';
    this.file = file;
    this.ruleId = ruleId;
    this.problem = problem;
  }
}
