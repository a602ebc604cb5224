import { createPolicyEngine, type TributaryPolicyEngine } from './engine.js';
import { loadPolicies } from './load.js';

let engine: TributaryPolicyEngine | undefined;

/**
 * The engine over the default rule files (`policies/rules`), loaded and validated on first
 * use and shared by every service of the process. A rule file that does not validate throws
 * here, at start-up, rather than on the first request.
 */
export function defaultPolicyEngine(): TributaryPolicyEngine {
  engine ??= createPolicyEngine(loadPolicies());
  return engine;
}
