/**
 * The parts of a VGA shared by its ISA and PCI forms (QEMU's vga_common_init and vga_init):
 * video memory as the RAM region "vga.vram" with VGA dirty logging, the {@link VgaCore},
 * the memory regions of the legacy window and the I/O ports, and the {@link VgaRenderer}
 * that draws into a console.
 *
 * The legacy window follows the graphics controller's memory map select: an alias
 * "vga.window" of the 128K I/O region "vga-lowmem" is mapped at 0xa0000 (128K or 64K),
 * 0xb0000 or 0xb8000 (32K). In chain-4 mode with all planes writable, a RAM alias
 * "vga.chain4" of video memory covers the window at a higher priority, so the CPU reaches
 * mode 13h and VBE banked memory directly, as in QEMU.
 */
import { DirtyClient, type MemoryCore, type MemoryRegion } from '@tsemu/memory';
import type { DeviceClock, LogSink } from '../device-env.js';
import type { ConsolePort, HardwareConsolePort } from './console-port.js';
import { VgaCore } from './vga/vga-core.js';
import { VGA_LEGACY_BASE, VGA_LEGACY_SIZE, VGA_PORT_OFFSET_MIN } from './vga/vga-regs.js';
import { VgaRenderer } from './vga/vga-renderer.js';

/** Video memory sizes the device accepts, in MiB (QEMU clamps vgamem_mb to 1-512). */
export const VGA_VRAM_MB_MIN = 1;
export const VGA_VRAM_MB_MAX = 512;

/** QEMU's rounding of `vgamem_mb`: clamped to 1-512 and up to a power of two. */
export function vgaVramSize(megabytes: number): number {
  let mb = Math.min(VGA_VRAM_MB_MAX, Math.max(VGA_VRAM_MB_MIN, Math.floor(megabytes)));
  mb = 2 ** Math.ceil(Math.log2(mb));
  return mb * 1024 * 1024;
}

/** Priorities in the legacy address space: over RAM, and the chain-4 RAM alias over the window. */
const WINDOW_PRIORITY = 1;
const CHAIN4_PRIORITY = 2;

export interface VgaCommonOptions {
  memory: MemoryCore;
  /** Video memory in bytes: a power of two, at least 256 KiB. */
  vramSize: number;
  log?: LogSink;
  /** The virtual clock, for blinking. */
  clock?: DeviceClock;
}

export class VgaCommon {
  readonly vram: MemoryRegion;
  readonly core: VgaCore;
  /** The window's I/O region: offsets 0-0x1ffff from 0xa0000, decoded by the core. */
  readonly lowmem: MemoryRegion;
  readonly window: MemoryRegion;
  readonly chain4: MemoryRegion;
  /** The VGA's ports as one region for 0x3b0-0x3df. */
  readonly ioports: MemoryRegion;
  /** The Bochs dispi ports: index at 0x1ce, data at 0x1cf and 0x1d0 (16-bit accesses). */
  readonly vbePorts: MemoryRegion;
  private legacy: MemoryRegion | undefined;
  private rendererValue: VgaRenderer | undefined;

  constructor(private readonly options: VgaCommonOptions) {
    const { memory } = options;
    this.vram = memory.ram('vga.vram', options.vramSize);
    this.vram.setLog(true, DirtyClient.VGA);
    const vram = this.vram;
    this.core = new VgaCore({
      vram: { bytes: vram.bytes, markDirty: (offset, size) => vram.setDirty(offset, size) },
      log: options.log,
      onMemoryMapChange: () => this.updateMemoryWindows(),
    });
    const core = this.core;
    this.lowmem = memory.io('vga-lowmem', VGA_LEGACY_SIZE, {
      read: (offset) => core.memRead(offset),
      write: (offset, value) => core.memWrite(offset, value),
      impl: { maxAccessSize: 1 },
    });
    this.window = memory.alias('vga.window', this.lowmem, 0, VGA_LEGACY_SIZE);
    this.chain4 = memory.alias('vga.chain4', this.vram, 0, VGA_LEGACY_SIZE);
    this.chain4.setEnabled(false);
    this.ioports = memory.io('vga', 0x30, {
      read: (offset) => core.read(offset + VGA_PORT_OFFSET_MIN),
      write: (offset, value) => core.write(offset + VGA_PORT_OFFSET_MIN, value),
      impl: { maxAccessSize: 1 },
    });
    this.vbePorts = memory.io('vbe', 4, {
      read: (offset) => core.dispiRead(offset),
      write: (offset, value) => core.dispiWrite(offset, value),
      // 16-bit registers at 0x1ce and 0x1cf (x86) or 0x1d0: a word access at 0x1cf is the
      // data register, not a split access.
      valid: { minAccessSize: 2, maxAccessSize: 2, unaligned: true },
      impl: { minAccessSize: 2, maxAccessSize: 2, unaligned: true },
    });
    this.updateMemoryWindows();
  }

  /** Maps the legacy window into `container` (the PCI or ISA memory space: 0xa0000 there). */
  mapLegacy(container: MemoryRegion): void {
    if (this.legacy) throw new Error('vga: the legacy window is already mapped');
    const w = this.core.memoryWindows();
    this.legacy = container;
    this.options.memory.transaction(() => {
      container.addSubregionOverlap(w.base, this.window, WINDOW_PRIORITY);
      container.addSubregionOverlap(w.base, this.chain4, CHAIN4_PRIORITY);
      this.updateMemoryWindows();
    });
  }

  unmapLegacy(): void {
    const container = this.legacy;
    if (!container) return;
    this.legacy = undefined;
    this.options.memory.transaction(() => {
      container.removeSubregion(this.window);
      container.removeSubregion(this.chain4);
    });
  }

  /** Maps the ports: 0x3b0-0x3df and (with `vbe`) 0x1ce-0x1d0, into the I/O space `io`. */
  mapPorts(io: MemoryRegion, vbe = true): void {
    io.addSubregion(0x3b0, this.ioports);
    if (vbe) io.addSubregion(0x1ce, this.vbePorts);
  }

  unmapPorts(io: MemoryRegion): void {
    if (this.ioports.container === io) io.removeSubregion(this.ioports);
    if (this.vbePorts.container === io) io.removeSubregion(this.vbePorts);
  }

  /** QEMU's vga_update_memory_access: the window and chain-4 alias follow the registers. */
  private updateMemoryWindows(): void {
    // The constructor's first reset comes before the regions exist.
    if (this.window === undefined || this.chain4 === undefined) return;
    const w = this.core.memoryWindows();
    this.options.memory.transaction(() => {
      this.window.setAliasOffset(w.base - VGA_LEGACY_BASE);
      this.window.setSize(w.size);
      if (this.legacy) this.window.setAddress(w.base);
      if (w.chain4) {
        this.chain4.setAliasOffset(w.chain4.vramOffset);
        this.chain4.setSize(w.size);
        if (this.legacy) this.chain4.setAddress(w.base);
        this.chain4.setEnabled(true);
      } else {
        this.chain4.setEnabled(false);
      }
    });
  }

  /** Draws into `console` from now on; registers with it when it takes hardware ops. */
  attachConsole(console: ConsolePort | HardwareConsolePort): VgaRenderer {
    const vram = this.vram;
    const renderer = new VgaRenderer(this.core, {
      console,
      clock: this.options.clock,
      dirty: {
        isDirty: (offset, size) => vram.getDirty(offset, size, DirtyClient.VGA),
        clearDirty: (offset, size) => vram.resetDirty(offset, size, DirtyClient.VGA),
      },
    });
    this.rendererValue = renderer;
    if ('setHardware' in console) {
      console.setHardware({
        gfxUpdate: () => renderer.updateDisplay(),
        textUpdate: () => renderer.updateText(),
        invalidate: () => renderer.invalidate(),
      });
    }
    return renderer;
  }

  /** The renderer of the attached console, if any. */
  get renderer(): VgaRenderer | undefined {
    return this.rendererValue;
  }

  reset(): void {
    this.core.reset();
    this.rendererValue?.invalidate();
  }
}
