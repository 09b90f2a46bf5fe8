/**
 * The real guest images the tools fetch (tools/src/fetch-guest-images.ts), for tests that
 * check the loaders against Debian's kernel. A missing image fails the test with the
 * command that fetches it: these tests never skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/hw-pc/src/loader/testing/). */
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../..');

/** Where the images are: $TSEMU_CACHE_DIR/images, else .cache/images at the repository root. */
export function guestImagesDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.TSEMU_CACHE_DIR ? resolve(env.TSEMU_CACHE_DIR) : resolve(REPO_ROOT, '.cache');
  return resolve(cache, 'images');
}

/** The bytes of a cached image, or an Error that says how to fetch it. */
export function guestImage(name: string): Uint8Array {
  const path = resolve(guestImagesDir(), name);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: run \`pnpm --filter @tsemu/tools fetch-guest-images\` first`,
    );
  }
  return new Uint8Array(readFileSync(path));
}
