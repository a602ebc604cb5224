import type { SubgraphName } from '../lib/domain.js';
import type { RunningService } from '../lib/server/http.js';
import type { Runtime } from '../lib/server/runtime.js';
import { startSubgraph } from '../lib/server/subgraph.js';
import { iceSubgraph } from './ice/index.js';

export type SubgraphStarter = (runtime: Runtime, listen: { readonly port: number; readonly host: string }) => Promise<RunningService>;

/** Every subgraph this repository serves, by name, ready to start over a runtime. */
export const SUBGRAPH_STARTERS: Partial<Record<SubgraphName, SubgraphStarter>> = {
  ice: (runtime, listen) => startSubgraph(iceSubgraph, runtime, listen),
};
