/**
 * The system firmware's place in memory (QEMU's x86_bios_rom_init): the whole image as a ROM
 * ending at 4 GiB, where the CPU's reset vector fetches, and its last 128 KiB also visible
 * just below 1 MiB (`isa-bios`), where real-mode code expects the BIOS. Both go into the PCI
 * address space, so the i440FX's PAM registers can shadow the low copy with RAM.
 */
import type { MemoryCore, MemoryRegion } from '@tsemu/memory';

/** Largest firmware image QEMU's pc accepts: 16 MiB (the flash window below 4 GiB). */
export const PC_MAX_BIOS_SIZE = 16 * 1024 * 1024;
const ISA_BIOS_MAX_SIZE = 128 * 1024;

/** Why a firmware image cannot be used, or undefined when it can. */
export function checkFirmwareImage(image: Uint8Array): string | undefined {
  if (image.length === 0 || image.length % 65536 !== 0) {
    return `size ${image.length} bytes is not a non-zero multiple of 64 KiB`;
  }
  if (image.length > PC_MAX_BIOS_SIZE) return `size ${image.length} bytes is above 16 MiB`;
  return undefined;
}

/** Map `image` as `pc.bios` at 4 GiB - size and `isa-bios` below 1 MiB, in `pciSpace`. */
export function mapPcFirmware(memory: MemoryCore, pciSpace: MemoryRegion, image: Uint8Array): void {
  const problem = checkFirmwareImage(image);
  if (problem) throw new Error(`firmware image: ${problem}`);
  const size = image.length;
  const bios = memory.rom('pc.bios', size, { data: image });
  const isaSize = Math.min(size, ISA_BIOS_MAX_SIZE);
  const isaBios = memory.alias('isa-bios', bios, size - isaSize, isaSize);
  isaBios.setReadonly(true);
  memory.transaction(() => {
    pciSpace.addSubregionOverlap(0x100000 - isaSize, isaBios, 1);
    pciSpace.addSubregion(2 ** 32 - size, bios);
  });
}
