import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTypes } from '../../scripts/codegen/generate.js';

const root = join(import.meta.dirname, '..', '..');

// The typecheck trusts schema/generated/*.ts to be the SDL's types: a schema change without
// `npm run codegen` would leave resolvers checked against the old schema.
describe('the generated schema types', () => {
  it('are what `npm run codegen` writes from schema/*.graphql today', async () => {
    const files = await generateTypes(root);
    expect(files.map((file) => file.path)).toEqual([
      'console/src/api/generated-operations.ts',
      'console/src/api/generated.ts',
      ...['audit', 'cbp', 'enums', 'ice', 'ngo', 'partner'].map((name) => `schema/generated/${name}.ts`),
    ]);
    for (const file of files) {
      const written = await readFile(join(root, file.path), 'utf8').catch(() => '(missing)');
      expect(written, `${file.path} is out of date: run npm run codegen`).toBe(file.content);
    }
  }, 60_000);
});
