/**
 * The VGA's register logic (QEMU's VGACommonState with vga_ioport_*, vga_mem_* and the
 * Bochs VBE dispi registers): sequencer, CRT controller, graphics controller, attribute
 * controller, DAC, misc output and input status registers, and the CPU's view of the four
 * planes of video memory through the legacy window.
 *
 * Video memory layout (as QEMU's): byte `4 * a + p` of vram is plane p at planar address
 * a. Chain-4 and the VBE linear modes see vram as plain bytes; text modes find character
 * and attribute at planes 0 and 1 and the font in plane 2.
 *
 * The core knows nothing about where it is mapped: ports are offsets from 0x3c0 (see
 * vga-regs.ts), memory accesses are offsets from 0xa0000, and {@link VgaCore.memoryWindows}
 * says which windows the memory map should show; the qdev wrappers do the mapping.
 */
import { type LogSink, SILENT_LOG } from '../../device-env.js';
import {
  VBE_DISPI_8BIT_DAC,
  VBE_DISPI_ENABLED,
  VBE_DISPI_GETCAPS,
  VBE_DISPI_ID0,
  VBE_DISPI_ID5,
  VBE_DISPI_INDEX_BANK,
  VBE_DISPI_INDEX_BPP,
  VBE_DISPI_INDEX_ENABLE,
  VBE_DISPI_INDEX_ID,
  VBE_DISPI_INDEX_NB,
  VBE_DISPI_INDEX_VIDEO_MEMORY_64K,
  VBE_DISPI_INDEX_VIRT_HEIGHT,
  VBE_DISPI_INDEX_VIRT_WIDTH,
  VBE_DISPI_INDEX_X_OFFSET,
  VBE_DISPI_INDEX_XRES,
  VBE_DISPI_INDEX_Y_OFFSET,
  VBE_DISPI_INDEX_YRES,
  VBE_DISPI_IOPORT_DATA,
  VBE_DISPI_IOPORT_DATA_ALT,
  VBE_DISPI_IOPORT_INDEX,
  VBE_DISPI_MAX_BPP,
  VBE_DISPI_MAX_XRES,
  VBE_DISPI_MAX_YRES,
  VBE_DISPI_NOCLEARMEM,
} from './vbe-regs.js';
import {
  GR_MASK,
  SR_MASK,
  ST01_DISP_ENABLE,
  ST01_V_RETRACE,
  VGA_ATC_COLOR_PAGE,
  VGA_ATC_MODE,
  VGA_ATC_OVERSCAN,
  VGA_ATC_PEL,
  VGA_ATC_PLANE_ENABLE,
  VGA_ATT_COUNT,
  VGA_ATT_R,
  VGA_ATT_W,
  VGA_CR07_LINE_COMPARE_8,
  VGA_CR11_LOCK_CR0_CR7,
  VGA_CRT_DC,
  VGA_CRT_DM,
  VGA_CRT_IC,
  VGA_CRT_IM,
  VGA_CRTC_H_DISP,
  VGA_CRTC_LINE_COMPARE,
  VGA_CRTC_MAX_SCAN,
  VGA_CRTC_MODE,
  VGA_CRTC_OFFSET,
  VGA_CRTC_OVERFLOW,
  VGA_CRTC_V_DISP_END,
  VGA_CRTC_V_SYNC_END,
  VGA_DAC_STATE_READ,
  VGA_DAC_STATE_WRITE,
  VGA_FTC_R,
  VGA_GFX_BIT_MASK,
  VGA_GFX_COMPARE_MASK,
  VGA_GFX_COMPARE_VALUE,
  VGA_GFX_D,
  VGA_GFX_DATA_ROTATE,
  VGA_GFX_I,
  VGA_GFX_MISC,
  VGA_GFX_MODE,
  VGA_GFX_PLANE_READ,
  VGA_GFX_SR_ENABLE,
  VGA_GFX_SR_VALUE,
  VGA_GR05_HOST_ODD_EVEN,
  VGA_GR05_READ_MODE_1,
  VGA_GR06_GRAPHICS_MODE,
  VGA_IS1_RC,
  VGA_IS1_RM,
  VGA_LEGACY_BASE,
  VGA_MIS_COLOR,
  VGA_MIS_R,
  VGA_MIS_W,
  VGA_PEL_D,
  VGA_PEL_IR,
  VGA_PEL_IW,
  VGA_PEL_MSK,
  VGA_SEQ_CLOCK_MODE,
  VGA_SEQ_D,
  VGA_SEQ_I,
  VGA_SEQ_MEMORY_MODE,
  VGA_SEQ_PLANE_WRITE,
  VGA_SR02_ALL_PLANES,
  VGA_SR04_CHN_4M,
} from './vga-regs.js';
import { copyVgaState, initialVgaState, type VgaState } from './vga-state.js';

/** Video memory as the core sees it: the bytes, and a way to tell the dirty log about writes. */
export interface VideoMemory {
  readonly bytes: Uint8Array;
  /** Bytes [offset, offset + size) were written by the device (not through the memory API). */
  markDirty(offset: number, size: number): void;
}

export interface VgaCoreOptions {
  vram: VideoMemory;
  log?: LogSink;
  /** Called when the windows of {@link VgaCore.memoryWindows} may have changed. */
  onMemoryMapChange?: () => void;
}

/** Where the legacy window shows video memory (QEMU's vga_update_memory_access). */
export interface VgaMemoryWindows {
  /** The graphics controller's window: physical base and size (0xa0000 128K, 64K, 0xb0000 / 0xb8000 32K). */
  base: number;
  size: number;
  /**
   * In chain-4 mode with every plane writable, the window is plain RAM: vram from
   * `vramOffset` (the VBE bank) shown directly at `base`, no callbacks needed.
   */
  chain4: { vramOffset: number } | undefined;
}

/** The four plane bytes of a 4-bit value: bit n set gives 0xff in plane n (QEMU's mask16). */
function expandPlanes(bits4: number): number {
  return (
    ((bits4 & 1 ? 0xff : 0) |
      (bits4 & 2 ? 0xff00 : 0) |
      (bits4 & 4 ? 0xff0000 : 0) |
      (bits4 & 8 ? 0xff000000 : 0)) >>>
    0
  );
}

/** Graphics controller memory map select: window base and size by GR6 bits 3-2. */
const MEMORY_MAPS: readonly { base: number; size: number }[] = [
  { base: 0xa0000, size: 0x20000 },
  { base: 0xa0000, size: 0x10000 },
  { base: 0xb0000, size: 0x08000 },
  { base: 0xb8000, size: 0x08000 },
];

export class VgaCore {
  /** The live registers (QEMU's VGACommonState fields); the renderer reads them. */
  readonly s: VgaState = initialVgaState();
  readonly vram: Uint8Array;
  /** The same memory as 32-bit words: one planar address's four planes per word. */
  readonly vram32: Uint32Array;
  readonly vramSize: number;
  /** vramSize - 1: every computed video memory offset is masked with it before use. */
  readonly vramMask: number;
  /** Planes written through the window since the renderer last looked (font changes). */
  planeUpdated = 0;
  private readonly log: LogSink;
  private readonly markDirty: (offset: number, size: number) => void;
  private readonly onMemoryMapChange: () => void;
  /** The windows last reported to the mapper, as base, size, chain-4 vram offset (-1: none). */
  private readonly lastWindows = [-1, -1, -1];

  /**
   * @example
   * const vram = core.ram('vga.vram', 16 << 20);
   * const vga = new VgaCore({ vram: { bytes: vram.bytes, markDirty: (o, n) => vram.setDirty(o, n) } });
   * vga.write(VGA_MIS_W, 0xc3); // colour ports at 0x3d4, RAM enabled
   */
  constructor(options: VgaCoreOptions) {
    const bytes = options.vram.bytes;
    const size = bytes.length;
    if (size < 256 * 1024 || (size & (size - 1)) !== 0) {
      throw new Error(
        `VgaCore: video memory must be a power of two of at least 256 KiB, got ${size} bytes`,
      );
    }
    if (bytes.byteOffset % 4 !== 0) {
      throw new Error('VgaCore: video memory must start 4-byte aligned in its buffer');
    }
    this.vram = bytes;
    this.vram32 = new Uint32Array(bytes.buffer, bytes.byteOffset, size / 4);
    this.vramSize = size;
    this.vramMask = size - 1;
    this.log = options.log ?? SILENT_LOG;
    this.markDirty = options.vram.markDirty;
    this.onMemoryMapChange = options.onMemoryMapChange ?? (() => {});
    this.reset();
  }

  /** Power-on state (QEMU's vga_common_reset): every register 0, VBE off, id 0xB0C5. */
  reset(): void {
    Object.assign(this.s, initialVgaState());
    this.s.vbeRegs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    this.planeUpdated = 0;
    this.memoryMapMayHaveChanged();
  }

  state(): VgaState {
    return copyVgaState(this.s);
  }

  /** Restores a saved state; values are checked as if the guest had written them. */
  loadState(state: VgaState): void {
    Object.assign(this.s, copyVgaState(state));
    const s = this.s;
    s.srIndex &= 7;
    s.grIndex &= 0x0f;
    s.arIndex &= 0x3f;
    s.dacSubIndex %= 3;
    s.bankOffset &= this.vramMask & ~0xffff;
    this.vbeFixupRegs();
    this.memoryMapMayHaveChanged();
  }

  // ---- I/O ports ------------------------------------------------------------------------

  /** Whether a port offset is the wrong one of the mono/colour pair for the misc output setting. */
  private portDisabled(offset: number): boolean {
    if (this.s.msr & VGA_MIS_COLOR) return offset < 0; // 0x3b0-0x3bf
    return offset >= 0x10; // 0x3d0-0x3df
  }

  /** Reads the port at `offset` from 0x3c0 (-0x10 to 0x1f). */
  read(offset: number): number {
    const s = this.s;
    if (this.portDisabled(offset)) return 0xff;
    switch (offset) {
      case VGA_ATT_W:
        return s.arIndex;
      case VGA_ATT_R: {
        const index = s.arIndex & 0x1f;
        return index < VGA_ATT_COUNT ? s.ar[index] : 0;
      }
      case VGA_MIS_W:
        return s.st00;
      case VGA_SEQ_I:
        return s.srIndex;
      case VGA_SEQ_D:
        return s.sr[s.srIndex];
      case VGA_PEL_MSK:
        return s.pelMask;
      case VGA_PEL_IR:
        return s.dacState;
      case VGA_PEL_IW:
        return s.dacWriteIndex;
      case VGA_PEL_D: {
        const value = s.palette[s.dacReadIndex * 3 + s.dacSubIndex];
        if (++s.dacSubIndex === 3) {
          s.dacSubIndex = 0;
          s.dacReadIndex = (s.dacReadIndex + 1) & 0xff;
        }
        return value;
      }
      case VGA_FTC_R:
        return s.fcr;
      case VGA_MIS_R:
        return s.msr;
      case VGA_GFX_I:
        return s.grIndex;
      case VGA_GFX_D:
        return s.gr[s.grIndex];
      case VGA_CRT_IM:
      case VGA_CRT_IC:
        return s.crIndex;
      case VGA_CRT_DM:
      case VGA_CRT_DC:
        return s.cr[s.crIndex];
      case VGA_IS1_RM:
      case VGA_IS1_RC:
        // Toggle retrace and display-enable on every read, so a loop waiting for either
        // edge ends; the read also resets the attribute flip-flop.
        s.st01 ^= ST01_V_RETRACE | ST01_DISP_ENABLE;
        s.arFlipFlop = false;
        return s.st01;
      default:
        return offset >= 0 && offset < 0x10 ? 0x00 : 0xff;
    }
  }

  /** Writes the port at `offset` from 0x3c0 (-0x10 to 0x1f). */
  write(offset: number, value: number): void {
    const s = this.s;
    value &= 0xff;
    if (this.portDisabled(offset)) return;
    switch (offset) {
      case VGA_ATT_W:
        if (!s.arFlipFlop) {
          s.arIndex = value & 0x3f;
        } else {
          this.writeAttribute(s.arIndex & 0x1f, value);
        }
        s.arFlipFlop = !s.arFlipFlop;
        break;
      case VGA_MIS_W:
        s.msr = value & ~0x10;
        break;
      case VGA_SEQ_I:
        s.srIndex = value & 7;
        break;
      case VGA_SEQ_D:
        s.sr[s.srIndex] = value & SR_MASK[s.srIndex];
        if (s.srIndex === VGA_SEQ_PLANE_WRITE || s.srIndex === VGA_SEQ_MEMORY_MODE) {
          this.memoryMapMayHaveChanged();
        }
        break;
      case VGA_PEL_MSK:
        s.pelMask = value;
        break;
      case VGA_PEL_IR:
        s.dacReadIndex = value;
        s.dacSubIndex = 0;
        s.dacState = VGA_DAC_STATE_READ;
        break;
      case VGA_PEL_IW:
        s.dacWriteIndex = value;
        s.dacSubIndex = 0;
        s.dacState = VGA_DAC_STATE_WRITE;
        break;
      case VGA_PEL_D:
        // A 6-bit DAC keeps the low 6 bits of each channel; the VBE 8-bit DAC keeps all 8.
        s.dacCache[s.dacSubIndex] = s.dac8bit ? value : value & 0x3f;
        if (++s.dacSubIndex === 3) {
          s.palette.set(s.dacCache, s.dacWriteIndex * 3);
          s.dacSubIndex = 0;
          s.dacWriteIndex = (s.dacWriteIndex + 1) & 0xff;
        }
        break;
      case VGA_GFX_I:
        s.grIndex = value & 0x0f;
        break;
      case VGA_GFX_D:
        s.gr[s.grIndex] = value & GR_MASK[s.grIndex];
        if (s.grIndex === VGA_GFX_MISC) this.memoryMapMayHaveChanged();
        break;
      case VGA_CRT_IM:
      case VGA_CRT_IC:
        s.crIndex = value;
        break;
      case VGA_CRT_DM:
      case VGA_CRT_DC:
        this.writeCrtc(s.crIndex, value);
        break;
      case VGA_IS1_RM:
      case VGA_IS1_RC:
        s.fcr = value & 0x10;
        break;
      default:
        break;
    }
  }

  private writeAttribute(index: number, value: number): void {
    const ar = this.s.ar;
    if (index <= 0x0f) ar[index] = value & 0x3f;
    else if (index === VGA_ATC_MODE) ar[index] = value & ~0x10;
    else if (index === VGA_ATC_OVERSCAN) ar[index] = value;
    else if (index === VGA_ATC_PLANE_ENABLE) ar[index] = value & 0x3f;
    else if (index === VGA_ATC_PEL) ar[index] = value & 0x0f;
    else if (index === VGA_ATC_COLOR_PAGE) ar[index] = value & 0x0f;
    else if (this.log.enabled('guest_errors')) {
      this.log.write(
        'guest_errors',
        `vga: write 0x${value.toString(16)} to attribute register 0x${index.toString(16)}, which does not exist\n`,
      );
    }
  }

  private writeCrtc(index: number, value: number): void {
    const cr = this.s.cr;
    // CR11 bit 7 protects the horizontal timing registers CR0-CR7, except line compare bit 8.
    if (cr[VGA_CRTC_V_SYNC_END] & VGA_CR11_LOCK_CR0_CR7 && index <= VGA_CRTC_OVERFLOW) {
      if (index === VGA_CRTC_OVERFLOW) {
        cr[index] = (cr[index] & ~VGA_CR07_LINE_COMPARE_8) | (value & VGA_CR07_LINE_COMPARE_8);
      }
      return;
    }
    cr[index] = value;
  }

  // ---- Video memory through the legacy window -------------------------------------------

  /**
   * The offset in "VGA memory" of a window access at `offset` from 0xa0000, or -1 when the
   * graphics controller's memory map does not decode it (QEMU's vga_mem_readb prologue).
   */
  private windowAddress(offset: number): number {
    let addr = offset & 0x1ffff;
    switch ((this.s.gr[VGA_GFX_MISC] >> 2) & 3) {
      case 0:
        return addr;
      case 1:
        return addr < 0x10000 ? addr + this.s.bankOffset : -1;
      case 2:
        addr -= 0x10000;
        return addr >= 0 && addr < 0x8000 ? addr : -1;
      default:
        addr -= 0x18000;
        return addr >= 0 && addr < 0x8000 ? addr : -1;
    }
  }

  /** A CPU read of the window at `offset` from 0xa0000. */
  memRead(offset: number): number {
    const s = this.s;
    const addr = this.windowAddress(offset);
    if (addr < 0) return 0xff;
    if (s.sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
      return this.vram[addr & this.vramMask];
    }
    if (s.gr[VGA_GFX_MODE] & VGA_GR05_HOST_ODD_EVEN) {
      // Odd/even (text modes): even addresses reach plane 0 (or 2), odd ones plane 1 (or 3).
      const plane = (s.gr[VGA_GFX_PLANE_READ] & 2) | (addr & 1);
      return this.vram[((addr & ~1) * 2 + plane) & this.vramMask];
    }
    // Planar: the read loads all four latches, then returns one plane or a colour compare.
    const latch = this.vram32[((addr * 4) & this.vramMask) >>> 2];
    s.latch = latch;
    if (!(s.gr[VGA_GFX_MODE] & VGA_GR05_READ_MODE_1)) {
      return (latch >>> ((s.gr[VGA_GFX_PLANE_READ] & 3) * 8)) & 0xff;
    }
    // Read mode 1: a bit is 1 where every plane that counts matches the compare colour.
    let diff =
      (latch ^ expandPlanes(s.gr[VGA_GFX_COMPARE_VALUE])) &
      expandPlanes(s.gr[VGA_GFX_COMPARE_MASK]);
    diff |= diff >>> 16;
    diff |= diff >>> 8;
    return ~diff & 0xff;
  }

  /** A CPU write of `value` to the window at `offset` from 0xa0000. */
  memWrite(offset: number, value: number): void {
    const s = this.s;
    const addr = this.windowAddress(offset);
    if (addr < 0) return;
    value &= 0xff;
    const mapMask = s.sr[VGA_SEQ_PLANE_WRITE];
    if (s.sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
      // Chain 4: the low two address bits pick the plane.
      const plane = 1 << (addr & 3);
      if (mapMask & plane) {
        const i = addr & this.vramMask;
        this.vram[i] = value;
        this.planeUpdated |= plane;
        this.markDirty(i, 1);
      }
      return;
    }
    if (s.gr[VGA_GFX_MODE] & VGA_GR05_HOST_ODD_EVEN) {
      const planeNumber = (s.gr[VGA_GFX_PLANE_READ] & 2) | (addr & 1);
      const plane = 1 << planeNumber;
      if (mapMask & plane) {
        const i = ((addr & ~1) * 2 + planeNumber) & this.vramMask;
        this.vram[i] = value;
        this.planeUpdated |= plane;
        this.markDirty(i, 1);
      }
      return;
    }
    this.planarWrite(((addr * 4) & this.vramMask) >>> 2, value);
  }

  /** The graphics controller's write modes 0-3 on the word (four planes) at `wordIndex`. */
  private planarWrite(wordIndex: number, value: number): void {
    const s = this.s;
    const gr = s.gr;
    const latch = s.latch;
    let data: number;
    let bitMask: number;
    const rotate = gr[VGA_GFX_DATA_ROTATE] & 7;
    switch (gr[VGA_GFX_MODE] & 3) {
      case 0: {
        // Rotate, copy to all planes, then set/reset replaces the enabled planes.
        let v = ((value >> rotate) | (value << (8 - rotate))) & 0xff;
        v = (v | (v << 8) | (v << 16) | (v << 24)) >>> 0;
        const enable = expandPlanes(gr[VGA_GFX_SR_ENABLE]);
        data = ((v & ~enable) | (expandPlanes(gr[VGA_GFX_SR_VALUE]) & enable)) >>> 0;
        bitMask = gr[VGA_GFX_BIT_MASK];
        break;
      }
      case 1:
        // The latches go back unchanged (a fast copy within video memory).
        this.storePlanes(wordIndex, latch);
        return;
      case 2:
        // The value's low four bits are a colour: each plane gets all ones or all zeros.
        data = expandPlanes(value & 0x0f);
        bitMask = gr[VGA_GFX_BIT_MASK];
        break;
      default: {
        // Write mode 3: the rotated value ANDed with the bit mask selects the bits that
        // take the set/reset colour.
        const v = ((value >> rotate) | (value << (8 - rotate))) & 0xff;
        bitMask = gr[VGA_GFX_BIT_MASK] & v;
        data = expandPlanes(gr[VGA_GFX_SR_VALUE]);
        break;
      }
    }
    // The logical function with the latches: replace, AND, OR, XOR.
    switch (gr[VGA_GFX_DATA_ROTATE] >> 3) {
      case 1:
        data &= latch;
        break;
      case 2:
        data |= latch;
        break;
      case 3:
        data ^= latch;
        break;
      default:
        break;
    }
    const mask32 = (bitMask | (bitMask << 8) | (bitMask << 16) | (bitMask << 24)) >>> 0;
    this.storePlanes(wordIndex, ((data & mask32) | (latch & ~mask32)) >>> 0);
  }

  /** Stores `data` into the planes the map mask enables, at planar address `wordIndex`. */
  private storePlanes(wordIndex: number, data: number): void {
    const mapMask = this.s.sr[VGA_SEQ_PLANE_WRITE] & 0x0f;
    this.planeUpdated |= mapMask;
    const writeMask = expandPlanes(mapMask);
    this.vram32[wordIndex] = ((this.vram32[wordIndex] & ~writeMask) | (data & writeMask)) >>> 0;
    this.markDirty(wordIndex * 4, 4);
  }

  // ---- Memory map -------------------------------------------------------------------------

  /** The windows the memory map should show for the current registers. */
  memoryWindows(): VgaMemoryWindows {
    const s = this.s;
    const map = MEMORY_MAPS[(s.gr[VGA_GFX_MISC] >> 2) & 3];
    const chain4 =
      (s.sr[VGA_SEQ_PLANE_WRITE] & VGA_SR02_ALL_PLANES) === VGA_SR02_ALL_PLANES &&
      (s.sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) !== 0;
    const vramOffset = map.base === VGA_LEGACY_BASE && map.size === 0x10000 ? s.bankOffset : 0;
    return { base: map.base, size: map.size, chain4: chain4 ? { vramOffset } : undefined };
  }

  /** Tells the mapper when the windows really changed (not on every register write). */
  private memoryMapMayHaveChanged(): void {
    const w = this.memoryWindows();
    const last = this.lastWindows;
    const chain4 = w.chain4?.vramOffset ?? -1;
    if (last[0] === w.base && last[1] === w.size && last[2] === chain4) return;
    last[0] = w.base;
    last[1] = w.size;
    last[2] = chain4;
    // Chain-4 writes through the RAM alias are not seen by memWrite; a text renderer must
    // assume the font may have changed.
    this.planeUpdated = 0x0f;
    this.onMemoryMapChange();
  }

  // ---- Bochs VBE dispi interface --------------------------------------------------------

  get vbeEnabled(): boolean {
    return (this.s.vbeRegs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) !== 0;
  }

  /** Bits per pixel of the enabled VBE mode, or 0 when VBE is off (QEMU's vga_get_bpp). */
  get vbeBpp(): number {
    return this.vbeEnabled ? this.s.vbeRegs[VBE_DISPI_INDEX_BPP] : 0;
  }

  /** A 16-bit access to the dispi ports at `offset` from 0x1ce: 0 index, 1 or 2 data. */
  dispiRead(offset: number): number {
    if (offset === VBE_DISPI_IOPORT_INDEX) return this.s.vbeIndex;
    if (offset === VBE_DISPI_IOPORT_DATA || offset === VBE_DISPI_IOPORT_DATA_ALT) {
      return this.dispiReadData();
    }
    return 0xffff;
  }

  dispiWrite(offset: number, value: number): void {
    if (offset === VBE_DISPI_IOPORT_INDEX) this.s.vbeIndex = value & 0xffff;
    else if (offset === VBE_DISPI_IOPORT_DATA || offset === VBE_DISPI_IOPORT_DATA_ALT) {
      this.dispiWriteData(value & 0xffff);
    }
  }

  /** Reads dispi register `index` (the PCI MMIO BAR's way in). */
  dispiReadRegister(index: number): number {
    this.s.vbeIndex = index & 0xffff;
    return this.dispiReadData();
  }

  dispiWriteRegister(index: number, value: number): void {
    this.s.vbeIndex = index & 0xffff;
    this.dispiWriteData(value & 0xffff);
  }

  private dispiReadData(): number {
    const s = this.s;
    const index = s.vbeIndex;
    if (index < VBE_DISPI_INDEX_NB) {
      if (s.vbeRegs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
        if (index === VBE_DISPI_INDEX_XRES) return VBE_DISPI_MAX_XRES;
        if (index === VBE_DISPI_INDEX_YRES) return VBE_DISPI_MAX_YRES;
        if (index === VBE_DISPI_INDEX_BPP) return VBE_DISPI_MAX_BPP;
      }
      return s.vbeRegs[index];
    }
    if (index === VBE_DISPI_INDEX_VIDEO_MEMORY_64K) return this.vramSize >>> 16;
    return 0;
  }

  private dispiWriteData(value: number): void {
    const s = this.s;
    const regs = s.vbeRegs;
    switch (s.vbeIndex) {
      case VBE_DISPI_INDEX_ID:
        if (value >= VBE_DISPI_ID0 && value <= VBE_DISPI_ID5) regs[VBE_DISPI_INDEX_ID] = value;
        break;
      case VBE_DISPI_INDEX_XRES:
      case VBE_DISPI_INDEX_YRES:
      case VBE_DISPI_INDEX_BPP:
      case VBE_DISPI_INDEX_VIRT_WIDTH:
      case VBE_DISPI_INDEX_X_OFFSET:
      case VBE_DISPI_INDEX_Y_OFFSET:
        regs[s.vbeIndex] = value;
        this.vbeFixupRegs();
        break;
      case VBE_DISPI_INDEX_BANK: {
        // A bank beyond video memory wraps (the bank number keeps the bits that fit).
        const bankMask = (this.vramSize >>> 16) - 1;
        const bank = value & (regs[VBE_DISPI_INDEX_BPP] === 4 ? bankMask >> 2 : bankMask);
        regs[VBE_DISPI_INDEX_BANK] = bank;
        s.bankOffset = bank << 16;
        this.memoryMapMayHaveChanged();
        break;
      }
      case VBE_DISPI_INDEX_ENABLE:
        this.writeVbeEnable(value);
        break;
      default:
        if (this.log.enabled('guest_errors')) {
          this.log.write(
            'guest_errors',
            `vga: write 0x${value.toString(16)} to VBE register 0x${s.vbeIndex.toString(16)}, which is read-only or does not exist\n`,
          );
        }
        break;
    }
  }

  private writeVbeEnable(value: number): void {
    const s = this.s;
    const regs = s.vbeRegs;
    if (value & VBE_DISPI_ENABLED && !(regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)) {
      regs[VBE_DISPI_INDEX_VIRT_WIDTH] = 0;
      regs[VBE_DISPI_INDEX_X_OFFSET] = 0;
      regs[VBE_DISPI_INDEX_Y_OFFSET] = 0;
      regs[VBE_DISPI_INDEX_ENABLE] |= VBE_DISPI_ENABLED;
      this.vbeFixupRegs();
      this.setVgaRegistersForVbe();
      if (!(value & VBE_DISPI_NOCLEARMEM)) {
        const bytes = Math.min(this.vramSize, regs[VBE_DISPI_INDEX_YRES] * s.vbeLineOffset);
        this.vram.fill(0, 0, bytes);
        if (bytes > 0) this.markDirty(0, bytes);
      }
    } else {
      s.bankOffset = 0;
    }
    s.dac8bit = (value & VBE_DISPI_8BIT_DAC) !== 0;
    regs[VBE_DISPI_INDEX_ENABLE] = value;
    this.memoryMapMayHaveChanged();
  }

  /**
   * Makes the VBE registers describe a mode that fits: a guest has no way to hear an error,
   * so each value is moved to the nearest valid one (QEMU's vbe_fixup_regs). Afterwards
   * every byte the picture needs lies inside video memory.
   */
  private vbeFixupRegs(): void {
    const s = this.s;
    const r = s.vbeRegs;
    if (!(r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)) return;
    let bits: number;
    switch (r[VBE_DISPI_INDEX_BPP]) {
      case 4:
      case 8:
      case 16:
      case 24:
      case 32:
        bits = r[VBE_DISPI_INDEX_BPP];
        break;
      case 15:
        bits = 16;
        break;
      default:
        r[VBE_DISPI_INDEX_BPP] = 8;
        bits = 8;
        break;
    }
    // Width: a multiple of 8 pixels, 8 to the maximum; the virtual width at least as wide.
    r[VBE_DISPI_INDEX_XRES] &= ~7;
    if (r[VBE_DISPI_INDEX_XRES] === 0) r[VBE_DISPI_INDEX_XRES] = 8;
    if (r[VBE_DISPI_INDEX_XRES] > VBE_DISPI_MAX_XRES) r[VBE_DISPI_INDEX_XRES] = VBE_DISPI_MAX_XRES;
    r[VBE_DISPI_INDEX_VIRT_WIDTH] &= ~7;
    if (r[VBE_DISPI_INDEX_VIRT_WIDTH] > VBE_DISPI_MAX_XRES) {
      r[VBE_DISPI_INDEX_VIRT_WIDTH] = VBE_DISPI_MAX_XRES;
    }
    if (r[VBE_DISPI_INDEX_VIRT_WIDTH] < r[VBE_DISPI_INDEX_XRES]) {
      r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
    }
    // Height: as many lines as video memory holds at this line length.
    const lineLength = (r[VBE_DISPI_INDEX_VIRT_WIDTH] * bits) / 8;
    const maxY = Math.floor(this.vramSize / lineLength);
    if (r[VBE_DISPI_INDEX_YRES] === 0) r[VBE_DISPI_INDEX_YRES] = 1;
    if (r[VBE_DISPI_INDEX_YRES] > VBE_DISPI_MAX_YRES) r[VBE_DISPI_INDEX_YRES] = VBE_DISPI_MAX_YRES;
    if (r[VBE_DISPI_INDEX_YRES] > maxY) r[VBE_DISPI_INDEX_YRES] = maxY;
    // Display start: the picture from the offset must fit, else the offsets go to 0.
    if (r[VBE_DISPI_INDEX_X_OFFSET] > VBE_DISPI_MAX_XRES)
      r[VBE_DISPI_INDEX_X_OFFSET] = VBE_DISPI_MAX_XRES;
    if (r[VBE_DISPI_INDEX_Y_OFFSET] > VBE_DISPI_MAX_YRES)
      r[VBE_DISPI_INDEX_Y_OFFSET] = VBE_DISPI_MAX_YRES;
    let offset = Math.floor((r[VBE_DISPI_INDEX_X_OFFSET] * bits) / 8);
    offset += r[VBE_DISPI_INDEX_Y_OFFSET] * lineLength;
    if (offset + r[VBE_DISPI_INDEX_YRES] * lineLength > this.vramSize) {
      r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
      offset = Math.floor((r[VBE_DISPI_INDEX_X_OFFSET] * bits) / 8);
      if (offset + r[VBE_DISPI_INDEX_YRES] * lineLength > this.vramSize) {
        r[VBE_DISPI_INDEX_X_OFFSET] = 0;
        offset = 0;
      }
    }
    r[VBE_DISPI_INDEX_VIRT_HEIGHT] = Math.min(0xffff, maxY);
    s.vbeLineOffset = lineLength;
    s.vbeStartAddr = Math.floor(offset / 4);
  }

  /**
   * On VBE enable, the VGA registers are set to match the mode, so that software reading
   * them (and the legacy window) sees a graphics mode with the 64K bank window at 0xa0000.
   */
  private setVgaRegistersForVbe(): void {
    const s = this.s;
    const { gr, cr, sr } = s;
    const r = s.vbeRegs;
    gr[VGA_GFX_MISC] = (gr[VGA_GFX_MISC] & ~0x0c) | 0x04 | VGA_GR06_GRAPHICS_MODE;
    cr[VGA_CRTC_MODE] |= 3; // no CGA address substitution
    cr[VGA_CRTC_OFFSET] = (s.vbeLineOffset >>> 3) & 0xff;
    cr[VGA_CRTC_H_DISP] = ((r[VBE_DISPI_INDEX_XRES] >>> 3) - 1) & 0xff;
    const h = r[VBE_DISPI_INDEX_YRES] - 1;
    cr[VGA_CRTC_V_DISP_END] = h & 0xff;
    cr[VGA_CRTC_OVERFLOW] = (cr[VGA_CRTC_OVERFLOW] & ~0x42) | ((h >> 7) & 0x02) | ((h >> 3) & 0x40);
    // Line compare at its maximum: no split screen.
    cr[VGA_CRTC_LINE_COMPARE] = 0xff;
    cr[VGA_CRTC_OVERFLOW] |= 0x10;
    cr[VGA_CRTC_MAX_SCAN] |= 0x40;
    let shiftControl: number;
    if (r[VBE_DISPI_INDEX_BPP] === 4) {
      shiftControl = 0;
      sr[VGA_SEQ_CLOCK_MODE] &= ~8;
    } else {
      shiftControl = 2;
      sr[VGA_SEQ_MEMORY_MODE] |= VGA_SR04_CHN_4M;
      sr[VGA_SEQ_PLANE_WRITE] |= VGA_SR02_ALL_PLANES;
    }
    gr[VGA_GFX_MODE] = (gr[VGA_GFX_MODE] & ~0x60) | (shiftControl << 5);
    cr[VGA_CRTC_MAX_SCAN] &= ~0x9f; // one scan line per row, no double scan
  }
}
