import { fileURLToPath } from 'node:url';

/** The repository root, wherever the process was started from. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export const repoPath = (...segments: readonly string[]): string => [REPO_ROOT.replace(/\/$/, ''), ...segments].join('/');
