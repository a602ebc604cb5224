import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, manifestJson } from '../../../gateway/persisted-operations/build-manifest.js';
import { operationHash, parseManifest } from '../../../gateway/persisted-operations/index.js';
import { repoPath } from '../../../lib/paths.js';
import { readOperationSources } from '../../../scripts/operations-manifest.js';

const run = promisify(execFile);
const FIXTURES = repoPath('test', 'gateway', 'persisted-operations', 'fixtures', 'app');

/** `npm run operations:manifest`, as an operator runs it; resolves with its exit code and output. */
async function command(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', repoPath('scripts', 'operations-manifest.ts'), ...args], { cwd: repoPath() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: unknown; stderr?: unknown };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: String(failed.stdout), stderr: String(failed.stderr) };
  }
}

describe('npm run operations:manifest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-operations-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes every named operation of a directory's .graphql files, with the fragments it uses, as a valid manifest", async () => {
    const out = join(dir, 'manifest.json');
    const { code } = await command(FIXTURES, '--out', out);
    expect(code).toBe(0);
    const operations = parseManifest(await readFile(out, 'utf8'), out);
    expect(operations.map(({ name, type }) => [name, type])).toEqual([
      ['AcceptTransfer', 'mutation'],
      ['RouteCount', 'query'],
      ['RouteNames', 'query'],
    ]);
    const routeNames = operations.find((operation) => operation.name === 'RouteNames');
    // The operation first, then the fragments it uses (through other fragments too), by name; never an unused one.
    expect(routeNames?.body).toBe(
      'query RouteNames($first: Int) {\n  routes(first: $first) {\n    edges {\n      node {\n        ...RouteSummary\n      }\n    }\n  }\n}\n\n' +
        'fragment RouteSector on Route {\n  sector\n}\n\n' +
        'fragment RouteSummary on Route {\n  id\n  name\n  ...RouteSector\n}',
    );
    expect(routeNames?.id).toBe(operationHash(routeNames?.body ?? ''));
  });

  it('writes the manifest to stdout without --out', async () => {
    const { code, stdout } = await command(FIXTURES);
    expect(code).toBe(0);
    expect(stdout).toBe(manifestJson(buildManifest(await readOperationSources([FIXTURES]))));
  });

  it.each([
    ['a parse error, with its file and line', 'broken.graphql', 'query A { routes { id }\n\nquery B {', /broken\.graphql:3:\d+: Syntax Error/],
    ['an anonymous operation', 'anonymous.graphql', '\n{ routes { totalCount } }', /anonymous\.graphql:2: an anonymous query; every operation needs a name/],
    ['two operations with one name', 'twice.graphql', 'query A { routes { totalCount } }\nquery A { networks { totalCount } }', /twice\.graphql:2: operation A is also defined in .*twice\.graphql:1/],
    ['a fragment no file defines', 'missing.graphql', 'query A { routes { edges { node { ...Nowhere } } } }', /missing\.graphql:1: operation A uses fragment Nowhere, which no file defines/],
  ])('exits 2 on %s', async (_case, file, text, message) => {
    const sources = await mkdtemp(join(dir, 'case-'));
    await writeFile(join(sources, file), text);
    const { code, stderr } = await command(sources);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe("the auditor console's manifest", () => {
  it('is what the command writes from console/operations (run it after changing an operation)', async () => {
    const checkedIn = await readFile(repoPath('console', 'operations.manifest.json'), 'utf8');
    const expected = manifestJson(buildManifest(await readOperationSources([repoPath('console', 'operations')])));
    expect(checkedIn, 'console/operations.manifest.json is out of date: npm run operations:manifest -- console/operations --out console/operations.manifest.json').toBe(expected);
  });
});
