/**
 * Encoding x87, MMX and SSE instructions for the forms (@tsemu/x86asm has no mnemonics for
 * them): a form builds the bytes itself and emits them as a `db` line with the instruction
 * as a comment, so reports show both. A memory operand's ModRM, SIB and displacement come
 * from x86asm (those of `lea eax, [..]`, with the form's reg field ORed in), so every
 * addressing mode the generator uses is encoded exactly as for the integer forms.
 *
 * The encodings are written from the SDM, independently of tsemu's decoder; a test decodes
 * every form's bytes with tsemu's disassembler and checks the mnemonic (forms-fp.test.ts),
 * and the host executes them, so a wrong table shows.
 */
import { assemble } from '@tsemu/x86asm';
import { DEFAULT_WINDOW } from './define-test.js';
import { DATA_PAGE_SIZE } from './state.js';
import type { TestBuilder } from './test-builder.js';

const leaCache = new Map<string, readonly number[]>();

/** ModRM (reg field 0), SIB and displacement of a memory operand such as `[ebx+ecx*4+8]`. */
export function memoryModrm(address: string): readonly number[] {
  let bytes = leaCache.get(address);
  if (bytes === undefined) {
    const lea = assemble(`lea eax, ${address}`, { bits: 32 }).bytes;
    if (lea[0] !== 0x8d) throw new Error(`memoryModrm: unexpected encoding of ${address}`);
    bytes = [...lea.subarray(1)];
    leaCache.set(address, bytes);
  }
  return bytes;
}

/** The ModRM byte of a register-register form. */
export function registerModrm(reg: number, rm: number): number {
  return 0xc0 | ((reg & 7) << 3) | (rm & 7);
}

/** ModRM+SIB+displacement of `address` with ModRM.reg = `reg`. */
export function memoryModrmWithReg(address: string, reg: number): number[] {
  const [modrm, ...rest] = memoryModrm(address);
  return [(modrm as number) | ((reg & 7) << 3), ...rest];
}

/** One instruction as an x86asm line: `db 0xd8, 0xc1 ; fadd st0, st(1)`. */
export function dbLine(bytes: readonly number[], text: string): string {
  return `db ${bytes.map((b) => `0x${b.toString(16)}`).join(', ')} ; ${text}`;
}

/** A memory operand placed in the data page: its address text, page offset and size. */
export interface FpMemory {
  /** `[..]`, without a size keyword. */
  readonly address: string;
  readonly offset: number;
}

/** Where FP memory operands go: in the default window, clear of the stack at its top. */
const MEM_FIRST = DEFAULT_WINDOW.offset + 0x20;
const MEM_END = DEFAULT_WINDOW.offset + 0x80;

/**
 * A memory operand of `size` bytes in the data window, holding `bytes` (if given; else the
 * window's random bytes), at an address aligned to `align` (or deliberately misaligned).
 * Call before choosing general register operands, so that its address registers are kept.
 */
export function fpMemory(
  b: TestBuilder,
  size: number,
  options: { bytes?: Uint8Array; align?: number; misaligned?: boolean; offset?: number } = {},
): FpMemory {
  const align = options.align ?? 1;
  let offset = options.offset;
  if (offset === undefined) {
    const slots = Math.floor((MEM_END - MEM_FIRST) / align);
    offset = MEM_FIRST + b.rng.below(slots) * align;
    if (options.misaligned) offset += 1 + b.rng.below(Math.max(1, align - 1));
    if (offset + size > DEFAULT_WINDOW.offset + DEFAULT_WINDOW.length)
      throw new Error(`fpMemory: ${size} bytes do not fit in the window`);
  }
  if (options.bytes) pokeBytes(b, offset, options.bytes);
  const text = b.memAt(32, offset);
  return { address: text.replace(/^\w+\s+/, ''), offset };
}

/** Writes bytes at a data-page offset inside the default window (the test's initial data). */
export function pokeBytes(b: TestBuilder, offset: number, bytes: Uint8Array): void {
  const start = offset - DEFAULT_WINDOW.offset;
  if (start < 0 || start + bytes.length > DEFAULT_WINDOW.length)
    throw new Error(`pokeBytes: 0x${offset.toString(16)} is outside the initial data`);
  b.data.set(bytes, start);
}

/** A data-page offset so that a `size`-byte access there crosses the page's end. */
export function acrossPageEnd(b: TestBuilder, size: number): number {
  return DATA_PAGE_SIZE - 1 - b.rng.below(size - 1);
}

/** The keyword x86 syntax gives a memory operand of `size` bytes. */
export function sizeKeyword(size: number): string {
  switch (size) {
    case 1:
      return 'byte';
    case 2:
      return 'word';
    case 4:
      return 'dword';
    case 8:
      return 'qword';
    case 10:
      return 'tword';
    case 16:
      return 'oword';
    default:
      return '';
  }
}
