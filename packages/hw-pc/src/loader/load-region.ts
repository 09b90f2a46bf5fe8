/**
 * What a kernel loader produces: bytes to place at guest-physical addresses. The loaders
 * never write guest memory themselves; the BIOS-less path writes these regions with
 * {@link writeLoadRegions}, and the firmware path hands the same bytes to fw_cfg for an
 * option ROM to copy.
 */
import { KernelImageError } from './kernel-image-error.js';
import { hex } from './util.js';

/** Bytes to place at a guest-physical address. */
export interface LoadRegion {
  /** What the bytes are ("kernel", "initrd", "zero page"...), for messages and `info` dumps. */
  readonly name: string;
  readonly addr: number;
  readonly bytes: Uint8Array;
}

/**
 * Guest-physical memory as the loaders write it. The machine passes an adapter over its
 * AddressSpace; a test passes a plain array.
 */
export interface PhysicalMemoryWriter {
  write(addr: number, bytes: Uint8Array): void;
}

/** Write every region into guest memory, in order. */
export function writeLoadRegions(
  memory: PhysicalMemoryWriter,
  regions: readonly LoadRegion[],
): void {
  for (const region of regions) memory.write(region.addr, region.bytes);
}

/**
 * Checks that every region lies in RAM below `ramEnd` and that no two overlap; throws a
 * {@link KernelImageError} naming the regions otherwise.
 */
export function checkRegions(regions: readonly LoadRegion[], ramEnd: number): void {
  for (const r of regions) {
    const end = r.addr + r.bytes.length;
    if (end > ramEnd) {
      throw new KernelImageError(
        `the ${r.name} (${hex(r.addr)}-${hex(end)}) does not fit in RAM below ` +
          `${hex(ramEnd)}: give the machine more memory with -m`,
      );
    }
  }
  const sorted = [...regions].sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (cur.addr < prev.addr + prev.bytes.length) {
      throw new KernelImageError(
        `the ${cur.name} at ${hex(cur.addr)} overlaps the ${prev.name} ` +
          `(${hex(prev.addr)}-${hex(prev.addr + prev.bytes.length)})`,
      );
    }
  }
}
