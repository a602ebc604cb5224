import type { SubgraphDefinition } from '../../lib/server/subgraph.js';
import { cbpLoaders, type CbpLoaders } from './loaders.js';
import { cbpResolvers } from './resolvers.js';

/** CBP: smuggling routes (Route) and encounters (Encounter); contributes Network.routes and Person.encounters. */
export const cbpSubgraph: SubgraphDefinition<CbpLoaders> = {
  name: 'cbp',
  owns: ['Route', 'Encounter'],
  resolvers: cbpResolvers,
  loaders: cbpLoaders,
};
