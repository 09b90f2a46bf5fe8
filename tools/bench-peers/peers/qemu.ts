/**
 * QEMU's TCG (`qemu-system-i386 -accel tcg`) from Debian's packages, unpacked into
 * `.cache/peers/qemu`. Debian's QEMU is relocatable: it finds its TCG module and firmware
 * relative to its executable, so the unpacked copy runs where it is, with its own SeaBIOS.
 */
import { join } from 'node:path';
import { ToolError } from '../../src/util/tool-error.js';
import { failureReason, runProgram } from '../run-program.js';
import { installPrivately, isFile, libraryDirs } from './debian-install.js';
import { type LaunchCommand, type Peer, qemuStyleArgs } from './peer.js';

/** What qemu-system-i386 needs at run time: its TCG module, firmware and option ROMs. */
export const QEMU_PACKAGES = [
  'qemu-system-x86',
  'qemu-system-common',
  'qemu-system-data',
  'seabios',
  'ipxe-qemu',
] as const;

/** A QEMU peer; `binary` uses that qemu-system-i386 instead of installing one. */
export function qemuPeer(options: { binary?: string } = {}): Peer {
  return {
    name: 'qemu',
    label: 'QEMU',
    async prepare(context) {
      let command: string;
      const env: Record<string, string> = {};
      if (options.binary !== undefined) {
        command = options.binary;
      } else {
        const install = await installPrivately({
          dir: join(context.peersDir, 'qemu'),
          packages: QEMU_PACKAGES,
          dependenciesOf: ['qemu-system-x86'],
          log: context.log,
        });
        // Debian 12 puts the real binary in libexec (usr/bin has a wrapper script).
        const libexec = join(install.root, 'usr/libexec/qemu-system-i386');
        command = (await isFile(libexec))
          ? libexec
          : join(install.root, 'usr/bin/qemu-system-i386');
        const libs = await libraryDirs(install.root);
        if (libs.length > 0) {
          env.LD_LIBRARY_PATH = [...libs, process.env.LD_LIBRARY_PATH ?? '']
            .filter((d) => d !== '')
            .join(':');
        }
      }
      const version = await qemuVersion(command, env);
      return {
        version,
        launch: (guest): LaunchCommand => ({
          command,
          args: ['-accel', 'tcg', ...qemuStyleArgs(guest)],
          env,
        }),
      };
    },
  };
}

async function qemuVersion(command: string, env: Record<string, string>): Promise<string> {
  const result = await runProgram(command, ['-version'], { env });
  const first = result.stdout.split('\n')[0]?.trim() ?? '';
  if (result.code !== 0 || !first.startsWith('QEMU')) {
    throw new ToolError(`${command} -version failed: ${failureReason(result)}`);
  }
  return first.replace(/^QEMU emulator version /, 'QEMU ');
}
