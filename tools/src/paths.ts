/** Where the tools keep what they fetch and build: folders git ignores. */
import { resolve } from 'node:path';

/** The repository's root folder (tools/src is two levels below it). */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/**
 * The cache root: $TSEMU_CACHE_DIR when set, else `.cache` at the repository's root. Debian
 * packages go to `debs/` under it and the guest images to `images/`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TSEMU_CACHE_DIR ? resolve(env.TSEMU_CACHE_DIR) : resolve(REPO_ROOT, '.cache');
}
