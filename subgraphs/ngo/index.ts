import type { SubgraphDefinition } from '../../lib/server/subgraph.js';
import { ngoLoaders, type NgoLoaders } from './loaders.js';
import { ngoResolvers } from './resolvers.js';

/** NGOs: referrals under the client's consent (Referral) and service capacity (Provider); contributes Person.referrals and Route.providers. */
export const ngoSubgraph: SubgraphDefinition<NgoLoaders> = {
  name: 'ngo',
  owns: ['Referral', 'Provider'],
  resolvers: ngoResolvers,
  loaders: ngoLoaders,
};
