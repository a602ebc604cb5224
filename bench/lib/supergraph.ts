import { readFile } from 'node:fs/promises';
import { repoPath } from '../../lib/paths.js';

/** Where nothing listens: subgraphs a set does not run (no workload reaches them). */
const NOWHERE = 'http://127.0.0.1:9/graphql';

/**
 * The composed supergraph (`schema/supergraph.graphql`, as `npm run compose` writes it) with
 * each subgraph's URL pointed at where this run's subgraph set listens. Every router under
 * test loads this same SDL.
 */
export async function supergraphFor(urls: Readonly<Record<string, string>>): Promise<string> {
  const sdl = await readFile(repoPath('schema', 'supergraph.graphql'), 'utf8');
  return sdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (_match, name: string) => `@join__graph(name: "${name}", url: "${urls[name] ?? NOWHERE}")`);
}

/** Headers the subgraphs need from the caller: they verify the token and purpose themselves. */
export const FORWARDED_HEADERS = ['authorization', 'x-purpose-of-use', 'x-justification', 'x-request-id'] as const;
