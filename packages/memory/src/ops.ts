/**
 * MemoryRegionOps: how an I/O region (or a ROM device's write side) talks to its device.
 *
 * The device sees offsets inside its region and values of the sizes it implements; the
 * memory API splits, widens and byte-swaps guest accesses to fit (see region-access.ts).
 */

/** Access sizes in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

/** An 8-byte value as two unsigned 32-bit halves (the access path never uses BigInt). */
export interface Uint64Halves {
  low: number;
  high: number;
}

/** Sizes and alignment, for either what the guest may do (`valid`) or what the callbacks implement (`impl`). */
export interface AccessConstraints {
  /** Smallest size; default 1. */
  minAccessSize?: AccessSize;
  /**
   * Largest size. For `valid` the default accepts every size (QEMU's "0 means any");
   * for `impl` the default is 4.
   */
  maxAccessSize?: AccessSize;
  /**
   * `valid.unaligned`: the modelled device accepts unaligned accesses (default false: an
   * unaligned access is rejected and logged as a guest error).
   * `impl.unaligned`: the callbacks handle unaligned offsets themselves (default false: the
   * memory API emulates them with aligned accesses).
   */
  unaligned?: boolean;
}

export interface ValidConstraints extends AccessConstraints {
  /** Extra device-specific check; returning false rejects the access as a guest error. */
  accepts?(offset: number, size: AccessSize, isWrite: boolean): boolean;
}

export interface MemoryRegionOps {
  /** Reads `size` bytes at `offset`; the result is masked to `size` bytes. */
  read?(offset: number, size: 1 | 2 | 4): number;
  /** Writes the low `size` bytes of `value` at `offset`. */
  write?(offset: number, value: number, size: 1 | 2 | 4): void;
  /** 8-byte read, required when `impl.maxAccessSize` (or min) is 8: fill `result`. */
  read64?(offset: number, result: Uint64Halves): void;
  /** 8-byte write, required when `impl.maxAccessSize` (or min) is 8. */
  write64?(offset: number, low: number, high: number): void;
  /** Byte order of the device's registers; default 'little' (x86's native order). */
  endianness?: 'little' | 'big';
  valid?: ValidConstraints;
  impl?: AccessConstraints;
}

/** MemoryRegionOps with every default filled in, checked once at region creation. */
export interface NormalizedOps {
  /** The caller's object: callbacks are called as its methods, so `this` works in classes. */
  readonly source: MemoryRegionOps;
  readonly canRead: boolean;
  readonly canWrite: boolean;
  readonly bigEndian: boolean;
  readonly validMin: number;
  /** 0 means every size is valid. */
  readonly validMax: number;
  readonly validUnaligned: boolean;
  readonly hasAccepts: boolean;
  readonly implMin: number;
  readonly implMax: number;
  readonly implUnaligned: boolean;
  /**
   * Sizes (bit `size`, for 1, 2 and 4) whose aligned reads are valid and implemented as
   * they are, so they go straight to the callback: the common case, decided in one test.
   */
  readonly directReadSizes: number;
  readonly directWriteSizes: number;
}

const SIZES: readonly number[] = [1, 2, 4, 8];

function checkSize(v: number | undefined, what: string, name: string): void {
  if (v !== undefined && !SIZES.includes(v)) {
    throw new Error(`region "${name}": ${what} must be 1, 2, 4 or 8, got ${v}`);
  }
}

export function normalizeOps(ops: MemoryRegionOps, name: string): NormalizedOps {
  const valid = ops.valid ?? {};
  const impl = ops.impl ?? {};
  checkSize(valid.minAccessSize, 'valid.minAccessSize', name);
  checkSize(valid.maxAccessSize, 'valid.maxAccessSize', name);
  checkSize(impl.minAccessSize, 'impl.minAccessSize', name);
  checkSize(impl.maxAccessSize, 'impl.maxAccessSize', name);
  const implMin = impl.minAccessSize ?? 1;
  const implMax = impl.maxAccessSize ?? 4;
  if (implMin > implMax) {
    throw new Error(`region "${name}": impl.minAccessSize ${implMin} > maxAccessSize ${implMax}`);
  }
  const validMin = valid.minAccessSize ?? 1;
  const validMax = valid.maxAccessSize ?? 0;
  if (validMax !== 0 && validMin > validMax) {
    throw new Error(
      `region "${name}": valid.minAccessSize ${validMin} > maxAccessSize ${validMax}`,
    );
  }
  if (impl.unaligned && !valid.unaligned) {
    // Same rule as QEMU's memory_region_init_io assertion.
    throw new Error(`region "${name}": impl.unaligned requires valid.unaligned`);
  }
  const canRead = ops.read !== undefined || ops.read64 !== undefined;
  const canWrite = ops.write !== undefined || ops.write64 !== undefined;
  // The implemented sizes decide which callbacks the splitter will call: demand them now
  // rather than fail on the first guest access.
  if (implMax === 8 && canRead && !ops.read64) {
    throw new Error(`region "${name}": impl.maxAccessSize 8 needs read64`);
  }
  if (implMax === 8 && canWrite && !ops.write64) {
    throw new Error(`region "${name}": impl.maxAccessSize 8 needs write64`);
  }
  if (implMin < 8 && canRead && !ops.read) {
    throw new Error(`region "${name}": accesses narrower than 8 bytes need read`);
  }
  if (implMin < 8 && canWrite && !ops.write) {
    throw new Error(`region "${name}": accesses narrower than 8 bytes need write`);
  }
  let directReadSizes = 0;
  let directWriteSizes = 0;
  if (valid.accepts === undefined) {
    for (const size of [1, 2, 4]) {
      const validSize = validMax === 0 || (size >= validMin && size <= validMax);
      if (!validSize || size < implMin || size > implMax) continue;
      if (ops.read) directReadSizes |= size;
      if (ops.write) directWriteSizes |= size;
    }
  }
  return {
    source: ops,
    canRead,
    canWrite,
    bigEndian: ops.endianness === 'big',
    validMin,
    validMax,
    validUnaligned: valid.unaligned ?? false,
    hasAccepts: valid.accepts !== undefined,
    implMin,
    implMax,
    implUnaligned: impl.unaligned ?? false,
    directReadSizes,
    directWriteSizes,
  };
}
