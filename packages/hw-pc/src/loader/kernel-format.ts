/**
 * Which loader a `-kernel` file needs, decided as QEMU's x86_load_linux decides: a file
 * with the Linux boot signature is Linux (even if it also has a Multiboot header); otherwise
 * one with a valid Multiboot header is Multiboot.
 */

import { hasLinuxBootHeader, LINUX_HDR } from './linux-header.js';
import { scanMultibootHeader } from './multiboot-header.js';
import { hex } from './util.js';

export type KernelFormat = 'linux' | 'multiboot';

export function detectKernelFormat(image: Uint8Array): KernelFormat | undefined {
  if (hasLinuxBootHeader(image)) return 'linux';
  try {
    if (scanMultibootHeader(image).header) return 'multiboot';
  } catch {
    // A truncated Multiboot header still makes the file a Multiboot kernel: the loader reports it.
    return 'multiboot';
  }
  return undefined;
}

/** Why a file is neither kind, for the one-line error ("not a Linux bzImage or Multiboot kernel: ..."). */
export function unknownKernelReason(image: Uint8Array): string {
  const bad = scanMultibootHeader(image).badChecksumAt;
  const multiboot = bad.length
    ? `a Multiboot magic at offset ${hex(bad[0])} has a bad checksum`
    : 'no Multiboot header in the first 8 KiB';
  return `no Linux boot signature "HdrS" at offset ${hex(LINUX_HDR.HEADER)}, and ${multiboot}`;
}
