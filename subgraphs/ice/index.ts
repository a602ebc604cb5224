import type { SubgraphDefinition } from '../../lib/server/subgraph.js';
import { iceLoaders, type IceLoaders } from './loaders.js';
import { iceResolvers } from './resolvers.js';

/** ICE: core identity (Person), criminal networks (Network), custody transfers (Transfer). */
export const iceSubgraph: SubgraphDefinition<IceLoaders> = {
  name: 'ice',
  owns: ['Network', 'Person', 'Transfer'],
  resolvers: iceResolvers,
  loaders: iceLoaders,
};
