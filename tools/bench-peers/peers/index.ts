/** The peers `--peers` can name. */
import type { Peer } from './peer.js';
import { qemuPeer } from './qemu.js';
import { tsemuPeer } from './tsemu.js';
import { v86Peer } from './v86.js';

export const PEER_NAMES = ['qemu', 'v86', 'tsemu', 'tsemu-direct'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export interface PeerChoices {
  /** A qemu-system-i386 to use instead of installing Debian's into .cache/peers. */
  qemuBinary?: string;
  v86Version?: string;
}

export function makePeer(name: PeerName, choices: PeerChoices = {}): Peer {
  switch (name) {
    case 'qemu':
      return qemuPeer({ binary: choices.qemuBinary });
    case 'v86':
      return v86Peer({ version: choices.v86Version });
    case 'tsemu':
      return tsemuPeer();
    case 'tsemu-direct':
      // The BIOS-less fast path: the kernel is loaded in protected mode, no SeaBIOS.
      return tsemuPeer({
        name: 'tsemu-direct',
        label: 'tsemu (firmware=none)',
        extraArgs: ['-machine', 'pc,firmware=none'],
      });
  }
}
