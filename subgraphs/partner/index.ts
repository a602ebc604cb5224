import type { SubgraphDefinition } from '../../lib/server/subgraph.js';
import { partnerLoaders, type PartnerLoaders } from './loaders.js';
import { partnerResolvers } from './resolvers.js';

/** 287(g) partners: jail bookings (Booking); contributes Person.bookings and Transfer.booking. */
export const partnerSubgraph: SubgraphDefinition<PartnerLoaders> = {
  name: 'partner',
  owns: ['Booking'],
  resolvers: partnerResolvers,
  loaders: partnerLoaders,
};
