import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { DEFAULT_PORTS } from '../config.js';
import { SUBGRAPHS, type SubgraphName } from '../domain.js';
import { loadSubgraphSdl } from '../server/subgraph.js';

/** The subgraphs' default URLs, as written into the supergraph (operators override per service). */
export const defaultSubgraphUrl = (name: SubgraphName): string => `http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`;

/**
 * Composes `schema/<name>.graphql` into the Federation 2 supergraph SDL. Throws with every
 * composition error listed: a schema change that breaks composition fails the tests.
 */
export async function composeSupergraph(names: readonly SubgraphName[] = SUBGRAPHS): Promise<string> {
  const services = await Promise.all(
    names.map(async (name) => ({ name, url: defaultSubgraphUrl(name), typeDefs: parse(await loadSubgraphSdl(name)) })),
  );
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(`Supergraph composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}
