/**
 * v86 (npm package `v86`, with its x86-to-WebAssembly JIT), installed with npm into
 * `.cache/peers/v86` (not a dependency of any tsemu package) and run headless in Node by
 * `v86-runner.mjs`, with Debian's SeaBIOS and VGA BIOS from the guest images.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError } from '../../src/util/tool-error.js';
import { failureReason, runProgram } from '../run-program.js';
import { isFile } from './debian-install.js';
import type { LaunchCommand, Peer } from './peer.js';

/** The v86 release the figures are for: its package has no `engines`, and runs on Node 20. */
export const V86_VERSION = '0.5.462';

const RUNNER = join(import.meta.dirname, 'v86-runner.mjs');

export function v86Peer(options: { version?: string } = {}): Peer {
  const wanted = options.version ?? V86_VERSION;
  return {
    name: 'v86',
    label: 'v86',
    async prepare(context) {
      const dir = join(context.peersDir, 'v86');
      const packageDir = join(dir, 'node_modules/v86');
      let installed = await installedVersion(packageDir);
      if (installed === undefined || !installed.startsWith(wanted)) {
        context.log(`npm install v86@${wanted} into ${dir}...`);
        const result = await runProgram(
          'npm',
          ['install', '--prefix', dir, `v86@${wanted}`, '--no-audit', '--no-fund'],
          { timeoutMs: 300_000 },
        );
        if (result.code !== 0) {
          throw new ToolError(`npm install v86@${wanted} failed: ${failureReason(result)}`);
        }
        installed = await installedVersion(packageDir);
        if (installed === undefined) throw new ToolError(`npm did not install v86 into ${dir}`);
      }
      const bios = join(context.imagesDir, 'bios-256k.bin');
      const vgabios = join(context.imagesDir, 'vgabios-stdvga.bin');
      for (const file of [bios, vgabios]) {
        if (!(await isFile(file))) throw new ToolError(`${file} is missing (fetch guest images)`);
      }
      return {
        // npm's version has a build suffix ("0.5.462+g5f9a90f"): keep it, it names the commit.
        version: `v86 ${installed}`,
        launch: (guest): LaunchCommand => ({
          command: process.execPath,
          args: [
            RUNNER,
            '--v86',
            packageDir,
            '--bios',
            bios,
            '--vgabios',
            vgabios,
            '--kernel',
            guest.kernel,
            '--initrd',
            guest.initrd,
            '--append',
            guest.append,
            '--memory',
            String(guest.memoryMiB),
          ],
        }),
      };
    },
  };
}

async function installedVersion(packageDir: string): Promise<string | undefined> {
  try {
    return JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
