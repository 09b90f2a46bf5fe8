/**
 * What the MMX, SSE and SSE2 form files share: a small table notation for one instruction
 * encoding, and the generator that turns an entry into its register and memory forms.
 *
 *   simd('sse', 'addps', 0x00, 0x58, 'xmm,xmm/m128', { lanes: 'f32' })
 *
 * gives `addps xmm,xmm` and `addps xmm,m128` (0F 58). Operand kinds, in Intel order:
 *   reg field:  mm, xmm, r32
 *   rm field:   mm/m64, mm/m32, xmm/m128, xmm/m64, xmm/m32, r/m32, r32/m16 (register or
 *               memory); mmreg, xmmreg (register only); m8, m16, m32, m64, m128 (memory only)
 *   imm8
 * A /digit entry (the shifts by an immediate) has no reg-field operand.
 *
 * Each test starts from a random x87/MMX/SSE state (fpu-state.ts) whose registers mostly hold
 * the entry's kind of lanes; memory sources get the same kind of edge values. 16-byte memory
 * operands are 16-byte aligned except for the unaligned moves (which are tested misaligned
 * too); separate variants test the #GP of a misaligned operand and the #PF of one that
 * crosses the data page's end (a store must then write nothing).
 */

import type { InstructionForm } from './forms.js';
import {
  acrossPageEnd,
  dbLine,
  fpMemory,
  memoryModrmWithReg,
  registerModrm,
  sizeKeyword,
} from './fp-encoding.js';
import { type LaneKind, randomLanes, randomShiftCount, SHIFT_COUNTS } from './fp-values.js';
import { randomFpuState } from './fpu-state.js';
import { DATA_PAGE_ADDRESS, DATA_PAGE_SIZE, type FpuUndefinedMask } from './state.js';
import type { TestBuilder } from './test-builder.js';

export type SimdGroup = 'mmx' | 'sse' | 'sse2';

export interface SimdOptions {
  /** What the registers and memory sources hold (default: integer lanes). */
  readonly lanes?: LaneKind;
  /** The rm operand is a packed shift count (small values mostly). */
  readonly shiftCount?: boolean;
  /** The immediate: a shift count, a compare predicate, or any byte (default). */
  readonly imm?: 'shift' | 'predicate' | 'any';
  /** 16-byte memory operands need no alignment (MOVUPS, MOVUPD, MOVDQU). */
  readonly unaligned?: boolean;
  /** An approximation (RCP, RSQRT) of `lanes` dword lanes: compared within the SDM bound. */
  readonly approximate?: { readonly fn: 'rcp' | 'rsqrt'; readonly lanes: 1 | 4 };
  /** Stores through DS:EDI (MASKMOVQ, MASKMOVDQU): EDI points into the data window. */
  readonly edi?: boolean;
  /** What a register or memory source holds when it differs from `lanes` (conversions). */
  readonly source?: LaneKind;
  /** The memory operand is written (default: when it comes first and a register follows). */
  readonly store?: boolean;
}

export interface SimdEntry {
  readonly group: SimdGroup;
  readonly mnemonic: string;
  /** Mandatory prefix: 0 (none), 0x66, 0xf3, 0xf2. */
  readonly prefix: number;
  /** The opcode byte after 0F. */
  readonly opcode: number;
  readonly operands: readonly string[];
  /** ModRM.reg of a /digit entry, else -1. */
  readonly digit: number;
  readonly options: SimdOptions;
}

export function simd(
  group: SimdGroup,
  mnemonic: string,
  prefix: number,
  opcode: number,
  operands: string,
  options: SimdOptions = {},
): SimdEntry {
  return { group, mnemonic, prefix, opcode, operands: operands.split(','), digit: -1, options };
}

/** An opcode-extension entry: `psrlw mmreg,imm8` is 0F 71 /2. */
export function simdDigit(
  group: SimdGroup,
  mnemonic: string,
  prefix: number,
  opcode: number,
  digit: number,
  operands: string,
  options: SimdOptions = {},
): SimdEntry {
  return { ...simd(group, mnemonic, prefix, opcode, operands, options), digit };
}

const REG_FIELD = new Set(['mm', 'xmm', 'r32']);
const MEMORY_SIZE: Record<string, number> = { m8: 1, m16: 2, m32: 4, m64: 8, m128: 16 };

/** One concrete form: every operand either a register kind, a memory size, or imm8. */
interface Shape {
  readonly operands: readonly string[];
  /** Index of the rm operand, -1 if none. */
  readonly rm: number;
  /** Index of the reg-field operand, -1 if none (a /digit form). */
  readonly reg: number;
}

/** The register and memory shapes of an entry (`xmm/m128` gives `xmm` and `m128`). */
function shapesOf(entry: SimdEntry): Shape[] {
  const ops = entry.operands;
  const reg = ops.findIndex((o) => REG_FIELD.has(o));
  const rm = ops.findIndex((o, i) => i !== reg && o !== 'imm8');
  if (rm < 0) return [{ operands: ops, rm: -1, reg }];
  const kind = ops[rm] as string;
  const variants: string[] = [];
  if (kind.includes('/')) {
    const [register, memory] = kind.split('/') as [string, string];
    variants.push(register === 'r' ? 'r32' : register, memory);
  } else if (kind === 'mmreg' || kind === 'xmmreg') {
    variants.push(kind.slice(0, -3));
  } else {
    variants.push(kind);
  }
  return variants.map((v) => ({ operands: ops.map((o, i) => (i === rm ? v : o)), rm, reg }));
}

/** `addps xmm,m128`: the form's name. */
function shapeName(entry: SimdEntry, shape: Shape): string {
  return `${entry.mnemonic} ${shape.operands.join(',')}`;
}

type Variant = 'normal' | 'misaligned' | 'page-end';

const GENERAL = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

function immediate(b: TestBuilder, kind: SimdOptions['imm']): number {
  const r = b.rng;
  if (kind === 'shift') return r.chance(0.85) ? r.pick(SHIFT_COUNTS) & 0xff : r.below(256);
  if (kind === 'predicate') return r.chance(0.85) ? r.below(8) : r.below(256);
  return r.below(256);
}

/** Builds one test of `entry` in `shape`; returns the source. */
function generateSimd(b: TestBuilder, entry: SimdEntry, shape: Shape, variant: Variant): string {
  const o = entry.options;
  const lanes = o.lanes ?? 'int';
  const mmx = entry.group === 'mmx' || shape.operands.includes('mm');
  const state = randomFpuState(b.rng, { lanes, mmx });
  const texts: string[] = shape.operands.map(() => '');
  if (o.edi) b.fixedReg(7, 32, DATA_PAGE_ADDRESS + 0x7a0 + b.rng.below(0x50));

  // What the rm operand holds when it is a source: a general register's or memory's integer
  // (MOVD, CVTSI2SS, PINSRW), a shift count, or the entry's lanes (or its `source` kind).
  const declared = shape.rm >= 0 ? (entry.operands[shape.rm] as string) : '';
  const sourceKind: LaneKind = declared.startsWith('r') ? 'int' : (o.source ?? lanes);
  const sourceBytes = (size: number) =>
    o.shiftCount
      ? randomShiftCount(b.rng).subarray(0, size)
      : randomLanes(b.rng, sourceKind, Math.max(size, 4)).subarray(0, size);

  // The rm operand first: a memory operand reserves its address registers.
  const rmKind = shape.rm >= 0 ? (shape.operands[shape.rm] as string) : '';
  const memorySize = MEMORY_SIZE[rmKind];
  let rmBytes: number[] = [];
  let sourceLanes: Uint8Array | undefined;
  if (memorySize !== undefined) {
    const isStore = o.store ?? (shape.rm === 0 && shape.reg >= 0);
    sourceLanes = isStore ? undefined : sourceBytes(memorySize);
    let m: { address: string; offset: number };
    if (variant === 'page-end') {
      b.setWindow({ offset: DATA_PAGE_SIZE - 0x40, length: 0x40 });
      m = fpMemory(b, memorySize, { offset: acrossPageEnd(b, memorySize) });
    } else {
      const mustAlign = memorySize === 16 && !o.unaligned;
      const misaligned = variant === 'misaligned' || (!mustAlign && b.rng.chance(0.2));
      m = fpMemory(b, memorySize, {
        ...(sourceLanes ? { bytes: sourceLanes } : {}),
        align: memorySize,
        misaligned: misaligned && memorySize > 1,
      });
    }
    texts[shape.rm] = `${sizeKeyword(memorySize)} ${m.address}`;
    rmBytes = memoryModrmWithReg(m.address, 0);
  }

  // The reg-field operand (or the /digit).
  let regField = entry.digit;
  let regIndex = -1;
  if (shape.reg >= 0) {
    const kind = shape.operands[shape.reg] as string;
    if (kind === 'r32') {
      const name = b.reg(32);
      regIndex = GENERAL.indexOf(name);
      texts[shape.reg] = name;
    } else {
      regIndex = b.rng.below(8);
      texts[shape.reg] = `${kind}${regIndex}`;
    }
    regField = regIndex;
  }

  // A register rm operand: a fifth of the time the same register as the reg field.
  if (shape.rm >= 0 && memorySize === undefined) {
    let rmIndex: number;
    if (rmKind === 'r32') {
      const name = b.reg(32);
      rmIndex = GENERAL.indexOf(name);
      texts[shape.rm] = name;
    } else {
      const same = shape.reg >= 0 && shape.operands[shape.reg] === rmKind && b.rng.chance(0.2);
      rmIndex = same ? regIndex : b.rng.below(8);
      texts[shape.rm] = `${rmKind}${rmIndex}`;
      const isSource = !(o.store ?? (shape.rm === 0 && shape.reg >= 0));
      if (isSource && (o.shiftCount || o.source) && b.rng.chance(0.8)) {
        const bytes = sourceBytes(rmKind === 'mm' ? 8 : 16);
        if (rmKind === 'mm') state.setMm(rmIndex, bytes);
        else {
          const x = state.xmm(rmIndex).slice();
          x.set(bytes, 0);
          state.setXmm(rmIndex, x);
        }
      }
      if (rmKind === 'xmm') sourceLanes = state.xmm(rmIndex).slice();
    }
    rmBytes = [registerModrm(0, rmIndex)];
  }

  const imm: number[] = [];
  const immAt = shape.operands.indexOf('imm8');
  if (immAt >= 0) {
    const value = immediate(b, o.imm);
    imm.push(value);
    texts[immAt] = `0x${value.toString(16)}`;
  }

  let mask: FpuUndefinedMask | undefined;
  if (o.approximate && sourceLanes) {
    const view = new DataView(sourceLanes.buffer, sourceLanes.byteOffset, sourceLanes.byteLength);
    const laneList = o.approximate.lanes === 4 ? [0, 1, 2, 3] : [0];
    mask = {
      approximate: {
        fn: o.approximate.fn,
        xmm: regIndex,
        lanes: laneList,
        sources: laneList.map((l) => view.getUint32(4 * l, true)),
      },
    };
  }
  b.setFpu(state.bytes, mask);

  const [modrm, ...rest] = rmBytes;
  const bytes = [
    ...(entry.prefix ? [entry.prefix] : []),
    0x0f,
    entry.opcode,
    ((modrm ?? 0xc0) | ((regField & 7) << 3)) >>> 0,
    ...rest,
    ...imm,
  ];
  return dbLine(bytes, `${entry.mnemonic} ${texts.join(', ')}`);
}

/**
 * The forms of a table, in order; a name used twice (another encoding of the same
 * instruction, like MOVAPS xmm,xmm by 0F 28 and 0F 29) gets the opcode as a suffix.
 */
export function simdForms(entries: readonly SimdEntry[]): InstructionForm[] {
  const forms: InstructionForm[] = [];
  const names = new Set<string>();
  for (const entry of entries) {
    for (const shape of shapesOf(entry)) {
      let name = shapeName(entry, shape);
      if (names.has(name)) {
        const prefix = entry.prefix ? `${entry.prefix.toString(16)} ` : '';
        name = `${name} (${prefix}0f ${entry.opcode.toString(16).padStart(2, '0')})`;
      }
      if (names.has(name)) throw new Error(`simdForms: duplicate form ${name}`);
      names.add(name);
      forms.push({
        name,
        group: entry.group,
        generate: (b) => generateSimd(b, entry, shape, 'normal'),
      });
    }
  }
  return forms;
}

/**
 * A fault variant of an entry's memory form: `misaligned` (a 16-byte operand that must be
 * aligned: #GP(0)) or `page-end` (the operand crosses the data page's end: #PF).
 */
export function simdFaultForm(
  entry: SimdEntry,
  variant: 'misaligned' | 'page-end',
): InstructionForm {
  const shape = shapesOf(entry).find((s) => s.rm >= 0 && MEMORY_SIZE[s.operands[s.rm] as string]);
  if (!shape) throw new Error(`simdFaultForm: ${entry.mnemonic} has no memory form`);
  const suffix = variant === 'misaligned' ? 'misaligned' : 'across the page end';
  return {
    name: `${shapeName(entry, shape)} ${suffix}`,
    group: entry.group,
    generate: (b) => generateSimd(b, entry, shape, variant),
  };
}

/** A form with fixed bytes and no operands (EMMS, the fences). */
export function simdFixed(group: SimdGroup, name: string, bytes: number[]): InstructionForm {
  return {
    name,
    group,
    generate(b) {
      b.setFpu(randomFpuState(b.rng, { mmx: group === 'mmx' }).bytes);
      return dbLine(bytes, name);
    },
  };
}
