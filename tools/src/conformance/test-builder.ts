/**
 * The generator's workbench: picks operands with edge values, places memory operands in the
 * data window, and collects the undefined-result mask a form declares.
 */
import { DEFAULT_ESP, DEFAULT_WINDOW, defineTest } from './define-test.js';
import type { Rng } from './rng.js';
import {
  type ConformanceTest,
  DATA_PAGE_ADDRESS,
  type DataWindow,
  DF,
  type FpuUndefinedMask,
  STATUS_FLAGS,
} from './state.js';

export type OperandSize = 8 | 16 | 32;
/** How a memory operand's address is formed. */
export type Addressing = 'absolute' | 'base' | 'indexed';
const ADDRESSINGS: readonly Addressing[] = ['absolute', 'base', 'indexed'];

const NAMES: Readonly<Record<OperandSize, readonly string[]>> = {
  8: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
  16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
  32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
};
const ESP = 4;
const KEYWORD: Readonly<Record<OperandSize, string>> = { 8: 'byte', 16: 'word', 32: 'dword' };

/** Values where arithmetic changes behaviour, per operand size. */
const EDGE_VALUES: Readonly<Record<OperandSize, readonly number[]>> = {
  8: [0, 1, 2, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x0f, 0x10],
  16: [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff],
  32: [
    0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0x80000001,
    0xfffffffe, 0xffffffff,
  ],
};

export function sizeMask(size: OperandSize): number {
  return size === 32 ? 0xffffffff : (1 << size) - 1;
}

export function keyword(size: OperandSize): string {
  return KEYWORD[size];
}

/** Where memory operands go: inside the default window, clear of the stack at its top. */
const MEM_FIRST = DEFAULT_WINDOW.offset + 0x20;
const MEM_LAST = 0x7f0;

export class TestBuilder {
  readonly regs: number[];
  eflags: number;
  readonly data: Uint8Array;
  private undefinedFlags = 0;
  private readonly undefinedRegs = [0, 0, 0, 0, 0, 0, 0, 0];
  private readonly undefinedData: DataWindow[] = [];
  private fillValue: number | undefined;
  private window: DataWindow = DEFAULT_WINDOW;
  private fpuState: Uint8Array | undefined;
  private fpuMask: FpuUndefinedMask | undefined;
  /** Registers whose value is an address or a count the form fixed: not free for operands. */
  private readonly reserved = new Set<number>([ESP]);

  constructor(readonly rng: Rng) {
    this.regs = Array.from({ length: 8 }, () => rng.u32());
    this.regs[ESP] = DEFAULT_ESP;
    this.eflags = rng.u32() & STATUS_FLAGS;
    this.data = rng.bytes(DEFAULT_WINDOW.length);
  }

  /** An edge value (most of the time) or a random one, of the given size. */
  value(size: OperandSize): number {
    return this.rng.chance(0.6)
      ? this.rng.pick(EDGE_VALUES[size])
      : (this.rng.u32() & sizeMask(size)) >>> 0;
  }

  /** Sets the low `size` bits of register `index` (8-bit indexes 4..7 are AH..BH). */
  setReg(index: number, size: OperandSize, value: number): void {
    if (size === 8 && index >= 4) {
      const r = index - 4;
      this.regs[r] = (((this.regs[r] as number) & ~0xff00) | ((value & 0xff) << 8)) >>> 0;
      return;
    }
    const mask = sizeMask(size);
    this.regs[index] = (((this.regs[index] as number) & ~mask) | (value & mask)) >>> 0;
  }

  /** Keeps a register out of operand choice (the form gives it a fixed role). */
  reserve(index: number): void {
    this.reserved.add(index);
  }

  /** A register operand with an edge value; returns its name. */
  reg(size: OperandSize, value = this.value(size)): string {
    const free = [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => !this.reserved.has(size === 8 ? i & 3 : i));
    const index = this.rng.pick(free);
    this.setReg(index, size, value);
    return NAMES[size][index] as string;
  }

  /** The name of a fixed register (e.g. `cl`), given a value. */
  fixedReg(index: number, size: OperandSize, value: number): string {
    const full = size === 8 ? index & 3 : index;
    // Fixing a register another operand already uses (a memory operand's base, say) would
    // silently change that operand: a mistake in the form.
    if (this.reserved.has(full))
      throw new Error(`fixedReg: ${NAMES[32][full]} is already used by another operand`);
    this.setReg(index, size, value);
    this.reserve(full);
    return NAMES[size][index] as string;
  }

  /** Writes bytes into the data window at a data-page offset. */
  poke(offset: number, size: OperandSize, value: number): void {
    for (let i = 0; i < size / 8; i++)
      this.data[offset - DEFAULT_WINDOW.offset + i] = (value >>> (8 * i)) & 0xff;
  }

  /**
   * A memory operand `size [..]` inside the data window holding an edge value, addressed
   * absolutely, through a base, or base + index*scale (random unless `addressing` says).
   * Call before reg() so the address registers are reserved. Returns the operand text and
   * its data-page offset.
   */
  mem(
    size: OperandSize,
    value = this.value(size),
    addressing?: Addressing,
  ): { text: string; offset: number } {
    const offset = MEM_FIRST + this.rng.below(MEM_LAST - MEM_FIRST);
    this.poke(offset, size, value);
    return { text: this.memAt(size, offset, addressing), offset };
  }

  /**
   * A memory operand `size [..]` for data-page offset `offset`, which may lie outside the
   * page (for tests that fault): nothing is written there. Reserves its address registers.
   */
  memAt(size: OperandSize, offset: number, addressing?: Addressing): string {
    const address = (DATA_PAGE_ADDRESS + offset) >>> 0;
    const free = [0, 1, 2, 3, 5, 6, 7].filter((i) => !this.reserved.has(i));
    // The random choice is drawn even when it cannot be used, so that seeds keep their tests.
    const chosen = addressing ?? this.rng.pick(ADDRESSINGS);
    const kind = free.length < 2 ? 'absolute' : chosen;
    let text: string;
    if (kind === 'absolute') {
      text = `[0x${address.toString(16)}]`;
    } else if (kind === 'base') {
      const base = this.rng.pick(free);
      const disp = this.rng.below(256) - 128;
      this.regs[base] = (address - disp) >>> 0;
      this.reserve(base);
      text = `[${NAMES[32][base]}${disp < 0 ? '-' : '+'}${Math.abs(disp)}]`;
    } else {
      const base = this.rng.pick(free);
      const index = this.rng.pick(free.filter((i) => i !== base));
      const scale = this.rng.pick([1, 2, 4, 8]);
      const indexValue = this.rng.below(16);
      this.regs[index] = indexValue;
      this.regs[base] = (address - indexValue * scale) >>> 0;
      this.reserve(base);
      this.reserve(index);
      text = `[${NAMES[32][base]}+${NAMES[32][index]}*${scale}]`;
    }
    return `${KEYWORD[size]} ${text}`;
  }

  /** An immediate of the given size, written in hex. */
  imm(size: OperandSize, value = this.value(size)): string {
    return `0x${((value & sizeMask(size)) >>> 0).toString(16)}`;
  }

  /** The dword the rest of the data page is filled with (random unless a form sets it). */
  setFill(value: number): void {
    this.fillValue = value >>> 0;
  }

  setDirection(down: boolean): void {
    this.eflags = down ? this.eflags | DF : this.eflags & ~DF;
  }

  undefineFlags(flags: number): void {
    this.undefinedFlags |= flags;
  }

  /** Marks the low `size` bits of a register (8-bit: AL..BH naming) undefined. */
  undefineReg(index: number, size: OperandSize): void {
    if (size === 8 && index >= 4)
      this.undefinedRegs[index - 4] = ((this.undefinedRegs[index - 4] as number) | 0xff00) >>> 0;
    else this.undefinedRegs[index] = ((this.undefinedRegs[index] as number) | sizeMask(size)) >>> 0;
  }

  undefineData(offset: number, length: number): void {
    this.undefinedData.push({ offset, length });
  }

  /** Dumps another part of the data page than the default window (the initial bytes stay). */
  setWindow(window: DataWindow): void {
    this.window = window;
  }

  /** Gives the test an x87/MMX/SSE state to load (and dump), with what of it is undefined. */
  setFpu(state: Uint8Array, mask?: FpuUndefinedMask): void {
    this.fpuState = state;
    this.fpuMask = mask;
  }

  /** Adds to the FPU mask (undefined condition codes, approximate lanes...). */
  undefineFpu(mask: FpuUndefinedMask): void {
    const fsw = (this.fpuMask?.fsw ?? 0) | (mask.fsw ?? 0);
    this.fpuMask = { ...this.fpuMask, ...mask, ...(fsw ? { fsw } : {}) };
  }

  build(form: string, group: string, seed: number, source: string): ConformanceTest {
    const regNames = NAMES[32];
    return defineTest({
      source,
      form,
      group,
      seed,
      regs: Object.fromEntries(regNames.map((n, i) => [n, this.regs[i] as number])),
      eflags: this.eflags,
      data: {
        fill: this.fillValue ?? this.rng.u32(),
        offset: DEFAULT_WINDOW.offset,
        bytes: this.data,
      },
      window: this.window,
      undefinedMask: {
        eflags: this.undefinedFlags,
        ...(this.undefinedRegs.some((m) => m !== 0) ? { regs: [...this.undefinedRegs] } : {}),
        ...(this.undefinedData.length > 0 ? { data: [...this.undefinedData] } : {}),
        ...(this.fpuMask ? { fpu: this.fpuMask } : {}),
      },
      ...(this.fpuState ? { fpu: this.fpuState } : {}),
    });
  }
}

/** Register index of a register name (any size). */
export function registerIndex(name: string): { index: number; size: OperandSize } {
  for (const size of [8, 16, 32] as const) {
    const index = NAMES[size].indexOf(name);
    if (index >= 0) return { index, size };
  }
  throw new Error(`registerIndex: ${name} is not a general register`);
}
