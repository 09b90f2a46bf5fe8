/**
 * The i440FX PC's memory and I/O map, built the way QEMU's pc_memory_init, x86 firmware
 * setup and i440fx_init build it. Shared by the PC map test and the benchmark; the real
 * machine lives in @tsemu/hw-pc, which wires the i440FX PAM registers to the same shape:
 *
 * - pc.ram is mapped through two aliases: ram-below-4g at 0 (up to the PCI hole) and
 *   ram-above-4g at 4 GiB for the rest;
 * - the PCI address space sits under everything in system memory (priority -1), so the
 *   PCI hole and every unclaimed address reach PCI;
 * - the BIOS ROM (pc.bios) is at the top of 4 GiB in PCI space, and its last 128 KiB are
 *   aliased at 0xe0000 (isa-bios, read-only), over the option-ROM area pc.rom at 0xc0000;
 * - the VGA window 0xa0000-0xbffff is an alias of PCI space over RAM (smram-region,
 *   priority 1), where the VGA card's vga-lowmem sits;
 * - thirteen PAM segments shadow 0xc0000-0xfffff (PamRegion, priority 1);
 * - the I/O port space is its own 64 KiB address space.
 */
import {
  type AddressSpace,
  I440FX_PAM_SEGMENTS,
  i440fxPamAttribute,
  type LogSink,
  MemoryCore,
  type MemoryRegion,
  PamRegion,
  UINT64_MAX,
} from '../src/index.js';

export interface PcMemoryMapOptions {
  /** Guest RAM size (QEMU's -m). */
  ramSize: number;
  /** Where RAM below 4 GiB ends and the PCI hole begins (QEMU's max-ram-below-4g). */
  belowFourGig: number;
  biosSize?: number;
  log?: LogSink;
}

export interface PcMemoryMap {
  core: MemoryCore;
  system: MemoryRegion;
  pci: MemoryRegion;
  io: MemoryRegion;
  ram: MemoryRegion;
  bios: MemoryRegion;
  optionRom: MemoryRegion;
  vram: MemoryRegion;
  smramRegion: MemoryRegion;
  pam: PamRegion[];
  memory: AddressSpace;
  ioSpace: AddressSpace;
  /** Bytes the vga-lowmem device has seen written, by offset. */
  vgaWrites: Map<number, number>;
  /** The i440FX PAM registers 0x59-0x5f as last programmed. */
  pamRegisters: Uint8Array;
  /** What the i440FX does on a PAM register write (i440fx_update_memory_mappings). */
  writePam(register: number, value: number): void;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const FOUR_GIB = 2 ** 32;

/** A recognisable BIOS image: distinct bytes, and a far jump at the reset vector. */
export function biosImage(size: number): Uint8Array {
  const image = Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
  image.set([0xea, 0x5b, 0xe0, 0x00, 0xf0], size - 16);
  return image;
}

export function buildPcMemoryMap(options: PcMemoryMapOptions): PcMemoryMap {
  const { ramSize, belowFourGig } = options;
  const biosSize = options.biosSize ?? 256 * KiB;
  const core = new MemoryCore({ log: options.log });
  const system = core.container('system', UINT64_MAX);
  const pci = core.container('pci', UINT64_MAX);
  const io = core.container('io', 0x10000);
  const ram = core.ram('pc.ram', ramSize);
  const bios = core.rom('pc.bios', biosSize, { data: biosImage(biosSize) });
  const optionRom = core.rom('pc.rom', 128 * KiB, { data: new Uint8Array([0x55, 0xaa, 0x40]) });
  const vram = core.ram('vga.vram', 16 * MiB);
  const vgaWrites = new Map<number, number>();
  const vgaLowmem = core.io('vga-lowmem', 128 * KiB, {
    // Planar VGA memory in mode 0x13-like chain-4: good enough to see who answers.
    read: (offset) => 0xa0 ^ (offset & 0xff),
    write: (offset, value) => {
      vgaWrites.set(offset, value);
    },
    impl: { maxAccessSize: 1 },
    valid: { unaligned: true },
  });
  let smramRegion: MemoryRegion | undefined;
  const pam: PamRegion[] = [];
  core.transaction(() => {
    // pc_memory_init: RAM split around the PCI hole.
    system.addSubregion(0, core.alias('ram-below-4g', ram, 0, Math.min(ramSize, belowFourGig)));
    if (ramSize > belowFourGig) {
      const above = core.alias('ram-above-4g', ram, belowFourGig, ramSize - belowFourGig);
      system.addSubregion(FOUR_GIB, above);
    }
    // i440fx_init -> pc_pci_as_mapping_init: PCI under everything.
    system.addSubregionOverlap(0, pci, -1);
    // x86_bios_rom_init: the BIOS at the top of 4 GiB, its last 128 KiB below 1 MiB.
    pci.addSubregion(FOUR_GIB - biosSize, bios);
    const isaBios = core.alias('isa-bios', bios, biosSize - 128 * KiB, 128 * KiB);
    isaBios.setReadonly(true);
    pci.addSubregionOverlap(0x100000 - 128 * KiB, isaBios, 1);
    // pc_memory_init: the option-ROM area, read-only with PCI enabled.
    pci.addSubregionOverlap(0xc0000, optionRom, 1);
    // The VGA card: legacy window and linear framebuffer BAR.
    pci.addSubregionOverlap(0xa0000, vgaLowmem, 1);
    pci.addSubregion(0xfd000000, vram);
    // i440fx_init: the SMRAM window shows PCI at 0xa0000 unless SMRAM is opened.
    smramRegion = core.alias('smram-region', pci, 0xa0000, 128 * KiB);
    system.addSubregionOverlap(0xa0000, smramRegion, 1);
    for (const seg of I440FX_PAM_SEGMENTS) {
      pam.push(new PamRegion(core, { ram, system, pci, start: seg.start, size: seg.size }));
    }
    addLegacyPorts(core, io);
  });
  const pamRegisters = new Uint8Array(7);
  return {
    core,
    system,
    pci,
    io,
    ram,
    bios,
    optionRom,
    vram,
    smramRegion: smramRegion as MemoryRegion,
    pam,
    memory: core.addressSpace('memory', system),
    ioSpace: core.addressSpace('I/O', io),
    vgaWrites,
    pamRegisters,
    writePam(register, value) {
      pamRegisters[register - 0x59] = value;
      core.transaction(() => {
        I440FX_PAM_SEGMENTS.forEach((seg, i) => {
          pam[i].setAttribute(i440fxPamAttribute(pamRegisters[seg.register - 0x59], i));
        });
      });
    },
  };
}

/** A few legacy devices, each a byte-register file that remembers what was written. */
function addLegacyPorts(core: MemoryCore, io: MemoryRegion): void {
  const device = (name: string, port: number, size: number, maxAccess: 1 | 4 = 1) => {
    const regs = new Uint8Array(size);
    io.addSubregion(
      port,
      core.io(name, size, {
        read: (o, s) => {
          let v = 0;
          for (let j = 0; j < s; j++) v |= regs[o + j] << (8 * j);
          return v >>> 0;
        },
        write: (o, v, s) => {
          for (let j = 0; j < s; j++) regs[o + j] = v >>> (8 * j);
        },
        impl: { maxAccessSize: maxAccess },
        valid: { unaligned: true },
      }),
    );
  };
  device('pic', 0x20, 2);
  device('pit', 0x40, 4);
  device('i8042-data', 0x60, 1);
  device('i8042-cmd', 0x64, 1);
  device('vga', 0x3c0, 0x10);
  device('serial', 0x3f8, 8);
  device('pci-conf-idx', 0xcf8, 4, 4);
  device('pci-conf-data', 0xcfc, 4, 4);
}
