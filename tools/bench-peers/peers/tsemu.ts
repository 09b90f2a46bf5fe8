/**
 * tsemu itself, driven exactly as QEMU is: `node apps/cli/dist/tsemu.mjs` (the bundle that
 * `pnpm --filter @tsemu/cli build` makes) with the same options.
 */
import { join } from 'node:path';
import { ToolError } from '../../src/util/tool-error.js';
import { failureReason, runProgram } from '../run-program.js';
import { isFile } from './debian-install.js';
import { type LaunchCommand, type Peer, qemuStyleArgs } from './peer.js';

export const TSEMU_BUNDLE = 'apps/cli/dist/tsemu.mjs';

export interface TsemuPeerOptions {
  name?: string;
  label?: string;
  /** tsemu options added before the common ones (`-machine pc,firmware=none`). */
  extraArgs?: readonly string[];
  /** Node options put before the bundle (`--cpu-prof` for the profile). */
  nodeArgs?: readonly string[];
}

export function tsemuPeer(options: TsemuPeerOptions = {}): Peer {
  return {
    name: options.name ?? 'tsemu',
    label: options.label ?? 'tsemu',
    async prepare(context) {
      const bundle = join(context.repoRoot, TSEMU_BUNDLE);
      if (!(await isFile(bundle))) {
        throw new ToolError(`${TSEMU_BUNDLE} is missing: pnpm --filter @tsemu/cli build`);
      }
      const result = await runProgram(process.execPath, [bundle, '-version']);
      const first = result.stdout.split('\n')[0]?.trim() ?? '';
      if (result.code !== 0 || first === '') {
        throw new ToolError(`tsemu -version failed: ${failureReason(result)}`);
      }
      return {
        version: first,
        launch: (guest): LaunchCommand => ({
          command: process.execPath,
          args: [
            ...(options.nodeArgs ?? []),
            bundle,
            ...(options.extraArgs ?? []),
            ...qemuStyleArgs(guest),
          ],
          cwd: context.repoRoot,
        }),
      };
    },
  };
}
