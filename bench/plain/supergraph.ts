import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { PLAIN_SUBGRAPHS, plainSdl } from './subgraph.js';

/**
 * The plain subgraphs composed into a supergraph, pointed at where they listen in this run
 * (what `rover supergraph compose` would write). Throws with composition's errors.
 */
export async function plainSupergraph(urls: Readonly<Record<string, string>>): Promise<string> {
  const services = await Promise.all(
    PLAIN_SUBGRAPHS.map(async (name) => {
      const url = urls[name];
      if (!url) throw new Error(`plain subgraph ${name} is not running`);
      return { name, url, typeDefs: parse(await plainSdl(name)) };
    }),
  );
  const result = composeServices(services);
  if (result.errors) throw new Error(`plain supergraph does not compose:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  return result.supergraphSdl;
}
