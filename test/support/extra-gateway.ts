import type { Settings } from '../../lib/config.js';
import { SUBGRAPHS, type SubgraphName } from '../../lib/domain.js';
import type { RunningService } from '../../lib/server/http.js';
import type { Runtime } from '../../lib/server/runtime.js';
import { startGateway, type GatewayOptions } from '../../gateway/gateway.js';
import type { Federation } from '../../scripts/federation.js';

export interface ExtraGatewayOptions {
  /** Where this gateway finds some subgraphs instead (a fault proxy, a dead port). */
  readonly subgraphUrls?: Partial<Record<SubgraphName, string>>;
  /** Settings that differ from the federation's (a short subgraph timeout, small rate limits). */
  readonly settings?: Partial<Settings>;
  /** Another runtime over the same store (e.g. one built with production settings). */
  readonly runtime?: Runtime;
  readonly gateway?: Partial<Omit<GatewayOptions, 'port' | 'host'>>;
}

/**
 * A second gateway over a running federation's subgraphs, on a free loopback port: cheap next
 * to a federation (no store, no seed), so one test file can try many gateway settings, and two
 * of them stand for two replicas behind a load balancer.
 */
export async function startExtraGateway(federation: Federation, options: ExtraGatewayOptions = {}): Promise<RunningService> {
  const runtime = options.runtime ?? federation.runtime;
  const running: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPHS) {
    const url = federation.urls[name];
    if (url !== undefined) running[name] = url;
  }
  const settings: Settings = {
    ...runtime.settings,
    ...options.settings,
    subgraphUrls: { ...runtime.settings.subgraphUrls, ...running, ...options.subgraphUrls },
  };
  return startGateway({ ...runtime, settings }, { ...options.gateway, port: 0, host: '127.0.0.1' });
}
