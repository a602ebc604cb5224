import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { preparePages } from '../../gateway/page-builds.js';

// Vite stands in for what a production install lacks: its factory runs only if something
// imports it, so the flag says whether a production start reached for it.
const vite = vi.hoisted(() => ({ imported: false }));
vi.mock('vite', () => {
  vite.imported = true;
  throw new Error('vite is a development dependency, absent from a production install');
});

describe('preparing the console and the IDE before the gateway serves them', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const emptyDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'pages-'));
    dirs.push(dir);
    return dir;
  };

  it('in production, never imports Vite: it says the console is not built and how to build it', async () => {
    const [consoleDir, ideDir] = [await emptyDir(), await emptyDir()];
    const log = { info: vi.fn<(message: string) => void>(), warn: vi.fn<(message: string) => void>() };
    await preparePages({ production: true, log, consoleDir, ideDir });
    expect(vite.imported).toBe(false);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]?.[0]).toContain('npm run build');
    expect(existsSync(join(consoleDir, 'index.html'))).toBe(false);
  });

  it('in development, builds a missing console with Vite, and where Vite is absent says how to build it instead', async () => {
    const [consoleDir, ideDir] = [await emptyDir(), await emptyDir()];
    const log = { info: vi.fn<(message: string) => void>(), warn: vi.fn<(message: string) => void>() };
    await preparePages({ production: false, log, consoleDir, ideDir });
    expect(vite.imported).toBe(true);
    expect(log.warn.mock.calls.map(([message]) => message)).toEqual([expect.stringContaining('npm run build'), expect.stringContaining('npm run build')]);
  });
});
