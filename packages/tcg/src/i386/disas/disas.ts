/**
 * A disassembler for `-d in_asm`, in the Intel syntax of
 * `objdump -M intel` (mnemonic padded to six columns, `DWORD PTR [ebx+0x8]`,
 * hexadecimal immediates, absolute branch targets). Built on the decoder, so
 * what it prints is what the translator sees. Differences from objdump are
 * listed in docs/x86-decoder.md.
 */
import { DecodeMode, type FetchByte, InsnDecoder } from '../decode/decoder.js';
import {
  DecodedInsn,
  DecodeStatus,
  X86Op,
  type X86Operand,
  X86OperandKind,
  X86Prefix,
} from '../decode/insn.js';
import { formatSimd } from './simd.js';
import { formatX87 } from './x87.js';

const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const CONDITIONS = [
  'o',
  'no',
  'b',
  'ae',
  'e',
  'ne',
  'be',
  'a',
  's',
  'ns',
  'p',
  'np',
  'l',
  'ge',
  'le',
  'g',
];
const SIZE_PTR: Record<number, string> = {
  1: 'BYTE PTR ',
  2: 'WORD PTR ',
  4: 'DWORD PTR ',
  6: 'FWORD PTR ',
  8: 'QWORD PTR ',
  10: 'TBYTE PTR ',
  16: 'XMMWORD PTR ',
};

/** Plain mnemonics, by operation (the rest are worked out in `mnemonic`). */
const MNEMONICS: Partial<Record<X86Op, string>> = {
  [X86Op.Add]: 'add',
  [X86Op.Or]: 'or',
  [X86Op.Adc]: 'adc',
  [X86Op.Sbb]: 'sbb',
  [X86Op.And]: 'and',
  [X86Op.Sub]: 'sub',
  [X86Op.Xor]: 'xor',
  [X86Op.Cmp]: 'cmp',
  [X86Op.Test]: 'test',
  [X86Op.Inc]: 'inc',
  [X86Op.Dec]: 'dec',
  [X86Op.Not]: 'not',
  [X86Op.Neg]: 'neg',
  [X86Op.Mul]: 'mul',
  [X86Op.Imul1]: 'imul',
  [X86Op.Imul]: 'imul',
  [X86Op.Div]: 'div',
  [X86Op.Idiv]: 'idiv',
  [X86Op.Rol]: 'rol',
  [X86Op.Ror]: 'ror',
  [X86Op.Rcl]: 'rcl',
  [X86Op.Rcr]: 'rcr',
  [X86Op.Shl]: 'shl',
  [X86Op.Shr]: 'shr',
  [X86Op.Sal]: 'shl',
  [X86Op.Sar]: 'sar',
  [X86Op.Shld]: 'shld',
  [X86Op.Shrd]: 'shrd',
  [X86Op.Daa]: 'daa',
  [X86Op.Das]: 'das',
  [X86Op.Aaa]: 'aaa',
  [X86Op.Aas]: 'aas',
  [X86Op.Aam]: 'aam',
  [X86Op.Aad]: 'aad',
  [X86Op.Mov]: 'mov',
  [X86Op.MovToSeg]: 'mov',
  [X86Op.MovFromSeg]: 'mov',
  [X86Op.MovToCr]: 'mov',
  [X86Op.MovFromCr]: 'mov',
  [X86Op.MovToDr]: 'mov',
  [X86Op.MovFromDr]: 'mov',
  [X86Op.Movzx]: 'movzx',
  [X86Op.Movsx]: 'movsx',
  [X86Op.Lea]: 'lea',
  [X86Op.Xchg]: 'xchg',
  [X86Op.Xadd]: 'xadd',
  [X86Op.Cmpxchg]: 'cmpxchg',
  [X86Op.Cmpxchg8b]: 'cmpxchg8b',
  [X86Op.Bswap]: 'bswap',
  [X86Op.Lahf]: 'lahf',
  [X86Op.Sahf]: 'sahf',
  [X86Op.Salc]: 'salc',
  [X86Op.Xlat]: 'xlat',
  [X86Op.Les]: 'les',
  [X86Op.Lds]: 'lds',
  [X86Op.Lss]: 'lss',
  [X86Op.Lfs]: 'lfs',
  [X86Op.Lgs]: 'lgs',
  [X86Op.Pop]: 'pop',
  [X86Op.Enter]: 'enter',
  [X86Op.Leave]: 'leave',
  [X86Op.JmpIndirect]: 'jmp',
  [X86Op.JmpFar]: 'jmp',
  [X86Op.JmpFarIndirect]: 'jmp',
  [X86Op.CallIndirect]: 'call',
  [X86Op.CallFar]: 'call',
  [X86Op.CallFarIndirect]: 'call',
  [X86Op.Ret]: 'ret',
  [X86Op.Loop]: 'loop',
  [X86Op.Loope]: 'loope',
  [X86Op.Loopne]: 'loopne',
  [X86Op.Int]: 'int',
  [X86Op.Int3]: 'int3',
  [X86Op.Into]: 'into',
  [X86Op.Int1]: 'int1',
  [X86Op.Bound]: 'bound',
  [X86Op.Movs]: 'movs',
  [X86Op.Cmps]: 'cmps',
  [X86Op.Stos]: 'stos',
  [X86Op.Lods]: 'lods',
  [X86Op.Scas]: 'scas',
  [X86Op.Ins]: 'ins',
  [X86Op.Outs]: 'outs',
  [X86Op.In]: 'in',
  [X86Op.Out]: 'out',
  [X86Op.Bt]: 'bt',
  [X86Op.Bts]: 'bts',
  [X86Op.Btr]: 'btr',
  [X86Op.Btc]: 'btc',
  [X86Op.Bsf]: 'bsf',
  [X86Op.Bsr]: 'bsr',
  [X86Op.Pause]: 'pause',
  [X86Op.Hlt]: 'hlt',
  [X86Op.Cmc]: 'cmc',
  [X86Op.Clc]: 'clc',
  [X86Op.Stc]: 'stc',
  [X86Op.Cli]: 'cli',
  [X86Op.Sti]: 'sti',
  [X86Op.Cld]: 'cld',
  [X86Op.Std]: 'std',
  [X86Op.Wait]: 'fwait',
  [X86Op.Cpuid]: 'cpuid',
  [X86Op.Rdtsc]: 'rdtsc',
  [X86Op.Rdmsr]: 'rdmsr',
  [X86Op.Wrmsr]: 'wrmsr',
  [X86Op.Rdpmc]: 'rdpmc',
  [X86Op.Sysenter]: 'sysenter',
  [X86Op.Sysexit]: 'sysexit',
  [X86Op.Rsm]: 'rsm',
  [X86Op.Clts]: 'clts',
  [X86Op.Invd]: 'invd',
  [X86Op.Wbinvd]: 'wbinvd',
  [X86Op.Smsw]: 'smsw',
  [X86Op.Lmsw]: 'lmsw',
  [X86Op.Invlpg]: 'invlpg',
  [X86Op.Sldt]: 'sldt',
  [X86Op.Str]: 'str',
  [X86Op.Lldt]: 'lldt',
  [X86Op.Ltr]: 'ltr',
  [X86Op.Verr]: 'verr',
  [X86Op.Verw]: 'verw',
  [X86Op.Lar]: 'lar',
  [X86Op.Lsl]: 'lsl',
  [X86Op.Arpl]: 'arpl',
};

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

export function registerName(size: number, reg: number): string {
  return size === 1 ? REG8[reg] : size === 2 ? REG16[reg] : REG32[reg];
}

/** True when a 66 prefix changes the instruction (so the mnemonic may show the size). */
function sizeOverridden(insn: DecodedInsn): boolean {
  return (insn.usedPrefixes & X86Prefix.OPSIZE) !== 0;
}

/** objdump's suffix for an operand size that the mnemonic has to show. */
function sizeSuffix(insn: DecodedInsn): string {
  return insn.opSize === 2 ? 'w' : 'd';
}

const SIZE_SUFFIXED: Partial<Record<X86Op, string>> = {
  [X86Op.Pusha]: 'pusha',
  [X86Op.Popa]: 'popa',
  [X86Op.Pushf]: 'pushf',
  [X86Op.Popf]: 'popf',
  [X86Op.Iret]: 'iret',
  [X86Op.RetFar]: 'retf',
  [X86Op.Ret]: 'ret',
  [X86Op.Enter]: 'enter',
  [X86Op.Leave]: 'leave',
};

/** The mnemonic of a decoded instruction, without prefix words. */
function mnemonic(insn: DecodedInsn): string {
  const op = insn.op;
  const overridden = sizeOverridden(insn);
  switch (op) {
    case X86Op.Jcc:
      return `j${CONDITIONS[insn.cond]}`;
    case X86Op.Setcc:
      return `set${CONDITIONS[insn.cond]}`;
    case X86Op.Cmovcc:
      return `cmov${CONDITIONS[insn.cond]}`;
    case X86Op.Jcxz:
      return insn.addrSize === 2 ? 'jcxz' : 'jecxz';
    case X86Op.Cbw:
      return insn.opSize === 2 ? 'cbw' : 'cwde';
    case X86Op.Cwd:
      return insn.opSize === 2 ? 'cwd' : 'cdq';
    case X86Op.Jmp:
    case X86Op.Call: {
      const base = op === X86Op.Jmp ? 'jmp' : 'call';
      return overridden && insn.opcode !== 0xeb ? `${base}${sizeSuffix(insn)}` : base;
    }
    case X86Op.Push:
      return insn.operands[0].kind === X86OperandKind.Imm && overridden
        ? `push${sizeSuffix(insn)}`
        : 'push';
    case X86Op.PushSeg:
    case X86Op.PopSeg: {
      const base = op === X86Op.PushSeg ? 'push' : 'pop';
      return overridden ? `${base}${sizeSuffix(insn)}` : base;
    }
    case X86Op.Sgdt:
    case X86Op.Sidt:
    case X86Op.Lgdt:
    case X86Op.Lidt:
      return `${['sgdt', 'sidt', 'lgdt', 'lidt'][op - X86Op.Sgdt]}${sizeSuffix(insn)}`;
    case X86Op.Nop:
      if (insn.opcode === 0x90) return overridden ? 'xchg' : 'nop';
      if (insn.opcode === 0x118 && insn.modrm < 0xc0 && ((insn.modrm >> 3) & 7) < 4) {
        return ['prefetchnta', 'prefetcht0', 'prefetcht1', 'prefetcht2'][(insn.modrm >> 3) & 7];
      }
      if (insn.opcode === 0x10d) return ((insn.modrm >> 3) & 7) === 1 ? 'prefetchw' : 'prefetch';
      return 'nop';
    case X86Op.Ud:
      return insn.opcode === 0x10b ? 'ud2' : insn.opcode === 0x1b9 ? 'ud1' : 'ud0';
    default: {
      const sized = SIZE_SUFFIXED[op];
      if (sized) return overridden ? `${sized}${sizeSuffix(insn)}` : sized;
      return MNEMONICS[op] ?? '(bad)';
    }
  }
}

const SEGMENT_PREFIXES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

/** Rel8 branches: objdump names their 66/67 prefix although the CPU honours it. */
function isShortBranch(insn: DecodedInsn): boolean {
  const o = insn.opcode;
  return (o >= 0x70 && o <= 0x7f) || o === 0xeb || (o >= 0xe0 && o <= 0xe3);
}

/**
 * The prefix words objdump prints before the mnemonic, in byte order:
 * `lock`, `rep`/`repz`/`repnz` on string instructions, and the names of
 * prefixes that have no effect (`fs`, `data16`, `addr32`, a stray `repz`).
 */
function prefixWords(insn: DecodedInsn, code32: boolean): string {
  let words = '';
  const n = insn.numPrefixBytes;
  const used = insn.usedPrefixes;
  const named66 = isShortBranch(insn);
  const isLast = (i: number, group: (b: number) => boolean) => {
    for (let j = i + 1; j < n; j++) if (group(insn.prefixBytes[j])) return false;
    return true;
  };
  const isSeg = (b: number) => SEGMENT_PREFIXES.includes(b);
  const isRep = (b: number) => b === 0xf2 || b === 0xf3;
  for (let i = 0; i < n; i++) {
    const b = insn.prefixBytes[i];
    let word = '';
    if (isSeg(b)) {
      if (!(used & X86Prefix.SEGMENT_USED && isLast(i, isSeg)))
        word = SEG_NAMES[SEGMENT_PREFIXES.indexOf(b)];
    } else if (b === 0x66) {
      if (!(used & X86Prefix.OPSIZE && isLast(i, (x) => x === b)) || named66)
        word = code32 ? 'data16' : 'data32';
    } else if (b === 0x67) {
      const usedHere = used & X86Prefix.ADDRSIZE && isLast(i, (x) => x === b);
      // LOOP and the moffs MOVs show their address size only as a prefix word.
      const named =
        (insn.op >= X86Op.Loop && insn.op <= X86Op.Loopne) ||
        (insn.opcode >= 0xa0 && insn.opcode <= 0xa3);
      if (!usedHere || named) word = code32 ? 'addr16' : 'addr32';
    } else if (b === 0xf0) {
      word = 'lock';
    } else if (isRep(b)) {
      const op = insn.op;
      if (used & (X86Prefix.REPZ | X86Prefix.REPNZ) && isLast(i, isRep)) {
        if (op === X86Op.Cmps || op === X86Op.Scas) word = b === 0xf3 ? 'repz' : 'repnz';
        else if (op >= X86Op.Movs && op <= X86Op.Outs) word = b === 0xf3 ? 'rep' : 'repnz';
      } else {
        const repString =
          op === X86Op.Movs ||
          op === X86Op.Stos ||
          op === X86Op.Lods ||
          op === X86Op.Ins ||
          op === X86Op.Outs;
        word = b === 0xf3 ? (repString ? 'rep' : 'repz') : 'repnz';
      }
    }
    if (word) words += `${word} `;
  }
  return words;
}

/** Operations whose memory operand objdump prints without a size. */
function memoryWithoutSize(op: X86Op): boolean {
  return op === X86Op.Lea || (op >= X86Op.Sgdt && op <= X86Op.Lidt);
}

function hasSib(insn: DecodedInsn): boolean {
  return insn.addrSize === 4 && insn.modrm >= 0 && insn.modrm < 0xc0 && (insn.modrm & 7) === 4;
}

function formatAddress(insn: DecodedInsn, forceSegment: boolean): string {
  const regs = insn.addrSize === 2 ? REG16 : REG32;
  const seg = insn.segOverride >= 0 ? `${SEG_NAMES[insn.segOverride]}:` : '';
  if (insn.memBase < 0 && insn.memIndex < 0 && !hasSib(insn)) {
    // An absolute address: objdump always names the segment.
    const value = insn.addrSize === 2 ? insn.disp & 0xffff : insn.disp >>> 0;
    return `${seg || 'ds:'}${hex(value)}`;
  }
  let text = '';
  if (insn.memBase >= 0) text = regs[insn.memBase];
  if (insn.memIndex >= 0) {
    text += `${text ? '+' : ''}${regs[insn.memIndex]}`;
    if (insn.addrSize === 4) text += `*${1 << insn.memScale}`;
  } else if (hasSib(insn) && !(insn.memBase === 4 && insn.memScale === 0)) {
    // A SIB byte without an index: objdump shows the "index" as eiz.
    text += `${text ? '+' : ''}eiz*${1 << insn.memScale}`;
  }
  // A displacement is printed when the encoding has one (mod 1 or 2, or SIB without a base).
  const mod = insn.modrm >> 6;
  const hasDisp = (insn.modrm >= 0 && mod !== 0) || (insn.addrSize === 4 && insn.memBase < 0);
  if (hasDisp) {
    const d = insn.disp;
    text += d < 0 ? `-${hex(-d)}` : `+${hex(d)}`;
  }
  return `${seg || (forceSegment ? `${SEG_NAMES[insn.memSeg]}:` : '')}[${text}]`;
}

function formatOperand(insn: DecodedInsn, operand: X86Operand): string {
  switch (operand.kind) {
    case X86OperandKind.Reg:
      return registerName(operand.size, operand.reg);
    case X86OperandKind.Mem: {
      // objdump shows no size for LEA, the descriptor-table loads and the moffs forms of MOV.
      const moffs = insn.opcode >= 0xa0 && insn.opcode <= 0xa3;
      // The prefetch hints (0F 18 /0-/3) read a byte.
      const prefetch = insn.opcode === 0x118 && ((insn.modrm >> 3) & 7) < 4;
      const size =
        memoryWithoutSize(insn.op) || moffs ? '' : (SIZE_PTR[prefetch ? 1 : operand.size] ?? '');
      return `${size}${formatAddress(insn, insn.op === X86Op.Xlat)}`;
    }
    case X86OperandKind.Imm:
      // The shift-by-one forms (D0-D3) read `shl eax,1`.
      if (insn.opcode >= 0xd0 && insn.opcode <= 0xd1) return '1';
      return hex(operand.value);
    case X86OperandKind.Rel:
      return hex(operand.value);
    case X86OperandKind.FarPtr:
      return `${hex(operand.selector)}:${hex(operand.value)}`;
    case X86OperandKind.SReg:
      return SEG_NAMES[operand.reg];
    case X86OperandKind.CReg:
      return `cr${operand.reg}`;
    case X86OperandKind.DReg:
      return `dr${operand.reg}`;
    case X86OperandKind.StringSource: {
      const regs = insn.addrSize === 2 ? REG16 : REG32;
      return `${SIZE_PTR[operand.size]}${SEG_NAMES[insn.memSeg]}:[${regs[6]}]`;
    }
    case X86OperandKind.StringDest: {
      const regs = insn.addrSize === 2 ? REG16 : REG32;
      return `${SIZE_PTR[operand.size]}es:[${regs[7]}]`;
    }
    case X86OperandKind.StReg:
      return `st(${operand.reg})`;
    case X86OperandKind.MmxReg:
      return `mm${operand.reg}`;
    case X86OperandKind.XmmReg:
      return `xmm${operand.reg}`;
    case X86OperandKind.None:
      return '';
  }
}

/** Joins a mnemonic and operands the way objdump does: the mnemonic padded to six columns. */
export function joinInstruction(name: string, operands: readonly string[]): string {
  if (operands.length === 0) return name;
  return `${name.padEnd(6)} ${operands.join(',')}`;
}

/**
 * The text of a decoded instruction. `code32` is the code size the
 * instruction was decoded for (it decides objdump's data16/data32 names).
 */
export function formatInsn(insn: DecodedInsn, code32: boolean): string {
  const words = prefixWords(insn, code32);
  const format = (o: X86Operand) => formatOperand(insn, o);
  if (insn.op === X86Op.X87) return formatX87(insn, format, joinInstruction, words);
  if (insn.op === X86Op.Simd) return formatSimd(insn, format, joinInstruction, words);
  const name = `${words}${mnemonic(insn)}`;
  const operands: string[] = [];
  if (insn.op === X86Op.Nop && insn.opcode === 0x90) {
    // 66 90 reads as xchg ax,ax (or eax,eax in 16-bit code).
    if (sizeOverridden(insn))
      operands.push(registerName(insn.opSize, 0), registerName(insn.opSize, 0));
  } else {
    for (let i = 0; i < insn.numOperands; i++) operands.push(formatOperand(insn, insn.operands[i]));
  }
  return joinInstruction(name, operands);
}

export interface Disassembly {
  text: string;
  length: number;
  status: DecodeStatus;
}

/**
 * Decodes and formats the instruction at `eip`. An undefined instruction
 * reads as `(bad)`; an over-long one as `(bad: longer than 15 bytes)`.
 */
export function disassembleOne(fetch: FetchByte, eip: number, mode: number): Disassembly {
  const insn = new DecodedInsn();
  const status = new InsnDecoder().decode(insn, fetch, eip, mode);
  const code32 = (mode & DecodeMode.CODE32) !== 0;
  let text: string;
  switch (status) {
    case DecodeStatus.Ok:
      text = formatInsn(insn, code32);
      break;
    case DecodeStatus.InvalidOpcode:
      text = '(bad)';
      break;
    case DecodeStatus.TooLong:
      text = '(bad: longer than 15 bytes)';
      break;
    case DecodeStatus.FetchFault:
      text = '(fetch fault)';
      break;
  }
  return { text, length: insn.length, status };
}

/**
 * The `-d in_asm` listing of `length` bytes of code at `eip`, one line per
 * instruction in QEMU's layout (`0x000ffff0:  jmp    0xf000:0xe05b`). It
 * stops early at an instruction that cannot be decoded or fetched.
 */
export function disassembleRange(
  fetch: FetchByte,
  eip: number,
  length: number,
  mode: number,
): string[] {
  const lines: string[] = [];
  const insn = new DecodedInsn();
  const decoder = new InsnDecoder();
  const code32 = (mode & DecodeMode.CODE32) !== 0;
  const mask = code32 ? 0xffffffff : 0xffff;
  let offset = 0;
  while (offset < length) {
    const pc = (eip + offset) & mask;
    const status = decoder.decode(insn, fetch, pc, mode);
    const address = `0x${(pc >>> 0).toString(16).padStart(8, '0')}:  `;
    if (status !== DecodeStatus.Ok) {
      lines.push(
        `${address}${status === DecodeStatus.InvalidOpcode ? '(bad)' : status === DecodeStatus.TooLong ? '(bad: longer than 15 bytes)' : '(fetch fault)'}`,
      );
      break;
    }
    lines.push(`${address}${formatInsn(insn, code32)}`);
    offset += insn.length;
  }
  return lines;
}
