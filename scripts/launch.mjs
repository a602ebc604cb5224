// @ts-check
/**
 * How every production npm script starts (`npm start`, `start:<service>`, `start:split`, `seed`,
 * `token`, `keys`, `audit:*`, `policy:explain`, `operations:manifest`):
 *
 *   node scripts/launch.mjs scripts/start.ts gateway    runs dist/scripts/start.js gateway
 *   node scripts/launch.mjs --build                     `npm run build:server`: compiles and stamps
 *   node scripts/launch.mjs --ensure                    builds only if dist/ is not current
 *
 * Production runs the JavaScript `tsc -p tsconfig.build.json` emits into dist/ with plain `node`:
 * no TypeScript loader at run time (tsx spent seconds per start compiling modules, and is a
 * development dependency). This file is JavaScript itself because it must run before any build,
 * and in an image installed with `npm ci --omit=dev`.
 *
 * "Current" means: dist/.build-stamp holds the same source hash as the tree has now. The hash is
 * SHA-256 over the path and content of every .ts file the build compiles plus the two tsconfigs
 * (a few milliseconds for ~1.3 MB): unlike mtimes it survives `git checkout`, `COPY` into an image
 * and clocks, and it notices a deleted or renamed file. A missing or different stamp builds once
 * (a line on stderr says so; the build needs the development dependencies). The stamp is written
 * into the new tree only after tsc succeeds, so a failed or interrupted build is never current.
 *
 * Development without a build: RUN_FROM_SOURCE=1 runs the TypeScript sources through tsx instead
 * (`npm run dev` is `npm start` that way); tests (vitest) always run the sources.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const BUILD_CONFIG = 'tsconfig.build.json';

/** @returns {readonly string[]} the folders tsconfig.build.json compiles (its `include`). */
function compiledFolders() {
  /** @type {unknown} */
  const config = JSON.parse(readFileSync(join(ROOT, BUILD_CONFIG), 'utf8'));
  const include = typeof config === 'object' && config !== null && 'include' in config ? config.include : undefined;
  if (!Array.isArray(include) || !include.every((entry) => typeof entry === 'string')) {
    throw new Error(`${BUILD_CONFIG}: "include" must be a list of folders`);
  }
  return include;
}

/** @param {string} dir @returns {string[]} every .ts file under `dir`, as paths relative to the root with `/`. */
function typeScriptFiles(dir) {
  const absolute = join(ROOT, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.split(sep).includes('node_modules'))
    .map((file) => relative(ROOT, join(absolute, file)).split(sep).join('/'));
}

/** @returns {string} the hash of what the build compiles (see the header). */
export function sourceHash() {
  const files = [...compiledFolders().flatMap(typeScriptFiles), 'tsconfig.json', BUILD_CONFIG].sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(ROOT, file))).update('\0');
  return hash.digest('hex');
}

/** @returns {string | undefined} the source hash the last successful build recorded. */
function stampedHash() {
  try {
    /** @type {unknown} */
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    return typeof stamp === 'object' && stamp !== null && 'sources' in stamp && typeof stamp.sources === 'string' ? stamp.sources : undefined;
  } catch {
    return undefined;
  }
}

/** Compiles the server code into a clean dist/ and stamps it; throws (with what to do) on failure. */
export function build() {
  /** @type {string} */
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch (cause) {
    throw new Error(
      'Cannot build dist/: TypeScript is not installed (a production install, npm ci --omit=dev?). ' +
        'Build where the development dependencies are (npm run build) and ship dist/ with the sources it was built from.',
      { cause },
    );
  }
  const sources = sourceHash();
  // Into a fresh directory beside dist/, swapped in when complete: a module whose source was
  // deleted never lingers, a process importing from dist/ meanwhile never sees half a tree, and
  // two launchers building at once (two terminals) do not write over each other.
  const staging = `${DIST}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', BUILD_CONFIG, '--outDir', staging], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`tsc -p ${BUILD_CONFIG} failed (exit ${result.status ?? result.signal}); dist/ is not current`);
  }
  writeFileSync(join(staging, '.build-stamp'), `${JSON.stringify({ sources, builtAt: new Date().toISOString() })}\n`);
  rmSync(DIST, { recursive: true, force: true });
  try {
    renameSync(staging, DIST);
  } catch (error) {
    // Another launcher swapped its build in first; it is as good as this one if it is current.
    rmSync(staging, { recursive: true, force: true });
    if (!isCurrent()) throw error;
  }
}

/** Whether dist/ was built from the sources as they are now. */
export function isCurrent() {
  return stampedHash() === sourceHash();
}

/** @param {string} script a source path such as `scripts/start.ts` @returns {string} its compiled file. */
export function compiledFile(script) {
  return join(DIST, script.replace(/\.ts$/, '.js'));
}

/** @param {string} script @returns {Promise<string>} the file to import for `script`, built first if needed. */
async function entryPoint(script) {
  if (!/^(scripts|seed)\/[\w/-]+\.ts$/.test(script) || !existsSync(join(ROOT, script))) {
    console.error(`launch: expected a TypeScript entry point under scripts/ or seed/, got "${script}"`);
    process.exit(2);
  }
  const fromSource = process.env['RUN_FROM_SOURCE'];
  if (fromSource !== undefined && fromSource !== '' && fromSource !== '0' && fromSource !== '1') {
    console.error(`RUN_FROM_SOURCE must be 1 (run the TypeScript sources through tsx) or 0, got "${fromSource}"`);
    process.exit(2);
  }
  let file = compiledFile(script);
  if (fromSource === '1') {
    // tsx is a development dependency: this path is for a working copy, never for the image.
    const { register } = await import('tsx/esm/api');
    register();
    file = join(ROOT, script);
  } else if (!isCurrent()) {
    const why = existsSync(STAMP) ? 'was built from other sources than these' : 'is missing';
    console.error(`The compiled server code (dist/) ${why}: building it once (npm run build:server)…`);
    const started = Date.now();
    build();
    console.error(`built dist/ in ${((Date.now() - started) / 1_000).toFixed(1)} s`);
  }
  return file;
}

/** Builds only when dist/ is not current (test setups, CI): `node scripts/launch.mjs --ensure`. */
export function ensureBuilt() {
  if (isCurrent()) return false;
  build();
  return true;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [first, ...rest] = process.argv.slice(2);
  /** @type {string | undefined} */
  let entry;
  try {
    if (first === '--build') build();
    else if (first === '--ensure') console.error(ensureBuilt() ? 'dist/ built' : 'dist/ is current');
    else if (first === undefined || first.startsWith('-')) {
      console.error('usage: node scripts/launch.mjs <scripts/x.ts> [args...]  |  --build  |  --ensure');
      process.exitCode = 2;
    } else entry = await entryPoint(first);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
  if (entry !== undefined) {
    // The entry point sees the command line it would see run directly (`node dist/scripts/x.js …`),
    // and its own failures surface as they would there (uncaught, with their stack).
    process.argv = [process.argv[0] ?? process.execPath, entry, ...rest];
    await import(pathToFileURL(entry).href);
  }
}
