/**
 * The memory map a PC BIOS reports to the operating system (INT 15h E820), derived from the
 * machine's own table (`etc/e820` in fw_cfg, {@link pcE820Table}) the way SeaBIOS derives
 * it: conventional memory ends at the EBDA just below 640 KiB, and the VGA window and the
 * BIOS area up to 1 MiB are not RAM. The BIOS-less loaders give this map to the kernel (the
 * Linux zero page, the Multiboot mmap), so that a kernel sees the same RAM with or without
 * SeaBIOS.
 */
import { E820_RAM, E820_RESERVED, type E820Entry, E820Table } from '../fw_cfg/e820.js';

/** Where SeaBIOS puts its 1 KiB Extended BIOS Data Area: conventional RAM ends here. */
export const EBDA_START = 0x9fc00;
/** The end of conventional memory (the VGA window starts here). */
export const LOW_RAM_END = 0xa0000;
/** The BIOS's 64 KiB below 1 MiB, reserved in the map. */
export const BIOS_AREA_START = 0xf0000;
/** 1 MiB: extended memory starts here. */
export const HIGH_MEMORY_START = 0x100000;

/**
 * The BIOS's view of `machine`: every RAM range with the hole from {@link EBDA_START} to
 * 1 MiB cut out, the EBDA and the BIOS area added as reserved (when RAM covered them), the
 * other entries kept; sorted by address, as SeaBIOS's table is.
 */
export function biosE820Table(machine: E820Table): E820Table {
  const out: E820Entry[] = [];
  let coversEbda = false;
  let coversBiosArea = false;
  for (const e of machine.entries) {
    const end = e.address + e.length;
    if (e.type !== E820_RAM) {
      out.push(e);
      continue;
    }
    if (e.address < LOW_RAM_END && end > EBDA_START) coversEbda = true;
    if (e.address < HIGH_MEMORY_START && end > BIOS_AREA_START) coversBiosArea = true;
    if (e.address < EBDA_START) {
      out.push({
        address: e.address,
        length: Math.min(end, EBDA_START) - e.address,
        type: E820_RAM,
      });
    }
    if (end > HIGH_MEMORY_START) {
      const start = Math.max(e.address, HIGH_MEMORY_START);
      out.push({ address: start, length: end - start, type: E820_RAM });
    }
  }
  if (coversEbda) {
    out.push({ address: EBDA_START, length: LOW_RAM_END - EBDA_START, type: E820_RESERVED });
  }
  if (coversBiosArea) {
    out.push({
      address: BIOS_AREA_START,
      length: HIGH_MEMORY_START - BIOS_AREA_START,
      type: E820_RESERVED,
    });
  }
  out.sort((a, b) => a.address - b.address);
  const table = new E820Table();
  for (const e of out) table.add(e.address, e.length, e.type);
  return table;
}

/** Conventional memory in KiB: RAM from address 0 (Multiboot's mem_lower, INT 12h). */
export function conventionalMemoryKib(map: E820Table): number {
  return Math.floor(contiguousRamEnd(map, 0) / 1024);
}

/**
 * Extended memory in KiB: RAM from 1 MiB up to the first hole, below 4 GiB (Multiboot's
 * mem_upper; Linux's alt_mem_k, which BIOS E801 reports).
 */
export function extendedMemoryKib(map: E820Table): number {
  const end = contiguousRamEnd(map, HIGH_MEMORY_START);
  return Math.floor((end - HIGH_MEMORY_START) / 1024);
}

/** The end of RAM that runs without a gap from `start`, over RAM entries in any order. */
function contiguousRamEnd(map: E820Table, start: number): number {
  let end = start;
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of map.entries) {
      const eEnd = Math.min(e.address + e.length, 2 ** 32);
      if (e.type === E820_RAM && e.address <= end && end < eEnd) {
        end = eEnd;
        grew = true;
      }
    }
  }
  return end;
}
