/**
 * A small MMX/SSE/SSE2 assembler for the guest tests (@tsemu/x86asm has no SIMD
 * mnemonics). Its table is the decoder's own (lookupSimd), inverted; memory operands are
 * encoded by @tsemu/x86asm (the ModRM/SIB/displacement of an `lea` with the same operand),
 * so every addressing form it knows works here too. The host differential test runs the
 * same bytes on the real CPU, which keeps both tables honest.
 *
 *   simdInsn('paddb xmm0, [esi+16]')   // -> [0x66, 0x0f, 0xfc, 0x46, 0x10]
 *   simdAsm(source)                    // SIMD lines of an x86asm source become `db` lines
 */
import { assemble } from '@tsemu/x86asm';
import { lookupSimd, type SimdForm } from '../../src/i386/decode/simd.js';

const PREFIXES = [0, 0x66, 0xf3, 0xf2];

export interface SimdEncoding {
  readonly name: string;
  readonly opcode: number;
  readonly prefix: number;
  /** ModRM.reg when the form is an opcode extension (/digit), else -1. */
  readonly fixedReg: number;
  readonly form: SimdForm;
  /** The operand letters with their memory sizes, as in the decoder's table ('V,Wq'). */
  readonly signature: string;
  /** 'reg' or 'mem' when the rm operand must be one; '' when it can be either. */
  readonly rmKind: SimdForm['rmKind'];
}

function signatureOf(form: SimdForm): string {
  return form.operands
    .map((o) => o.letter + (o.memSize && 'QWEM'.includes(o.letter) ? `:${o.memSize}` : ''))
    .join(',');
}

/** Every SIMD form of the decoder, once per (opcode, prefix, /digit, form). */
export const SIMD_ENCODINGS: readonly SimdEncoding[] = (() => {
  const out: SimdEncoding[] = [];
  const seen = new Set<string>();
  for (let opcode = 0x100; opcode < 0x200; opcode++) {
    for (const prefix of PREFIXES) {
      const noModrm = lookupSimd(opcode, prefix, -1);
      if (noModrm && noModrm.operands.length === 0 && noModrm.name === 'emms') {
        const key = `${opcode}/${prefix}/emms`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push({
            name: 'emms',
            opcode,
            prefix,
            fixedReg: -1,
            form: noModrm,
            signature: '',
            rmKind: '',
          });
        }
        continue;
      }
      for (const mod of [0xc0, 0x00]) {
        const byReg = new Map<SimdForm, number[]>();
        for (let reg = 0; reg < 8; reg++) {
          const form = lookupSimd(opcode, prefix, mod | (reg << 3));
          if (form) byReg.set(form, [...(byReg.get(form) ?? []), reg]);
        }
        for (const [form, regs] of byReg) {
          const fixedReg = regs.length === 8 ? -1 : regs[0];
          if (regs.length !== 8 && regs.length !== 1)
            throw new Error(`simd-asm: ${form.name} maps to ModRM.reg ${regs.join(',')}`);
          const key = `${opcode}/${prefix}/${fixedReg}/${form.name}/${signatureOf(form)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            name: form.name,
            opcode,
            prefix,
            fixedReg,
            form,
            signature: signatureOf(form),
            rmKind: form.rmKind,
          });
        }
      }
    }
  }
  return out;
})();

const BY_NAME = new Map<string, SimdEncoding[]>();
for (const e of SIMD_ENCODINGS) BY_NAME.set(e.name, [...(BY_NAME.get(e.name) ?? []), e]);

/** True when `name` is a SIMD mnemonic of the table. */
export function isSimdMnemonic(name: string): boolean {
  return BY_NAME.has(name.toLowerCase());
}

type ParsedOperand =
  | { kind: 'xmm' | 'mmx' | 'r32'; n: number }
  | { kind: 'mem'; text: string }
  | { kind: 'imm'; value: number };

const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

function parseOperand(text: string): ParsedOperand {
  const t = text.trim().toLowerCase();
  let m = /^xmm([0-7])$/.exec(t);
  if (m) return { kind: 'xmm', n: Number(m[1]) };
  m = /^mm([0-7])$/.exec(t);
  if (m) return { kind: 'mmx', n: Number(m[1]) };
  if (R32.includes(t)) return { kind: 'r32', n: R32.indexOf(t) };
  if (t.includes('['))
    return {
      kind: 'mem',
      text: t.replace(/^(byte|word|dword|qword|oword|xmmword)\s+(ptr\s+)?/, ''),
    };
  const value = Number(t);
  if (!Number.isInteger(value)) throw new Error(`simd-asm: cannot parse operand '${text}'`);
  return { kind: 'imm', value: value & 0xff };
}

function fits(letter: string, op: ParsedOperand): boolean {
  switch (letter) {
    case 'P':
    case 'N':
      return op.kind === 'mmx';
    case 'V':
    case 'U':
      return op.kind === 'xmm';
    case 'Q':
      return op.kind === 'mmx' || op.kind === 'mem';
    case 'W':
      return op.kind === 'xmm' || op.kind === 'mem';
    case 'G':
    case 'R':
      return op.kind === 'r32';
    case 'E':
      return op.kind === 'r32' || op.kind === 'mem';
    case 'M':
      return op.kind === 'mem';
    case 'I':
      return op.kind === 'imm';
    default:
      return false;
  }
}

const REGISTER_NAMES = new Set([
  ...R32,
  ...['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'es', 'cs', 'ss', 'ds', 'fs', 'gs'],
]);

/**
 * ModRM (with reg 0), SIB and displacement of a memory operand, from x86asm's `lea`.
 * An operand that names labels is encoded with a full-size displacement, returned as the
 * expression (`disp`) for a `dd`/`dw` that the final assembly resolves.
 */
function memoryBytes(
  text: string,
  bits: 16 | 32,
): { bytes: number[]; prefixes: number[]; addrPrefix: boolean; disp: string; dispSize: number } {
  // A segment override (`es:[..]` or `[es:..]`) becomes a prefix byte.
  const SEGMENT_PREFIX: Record<string, number> = {
    es: 0x26,
    cs: 0x2e,
    ss: 0x36,
    ds: 0x3e,
    fs: 0x64,
    gs: 0x65,
  };
  let segment = 0;
  const stripped = text.replace(/\b(es|cs|ss|ds|fs|gs)\s*:/i, (_m, seg: string) => {
    segment = SEGMENT_PREFIX[seg.toLowerCase()];
    return '';
  });
  if (segment) {
    const inner = memoryBytes(stripped, bits);
    return { ...inner, prefixes: [segment, ...inner.prefixes] };
  }
  const inner = text.slice(text.indexOf('[') + 1, text.lastIndexOf(']'));
  const names = (inner.match(/[A-Za-z_.][\w.]*/g) ?? []).filter(
    (n) => !REGISTER_NAMES.has(n.toLowerCase()),
  );
  const symbols = Object.fromEntries(names.map((n) => [n, 0x12345678]));
  const lea = Array.from(
    assemble(`lea ${bits === 16 ? 'ax' : 'eax'}, ${text}`, { bits, symbols }).bytes,
  );
  // Prefixes x86asm put before the lea: address size, and a segment override.
  const prefixes: number[] = [];
  while ([0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].includes(lea[0]))
    prefixes.push(lea.shift() ?? 0);
  const addrPrefix = prefixes.includes(0x67);
  if (lea[0] !== 0x8d) throw new Error(`simd-asm: unexpected lea encoding for ${text}`);
  const bytes = lea.slice(1);
  if (names.length === 0) return { bytes, prefixes, addrPrefix, disp: '', dispSize: 0 };
  const dispSize = (bits === 32) !== addrPrefix ? 4 : 2;
  // The displacement expression: the bracket's terms that are not registers.
  const terms = inner.split(/(?=[+-])/).map((t) => t.trim());
  const isRegister = (t: string) =>
    t
      .replace(/^[+-]/, '')
      .split('*')
      .some((part) => REGISTER_NAMES.has(part.trim().toLowerCase()));
  const disp = terms.filter((t) => !isRegister(t)).join('') || '0';
  return { bytes: bytes.slice(0, bytes.length - dispSize), prefixes, addrPrefix, disp, dispSize };
}

/** An encoding whose displacement may be a label expression: bytes, displacement, bytes. */
interface Encoded {
  head: number[];
  disp: string;
  dispSize: number;
  tail: number[];
}

const encoded = new Map<string, Encoded>();

function encodeCached(text: string, bits: 16 | 32): Encoded {
  const key = `${bits}:${text}`;
  let e = encoded.get(key);
  if (e === undefined) {
    e = encodeInsn(text, bits);
    encoded.set(key, e);
  }
  return e;
}

/** Encode one SIMD instruction (`name op, op[, imm]`) whose operands name no labels. */
export function simdInsn(text: string, bits: 16 | 32 = 32): number[] {
  const e = encodeCached(text, bits);
  if (e.dispSize) throw new Error(`simd-asm: '${text}' names a label: use simdAsm`);
  return [...e.head, ...e.tail];
}

/** The instruction as x86asm data lines (`db`, and `dd label` for a label displacement). */
function simdLine(text: string, bits: 16 | 32): string {
  const e = encodeCached(text, bits);
  const db = (bytes: number[]) => `db ${bytes.map((v) => `0x${v.toString(16)}`).join(', ')}`;
  if (!e.dispSize) return db([...e.head, ...e.tail]);
  const parts = [db(e.head), `${e.dispSize === 4 ? 'dd' : 'dw'} ${e.disp}`];
  if (e.tail.length) parts.push(db(e.tail));
  return parts.join('\n');
}

function encodeInsn(text: string, bits: 16 | 32): Encoded {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const name = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const operandText = space < 0 ? '' : trimmed.slice(space + 1);
  const operands = operandText ? splitOperands(operandText).map(parseOperand) : [];
  const candidates = BY_NAME.get(name);
  if (!candidates) throw new Error(`simd-asm: unknown mnemonic ${name}`);
  for (const e of candidates) {
    const letters = e.form.operands.map((o) => o.letter);
    if (letters.length !== operands.length) continue;
    if (!letters.every((l, i) => fits(l, operands[i]))) continue;
    const rmIndex = letters.findIndex((l) => 'QWENURM'.includes(l));
    const rmOp = rmIndex >= 0 ? operands[rmIndex] : undefined;
    if (e.rmKind === 'reg' && rmOp?.kind === 'mem') continue;
    if (e.rmKind === 'mem' && rmOp !== undefined && rmOp.kind !== 'mem') continue;
    const regIndex = letters.findIndex((l) => 'PVG'.includes(l));
    const regOp = regIndex >= 0 ? operands[regIndex] : undefined;
    const reg = e.fixedReg >= 0 ? e.fixedReg : regOp && 'n' in regOp ? regOp.n : 0;
    const head: number[] = [];
    let modrm: number[];
    let disp = '';
    let dispSize = 0;
    if (e.form.operands.length === 0 && e.name === 'emms') modrm = [];
    else if (rmOp === undefined) modrm = [0xc0 | (reg << 3)];
    else if (rmOp.kind === 'mem') {
      const mem = memoryBytes(rmOp.text, bits);
      head.push(...mem.prefixes);
      modrm = [mem.bytes[0] | (reg << 3), ...mem.bytes.slice(1)];
      disp = mem.disp;
      dispSize = mem.dispSize;
    } else modrm = [0xc0 | (reg << 3) | ('n' in rmOp ? rmOp.n : 0)];
    if (e.prefix) head.push(e.prefix);
    head.push(0x0f, e.opcode & 0xff, ...modrm);
    const tail: number[] = [];
    const imm = operands.find((o) => o.kind === 'imm');
    if (imm && imm.kind === 'imm') tail.push(imm.value);
    if (!dispSize) return { head: [...head, ...tail], disp: '', dispSize: 0, tail: [] };
    return { head, disp, dispSize, tail };
  }
  throw new Error(`simd-asm: no form of ${name} takes '${operandText}'`);
}

function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((s) => s.trim());
}

/**
 * Replaces the SIMD instructions of an x86asm source with `db` lines (labels and comments
 * are kept). `movsd` and `cmpsd` without operands stay string instructions.
 */
export function simdAsm(source: string, bits: 16 | 32 = 32): string {
  let mode = bits;
  return source
    .split('\n')
    .map((line) => {
      const bitsMatch = /^\s*(?:\[?\s*bits\s+(16|32)\s*\]?)\s*$/i.exec(line);
      if (bitsMatch) mode = Number(bitsMatch[1]) as 16 | 32;
      const code = line.replace(/;.*$/, '');
      const m = /^(\s*(?:[A-Za-z_.][\w.]*:)?\s*)([A-Za-z][\w]*)\b(.*)$/.exec(code);
      if (!m) return line;
      const [, head, mnemonic, rest] = m;
      if (!isSimdMnemonic(mnemonic)) return line;
      if (
        (mnemonic.toLowerCase() === 'movsd' || mnemonic.toLowerCase() === 'cmpsd') &&
        !rest.trim()
      )
        return line;
      return `${head}${simdLine(`${mnemonic} ${rest}`, mode)}`;
    })
    .join('\n');
}
