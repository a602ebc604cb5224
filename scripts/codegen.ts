import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../lib/paths.js';
import { generateTypes } from './codegen/generate.js';

/** `npm run codegen`: writes schema/generated/<subgraph>.ts from schema/<subgraph>.graphql. */
const root = REPO_ROOT;
for (const file of await generateTypes(root)) {
  const path = join(root, file.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file.content);
  console.log(`wrote ${file.path}`);
}
