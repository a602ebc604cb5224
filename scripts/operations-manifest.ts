import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildManifest, manifestJson, ManifestSourceError, type OperationSource } from '../gateway/persisted-operations/build-manifest.js';

/**
 * `npm run operations:manifest -- <dir>... [--out FILE]`: an application's reviewed operations
 * (every `.graphql` file under each dir) as an Apollo persisted-query manifest, for
 * PERSISTED_OPERATIONS_FILE (docs/persisted-operations.md). Writes to stdout without `--out`.
 * Exit 2 on a source that cannot become an entry (a parse error, an anonymous operation, two
 * operations with one name), with the file and line.
 */
export async function readOperationSources(dirs: readonly string[]): Promise<OperationSource[]> {
  const sources: OperationSource[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.graphql')).sort();
    } catch (error) {
      throw new ManifestSourceError(`cannot read the directory ${dir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    for (const file of files) sources.push({ file: relative(process.cwd(), join(dir, file)) || file, text: await readFile(join(dir, file), 'utf8') });
  }
  return sources;
}

async function main(args: readonly string[]): Promise<number> {
  const dirs: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--out') {
      out = args[i + 1];
      i += 1;
      if (out === undefined) return usage('--out needs a file');
    } else if (arg.startsWith('-')) return usage(`unknown option ${arg}`);
    else dirs.push(arg);
  }
  if (dirs.length === 0) return usage('name at least one directory of .graphql files');
  try {
    const sources = await readOperationSources(dirs);
    if (sources.length === 0) return usage(`no .graphql files under ${dirs.join(', ')}`);
    const text = manifestJson(buildManifest(sources));
    if (out === undefined) process.stdout.write(text);
    else {
      await writeFile(out, text);
      process.stderr.write(`wrote ${out}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ManifestSourceError) {
      process.stderr.write(`operations:manifest: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function usage(problem: string): number {
  process.stderr.write(`operations:manifest: ${problem}\nusage: npm run operations:manifest -- <dir of .graphql files>... [--out FILE]\n`);
  return 2;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
