import type { SubgraphName } from '../lib/domain.js';
import type { RunningService } from '../lib/server/http.js';
import type { Runtime } from '../lib/server/runtime.js';
import { startSubgraph } from '../lib/server/subgraph.js';
import { startAuditService } from './audit/index.js';
import { cbpSubgraph } from './cbp/index.js';
import { iceSubgraph } from './ice/index.js';
import { ngoSubgraph } from './ngo/index.js';
import { partnerSubgraph } from './partner/index.js';

export type SubgraphStarter = (runtime: Runtime, listen: { readonly port: number; readonly host: string }) => Promise<RunningService>;

/** Every subgraph this repository serves, by name, ready to start over a runtime. */
export const SUBGRAPH_STARTERS: Partial<Record<SubgraphName, SubgraphStarter>> = {
  cbp: (runtime, listen) => startSubgraph(cbpSubgraph, runtime, listen),
  ice: (runtime, listen) => startSubgraph(iceSubgraph, runtime, listen),
  partner: (runtime, listen) => startSubgraph(partnerSubgraph, runtime, listen),
  ngo: (runtime, listen) => startSubgraph(ngoSubgraph, runtime, listen),
  audit: startAuditService,
};
