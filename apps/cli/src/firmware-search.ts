/**
 * Where tsemu looks for firmware and option ROMs when the command line gives a bare name
 * (QEMU's qemu_find_file with its data directories): the `-L` directories first, then the
 * folder the project's guest-image tool fills, then Debian's package locations.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's `seabios` and `qemu-system-data` install these. */
const SYSTEM_DIRS = ['/usr/share/seabios', '/usr/share/qemu', '/usr/lib/ipxe/qemu'];

/** `.cache/images` of the repository this file lives in (source or bundled build). */
function projectImageDirs(): string[] {
  const dirs: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    dirs.push(join(dir, '.cache', 'images'));
    dir = dirname(dir);
  }
  return dirs;
}

export function firmwareSearchPath(userDirs: readonly string[]): string[] {
  const env = process.env.TSEMU_FIRMWARE_DIR ? [process.env.TSEMU_FIRMWARE_DIR] : [];
  return [...userDirs.map((d) => resolve(d)), ...env, ...projectImageDirs(), ...SYSTEM_DIRS];
}

/** The path of firmware file `name`, or undefined when no search directory has it. */
export function findFirmware(name: string, userDirs: readonly string[]): string | undefined {
  // A path (not a bare name) is used as it is: reading it reports what is wrong with it.
  if (name.includes('/')) return name;
  for (const dir of firmwareSearchPath(userDirs)) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The one-line hint a missing firmware error ends with. */
export const FIRMWARE_HINT =
  "install Debian's seabios package, pass -L DIR, or run 'pnpm --filter @tsemu/tools fetch-guest-images'";
