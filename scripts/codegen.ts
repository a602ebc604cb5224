import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTypes } from './codegen/generate.js';

/** `npm run codegen`: writes schema/generated/<subgraph>.ts from schema/<subgraph>.graphql. */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const file of await generateTypes(root)) {
  const path = join(root, file.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file.content);
  console.log(`wrote ${file.path}`);
}
