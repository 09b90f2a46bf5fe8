/**
 * RAMBlock: the host memory behind a RAM, ROM or ROM-device region, placed in the global
 * ram_addr space (the index space of the dirty log, shared by every region of a MemoryCore).
 */
export class RamBlock {
  /** A DataView over `bytes`, built once so accesses never allocate. */
  readonly view: DataView;

  constructor(
    /** The owning region's name (QEMU's idstr). */
    readonly name: string,
    /** The backing store; index 0 is offset 0 of the region. */
    readonly bytes: Uint8Array,
    /** Where the block starts in ram_addr space; always page aligned. */
    readonly ramAddr: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }
}

export interface RamBackingOptions {
  /** Back the region with a SharedArrayBuffer (so workers can see guest RAM). */
  shared?: boolean;
  /** Use this buffer instead of allocating one; it must hold at least `size` bytes. */
  buffer?: ArrayBuffer | SharedArrayBuffer;
  /** Initial contents, copied in at offset 0 (for ROMs: the firmware image). */
  data?: Uint8Array;
}

export function allocateBacking(
  name: string,
  size: number,
  options: RamBackingOptions,
): Uint8Array {
  let bytes: Uint8Array;
  if (options.buffer) {
    if (options.buffer.byteLength < size) {
      throw new Error(
        `region "${name}": buffer holds ${options.buffer.byteLength} bytes, region needs ${size}`,
      );
    }
    bytes = new Uint8Array(options.buffer, 0, size);
  } else if (options.shared) {
    bytes = new Uint8Array(new SharedArrayBuffer(size));
  } else {
    bytes = new Uint8Array(size);
  }
  if (options.data) {
    if (options.data.length > size) {
      throw new Error(`region "${name}": data is ${options.data.length} bytes, region is ${size}`);
    }
    bytes.set(options.data);
  }
  return bytes;
}
