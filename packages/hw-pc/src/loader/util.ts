/** Small helpers the loaders share (not exported from the package). */

export const PAGE_SIZE = 0x1000;

/** `value` rounded up to a multiple of `alignment` (a power of two). */
export function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** `value` rounded down to a multiple of `alignment` (a power of two). */
export function alignDown(value: number, alignment: number): number {
  return Math.floor(value / alignment) * alignment;
}

/** `0x1234` style, for messages. */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** Sizes in messages: bytes, with MiB when large. */
export function byteCount(value: number): string {
  return value >= 1024 * 1024
    ? `${value} bytes (${(value / (1024 * 1024)).toFixed(1)} MiB)`
    : `${value} bytes`;
}
