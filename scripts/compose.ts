// Writes schema/supergraph.graphql: the composed supergraph any Federation 2 router can load.
import { writeFile } from 'node:fs/promises';
import { composeSupergraph } from '../lib/schema/compose.js';
import { SUBGRAPHS } from '../lib/domain.js';
import { repoPath } from '../lib/paths.js';
import { existsSync } from 'node:fs';

const names = SUBGRAPHS.filter((name) => existsSync(repoPath('schema', `${name}.graphql`)));
try {
  const sdl = await composeSupergraph(names);
  await writeFile(repoPath('schema', 'supergraph.graphql'), sdl);
  console.log(`schema/supergraph.graphql composed from ${names.join(', ')}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
