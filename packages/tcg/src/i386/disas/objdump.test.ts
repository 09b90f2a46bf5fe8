/**
 * The decoder and disassembler against GNU objdump 2.40 (-M intel, and
 * -M intel,i8086 for 16-bit code): the instruction corpus of @tsemu/x86asm
 * and random byte strings, from the golden files in ../decode/testdata
 * (written by packages/x86asm/scripts/gen-golden.ts). objdump's text is
 * mapped onto ours only where docs/x86-decoder.md lists the difference.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecodeMode, decodeInsn, type FetchByte, InsnDecoder } from '../decode/decoder.js';
import { DecodedInsn, DecodeStatus, X86OperandKind } from '../decode/insn.js';
import { disassembleOne, formatInsn } from './disas.js';

const here = join(dirname(fileURLToPath(import.meta.url)), '../decode/testdata');

interface CorpusLine {
  address: number;
  bytes: Uint8Array;
  text: string;
}

interface RandomSample {
  bytes: Uint8Array;
  /** Length of objdump's first instruction; 0 when it printed nothing. */
  length: number;
  text: string;
}

function lines(name: string): string[][] {
  return readFileSync(join(here, name), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'));
}

function readCorpus(bits: 16 | 32): CorpusLine[] {
  return lines(`objdump-${bits}.txt`).map(([address, hex, text]) => ({
    address: Number.parseInt(address, 16),
    bytes: Uint8Array.from(Buffer.from(hex, 'hex')),
    text,
  }));
}

function readRandom(bits: 16 | 32): RandomSample[] {
  return lines(`random-${bits}.txt`).map(([hex, length, text]) => ({
    bytes: Uint8Array.from(Buffer.from(hex, 'hex')),
    length: Number(length),
    text,
  }));
}

/**
 * objdump's names for prefixes that newer ISA extensions reinterpret; a 686
 * sees the plain prefix (MPX's bnd is F2, CET's notrack is 3E, HLE's
 * xacquire/xrelease are F2/F3).
 */
function normalizeObjdump(text: string, sixteenBitTarget: boolean): string {
  let t = text
    .replace(/\bbnd /g, 'repnz ')
    .replace(/\bnotrack /g, 'ds ')
    .replace(/\bxacquire /g, 'repnz ')
    .replace(/\bxrelease /g, 'repz ');
  if (sixteenBitTarget) {
    // objdump does not wrap a 16-bit branch target to 16 bits; the CPU (and we) do.
    t = t.replace(
      /0x([0-9a-f]+)$/,
      (_, h: string) => `0x${(Number.parseInt(h, 16) & 0xffff).toString(16)}`,
    );
  }
  return t;
}

/** Instructions objdump knows from ISA extensions a 686 lacks (so #UD for us), by mnemonic. */
const NOT_ON_A_686 = new Set([
  'vmread',
  'vmwrite',
  'vmptrst',
  'vmptrld',
  'vmclear',
  'femms',
  'getsec',
  'syscall',
  'sysret',
  'xsave',
  'xsavec',
  'xsaves',
  'xsaveopt',
  'xrstor',
  'xrstors',
  'popcnt',
  'fisttp',
  'movsldup',
  'movshdup',
  'movddup',
  'hsubpd',
  'hsubps',
  'haddpd',
  'haddps',
  'addsubpd',
  'addsubps',
  'lddqu',
  'pabsw',
  'pabsb',
  'pabsd',
  'movdiri',
  'pfcmpgt',
  'mov    tr6',
]);

/** Hint-NOP space (0F 18-1F) that newer extensions (MPX, CLDEMOTE) reuse; a 686 runs NOPs there. */
const HINT_NOP_REUSE = /^(bnd(ldx|stx|mov|cl|cu|cn|mk)|cldemote)$/;

function fetchFrom(bytes: Uint8Array, base: number): FetchByte {
  return (eip) => (eip - base < bytes.length ? bytes[eip - base] : -1);
}

const modeFor = (bits: 16 | 32) => (bits === 32 ? DecodeMode.CODE32 : 0) | DecodeMode.PROTECTED;

describe.each([16, 32] as const)('%i-bit corpus', (bits) => {
  const corpus = readCorpus(bits);

  it('is large', () => {
    expect(corpus.length).toBeGreaterThan(8000);
  });

  it("decodes every instruction to objdump's length and text", () => {
    const decoder = new InsnDecoder();
    const insn = new DecodedInsn();
    const mismatches: string[] = [];
    for (const line of corpus) {
      const status = decoder.decode(
        insn,
        fetchFrom(line.bytes, line.address),
        line.address,
        modeFor(bits),
      );
      const text = status === DecodeStatus.Ok ? formatInsn(insn, bits === 32) : `status ${status}`;
      if (insn.length !== line.bytes.length || text !== line.text) {
        mismatches.push(
          `${Buffer.from(line.bytes).toString('hex')}: '${text}' (${insn.length}) vs objdump '${line.text}'`,
        );
      }
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});

describe.each([16, 32] as const)('%i-bit random byte strings', (bits) => {
  const samples = readRandom(bits);
  const results = samples.map((s) => ({
    sample: s,
    ...disassembleOne(fetchFrom(s.bytes, 0), 0, modeFor(bits)),
  }));

  it('agree with objdump on length and text wherever both decode', () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const { sample, status, length, text } of results) {
      const objdumpValid = sample.length > 0 && !sample.text.includes('(bad)');
      if (status !== DecodeStatus.Ok || !objdumpValid) continue;
      const mnemonic = sample.text.split(/\s+/).find((w) => HINT_NOP_REUSE.test(w));
      // FWAIT is an instruction of its own; objdump folds it into the x87 instruction after it.
      if (mnemonic || (sample.bytes[0] === 0x9b && length === 1)) continue;
      compared++;
      const insn = decodeInsn(fetchFrom(sample.bytes, 0), 0, modeFor(bits)).insn;
      const sixteenBitTarget = insn.operands[0].kind === X86OperandKind.Rel && insn.opSize === 2;
      let expected = normalizeObjdump(sample.text, sixteenBitTarget);
      if (insn.opcode >= 0x118 && insn.opcode <= 0x11f && /\brep/.test(text)) {
        // With F2/F3, objdump reads the hint NOPs through its MPX/CET tables and leaves 66 unused.
        expected = expected.replace(/\bdata(16|32) /, '');
      }
      if (length !== sample.length || text !== expected) {
        mismatches.push(
          `${Buffer.from(sample.bytes).toString('hex')}: '${text}' (${length}) vs objdump '${expected}' (${sample.length})`,
        );
      }
    }
    expect(compared).toBeGreaterThan(3200);
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it('reject only what a 686 does not have where objdump decodes', () => {
    const unexplained: string[] = [];
    for (const { sample, status } of results) {
      const objdumpValid = sample.length > 0 && !sample.text.includes('(bad)');
      if (status === DecodeStatus.Ok || !objdumpValid) continue;
      const words = sample.text.split(/\s+/);
      const lock = words.includes('lock');
      // MOV with a segment register that does not exist or is CS, a control register other
      // than CR0/2/3/4, or a test register (gone since the Pentium).
      const badRegister =
        sample.text.includes('?') ||
        /\b(tr\d|cr[15-9])\b/.test(sample.text) ||
        sample.text.startsWith('mov    cs,');
      const known = words.some((w) => NOT_ON_A_686.has(w));
      // F2/F3 select SIMD instructions; an undefined combination is #UD.
      const simdPrefix = sample.bytes.some(
        (b, i) => (b === 0xf2 || b === 0xf3) && sample.bytes[i + 1] === 0x0f,
      );
      if (!lock && !badRegister && !known && !simdPrefix)
        unexplained.push(`${Buffer.from(sample.bytes).toString('hex')}: objdump '${sample.text}'`);
    }
    expect(unexplained).toEqual([]);
  });

  it('decode only documented extras where objdump says (bad)', () => {
    const unexplained: string[] = [];
    for (const { sample, status, text } of results) {
      const objdumpValid = sample.length > 0 && !sample.text.includes('(bad)');
      if (status !== DecodeStatus.Ok || objdumpValid) continue;
      const words = text.split(/\s+/);
      const extra =
        words.includes('salc') ||
        /\b(fstp[189]|fxch[47]|fcom2|fcomp[35])\b/.test(text) ||
        /^(repnz |repz )+/.test(text) ||
        sample.text.split(/\s+/).some((w) => HINT_NOP_REUSE.test(w));
      if (!extra) unexplained.push(`${Buffer.from(sample.bytes).toString('hex')}: ours '${text}'`);
    }
    expect(unexplained).toEqual([]);
  });
});
