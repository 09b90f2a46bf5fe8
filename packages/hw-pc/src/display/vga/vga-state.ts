/**
 * The VGA's register state as plain data (QEMU's vmstate_vga_common): everything a snapshot
 * needs besides video memory, which is the RAM region "vga.vram" and is saved with RAM.
 */
import { defineState, vmstate } from '@tsemu/qom';
import { VBE_DISPI_INDEX_NB } from './vbe-regs.js';
import { VGA_ATT_COUNT, VGA_CRTC_COUNT, VGA_GFX_COUNT, VGA_SEQ_COUNT } from './vga-regs.js';

export interface VgaState {
  /** The four plane bytes loaded by the last planar read (plane n in bits 8n-8n+7). */
  latch: number;
  srIndex: number;
  sr: Uint8Array;
  grIndex: number;
  gr: Uint8Array;
  /** Attribute index (bits 0-4) and palette address source (bit 5). */
  arIndex: number;
  ar: Uint8Array;
  /** false: the next 0x3c0 write is an index; true: it is data. */
  arFlipFlop: boolean;
  crIndex: number;
  cr: Uint8Array;
  /** Misc output register. */
  msr: number;
  /** Feature control register. */
  fcr: number;
  /** Input status 0 and 1. */
  st00: number;
  st01: number;
  /** 0x3c7 read value: whether the DAC was last given a write (0) or read (3) index. */
  dacState: number;
  /** Which of red, green, blue the next data access is (0-2). */
  dacSubIndex: number;
  dacReadIndex: number;
  dacWriteIndex: number;
  /** Red and green of the entry being written, until blue arrives. */
  dacCache: Uint8Array;
  /** 256 entries of red, green, blue (6 bits each, or 8 with the VBE 8-bit DAC). */
  palette: Uint8Array;
  pelMask: number;
  dac8bit: boolean;
  /** Byte offset in video memory of the 64K window (VBE bank). */
  bankOffset: number;
  vbeIndex: number;
  vbeRegs: Uint16Array;
  /** Where the VBE picture starts, in 4-byte units. */
  vbeStartAddr: number;
  /** Bytes per VBE scanline. */
  vbeLineOffset: number;
}

export function initialVgaState(): VgaState {
  return {
    latch: 0,
    srIndex: 0,
    sr: new Uint8Array(VGA_SEQ_COUNT),
    grIndex: 0,
    gr: new Uint8Array(VGA_GFX_COUNT),
    arIndex: 0,
    ar: new Uint8Array(VGA_ATT_COUNT),
    arFlipFlop: false,
    crIndex: 0,
    cr: new Uint8Array(VGA_CRTC_COUNT),
    msr: 0,
    fcr: 0,
    st00: 0,
    st01: 0,
    dacState: 0,
    dacSubIndex: 0,
    dacReadIndex: 0,
    dacWriteIndex: 0,
    dacCache: new Uint8Array(3),
    palette: new Uint8Array(768),
    pelMask: 0xff,
    dac8bit: false,
    bankOffset: 0,
    vbeIndex: 0,
    vbeRegs: new Uint16Array(VBE_DISPI_INDEX_NB),
    vbeStartAddr: 0,
    vbeLineOffset: 0,
  };
}

/** A deep copy, so a saved state does not change with the device. */
export function copyVgaState(s: VgaState): VgaState {
  return {
    ...s,
    sr: s.sr.slice(),
    gr: s.gr.slice(),
    ar: s.ar.slice(),
    cr: s.cr.slice(),
    dacCache: s.dacCache.slice(),
    palette: s.palette.slice(),
    vbeRegs: s.vbeRegs.slice(),
  };
}

/** The state description for qdev wrappers (`saveDeviceState` / `loadDeviceState`). */
export const vgaStateDescription = defineState<VgaState>({
  name: 'vga-core',
  fields: {
    latch: vmstate.uint32(),
    srIndex: vmstate.uint8(),
    sr: vmstate.uint8Array(VGA_SEQ_COUNT),
    grIndex: vmstate.uint8(),
    gr: vmstate.uint8Array(VGA_GFX_COUNT),
    arIndex: vmstate.uint8(),
    ar: vmstate.uint8Array(VGA_ATT_COUNT),
    arFlipFlop: vmstate.bool(),
    crIndex: vmstate.uint8(),
    cr: vmstate.uint8Array(VGA_CRTC_COUNT),
    msr: vmstate.uint8(),
    fcr: vmstate.uint8(),
    st00: vmstate.uint8(),
    st01: vmstate.uint8(),
    dacState: vmstate.uint8(),
    dacSubIndex: vmstate.uint8(),
    dacReadIndex: vmstate.uint8(),
    dacWriteIndex: vmstate.uint8(),
    dacCache: vmstate.uint8Array(3),
    palette: vmstate.uint8Array(768),
    pelMask: vmstate.uint8(),
    dac8bit: vmstate.bool(),
    bankOffset: vmstate.uint32(),
    vbeIndex: vmstate.uint16(),
    vbeRegs: vmstate.uint16Array(VBE_DISPI_INDEX_NB),
    vbeStartAddr: vmstate.uint32(),
    vbeLineOffset: vmstate.uint32(),
  },
});
