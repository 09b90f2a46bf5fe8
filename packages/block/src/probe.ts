/**
 * Format probing (QEMU's bdrv_probe_all / find_image_format): which format an image is in,
 * judged from its first bytes. qcow2 is recognised by its magic; a few other formats QEMU
 * knows are recognised so that the error can name them; anything else is raw.
 */

/** Enough bytes of the start of an image to probe it (QEMU's BLOCK_PROBE_BUF_SIZE). */
export const PROBE_BYTES = 512;

export type ProbedFormat =
  /** A qcow2 image (magic `QFI\xfb`, version 2 or later). */
  | { readonly format: 'qcow2' }
  /** No known signature: raw, with QEMU's warning. */
  | { readonly format: 'raw' }
  /** A format tsemu does not open; `format` is QEMU's name for it. */
  | { readonly format: 'unsupported'; readonly name: string };

const QCOW_MAGIC = [0x51, 0x46, 0x49, 0xfb]; // "QFI\xfb"

function startsWith(bytes: Uint8Array, text: string | number[], at = 0): boolean {
  const expected = typeof text === 'string' ? [...text].map((c) => c.charCodeAt(0)) : text;
  if (bytes.length < at + expected.length) return false;
  return expected.every((byte, i) => bytes[at + i] === byte);
}

function readUint32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Whether `bytes` start with the qcow magic (any version: the caller reports bad ones). */
export function hasQcowMagic(bytes: Uint8Array): boolean {
  return startsWith(bytes, QCOW_MAGIC);
}

/** Probes the first bytes of an image (up to `PROBE_BYTES`; fewer for a short file). */
export function probeFormat(bytes: Uint8Array): ProbedFormat {
  if (hasQcowMagic(bytes)) {
    // Version 1 is the original qcow format; 2 and 3 are qcow2. A truncated header or a
    // version we do not know is still reported as qcow2, so that the qcow2 driver explains
    // what is wrong instead of the image being silently treated as raw.
    if (bytes.length >= 8 && readUint32BE(bytes, 4) === 1) {
      return { format: 'unsupported', name: 'qcow' };
    }
    return { format: 'qcow2' };
  }
  const others: Array<[name: string, test: () => boolean]> = [
    ['qed', () => startsWith(bytes, 'QED\0')],
    ['vmdk', () => startsWith(bytes, 'KDMV') || startsWith(bytes, 'COWD')],
    ['vmdk', () => startsWith(bytes, '# Disk DescriptorFile')],
    ['vhdx', () => startsWith(bytes, 'vhdxfile')],
    ['vpc', () => startsWith(bytes, 'conectix')],
    ['luks', () => startsWith(bytes, [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe])],
    // VDI: its signature is a little-endian word at 0x40.
    ['vdi', () => startsWith(bytes, [0x7f, 0x10, 0xda, 0xbe], 0x40)],
    [
      'parallels',
      () => startsWith(bytes, 'WithoutFreeSpace') || startsWith(bytes, 'WithouFreSpacExt'),
    ],
    ['bochs', () => startsWith(bytes, 'Bochs Virtual HD Image')],
  ];
  for (const [name, test] of others) {
    if (test()) return { format: 'unsupported', name };
  }
  return { format: 'raw' };
}

/** QEMU's warning when probing guessed raw (printed on stderr by the command). */
export function rawProbeWarning(filename: string): string {
  return (
    `WARNING: Image format was not specified for '${filename}' and probing guessed raw.\n` +
    '         Automatically detecting the format is dangerous for raw images, write operations on block 0 will be restricted.\n' +
    "         Specify the 'raw' format explicitly to remove the restrictions."
  );
}
