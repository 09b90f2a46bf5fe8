/**
 * The i386 opcode maps (one-byte and 0F), in the notation of the Intel
 * manual's Appendix A, parsed once at module load into OpcodeEntry objects.
 *
 *   'Add Eb,Gb L'    operation (an X86Op name), operands, flags
 *
 * Operands: E (ModRM r/m) G (ModRM reg) I (immediate) J (relative branch)
 * M (ModRM memory only) O (moffs) S (segment register from reg) C / D
 * (control / debug register from reg) R (general register from rm, mod
 * ignored) A (far pointer) X / Y (string source / destination) Z (register
 * in the low opcode bits); sizes b w d q v (operand size) z (word or dword
 * by operand size) p (far pointer: offset + selector) a (BOUND's pair);
 * Ibs is a byte sign-extended to the operand size; Evw is a register of the
 * operand size or a word in memory. Fixed operands: AL CL DX eAX One ES CS
 * SS DS FS GS. Flags: L (LOCK allowed when the destination is memory), P
 * (#UD in real and virtual-8086 mode).
 */
import { X86Op } from './insn.js';

/** Operand specifications (see the notation above). */
export enum Spec {
  Eb = 1,
  Ew,
  Ed,
  Ev,
  Evw,
  Gb,
  Gw,
  Gd,
  Gv,
  Ib,
  Ibs,
  Iw,
  Iz,
  Jb,
  Jz,
  Ap,
  M,
  Mb,
  Mw,
  Md,
  Mq,
  Mp,
  Ma,
  Ob,
  Ov,
  Sw,
  Cd,
  Dd,
  Rd,
  AL,
  CL,
  DX,
  eAX,
  Zb,
  Zv,
  One,
  Xb,
  Xv,
  Yb,
  Yv,
  ES,
  CS,
  SS,
  DS,
  FS,
  GS,
  /** XLAT's implicit [eBX + AL] byte. */
  Xlat,
  /** x87: memory, or ST(rm) when mod = 3. */
  Fpu,
  /** SIMD: the ModRM operand, memory or register. */
  Wsimd,
}

export const EntryFlag = {
  MODRM: 1,
  LOCKABLE: 2,
  /** #UD in real mode and virtual-8086 mode. */
  PROTECTED_ONLY: 4,
  /** The operation works on bytes (opSize 1). */
  BYTE_OP: 8,
  /** The operand size (a 66 prefix) changes what the instruction does. */
  SIZE_SENSITIVE: 32,
  /** The address size (a 67 prefix) matters without a ModRM memory operand (strings, XLAT, LOOP). */
  IMPLICIT_ADDRESS: 64,
  /** SIZE_SENSITIVE only when ModRM names a register (MOV r/m16, Sreg and the like). */
  SIZE_SENSITIVE_REG_ONLY: 128,
} as const;

/** Operand specs that depend on the operand size. */
const SIZED_BY_OPSIZE = new Set<Spec>([
  Spec.Ev,
  Spec.Evw,
  Spec.Gv,
  Spec.Iz,
  Spec.Ibs,
  Spec.Jb,
  Spec.Jz,
  Spec.Ap,
  Spec.Mp,
  Spec.Ma,
  Spec.Ov,
  Spec.eAX,
  Spec.Zv,
  Spec.Xv,
  Spec.Yv,
]);

/** Operations whose implicit operands depend on the operand size. */
const IMPLICITLY_SIZED = new Set<X86Op>([
  X86Op.Pusha,
  X86Op.Popa,
  X86Op.Pushf,
  X86Op.Popf,
  X86Op.Iret,
  X86Op.Ret,
  X86Op.RetFar,
  X86Op.Cbw,
  X86Op.Cwd,
  X86Op.Enter,
  X86Op.Leave,
  X86Op.PushSeg,
  X86Op.PopSeg,
  X86Op.Sgdt,
  X86Op.Sidt,
  X86Op.Lgdt,
  X86Op.Lidt,
]);

/** Operations that address memory through eSI/eDI/eBX/eCX without ModRM. */
const IMPLICIT_ADDRESS_OPS = new Set<X86Op>([
  X86Op.Movs,
  X86Op.Cmps,
  X86Op.Stos,
  X86Op.Lods,
  X86Op.Scas,
  X86Op.Ins,
  X86Op.Outs,
  X86Op.Xlat,
  X86Op.Jcxz,
  X86Op.Loop,
  X86Op.Loope,
  X86Op.Loopne,
]);

export interface OpcodeEntry {
  op: X86Op;
  specs: readonly Spec[];
  flags: number;
  /** For group opcodes: the entry per ModRM.reg (memory forms, or all forms). */
  group: readonly OpcodeEntry[] | null;
  /** For groups whose register forms (mod = 3) differ: the entry per ModRM.reg. */
  groupReg: readonly OpcodeEntry[] | null;
  /** The text this entry was parsed from, for error messages and tests. */
  text: string;
}

const MODRM_SPECS = new Set<Spec>([
  Spec.Eb,
  Spec.Ew,
  Spec.Ed,
  Spec.Ev,
  Spec.Evw,
  Spec.Gb,
  Spec.Gw,
  Spec.Gd,
  Spec.Gv,
  Spec.M,
  Spec.Mb,
  Spec.Mw,
  Spec.Md,
  Spec.Mq,
  Spec.Mp,
  Spec.Ma,
  Spec.Sw,
  Spec.Cd,
  Spec.Dd,
  Spec.Rd,
  Spec.Fpu,
  Spec.Wsimd,
]);

/** Specs whose size decides the operation size, byte or not (the first one present wins). */
const SIZED_SPECS: ReadonlyMap<Spec, boolean> = new Map([
  [Spec.Eb, true],
  [Spec.Gb, true],
  [Spec.AL, true],
  [Spec.Zb, true],
  [Spec.Ob, true],
  [Spec.Xb, true],
  [Spec.Yb, true],
  [Spec.Xlat, true],
  [Spec.Ev, false],
  [Spec.Gv, false],
  [Spec.eAX, false],
  [Spec.Zv, false],
  [Spec.Ov, false],
  [Spec.Xv, false],
  [Spec.Yv, false],
]);

export const INVALID: OpcodeEntry = {
  op: X86Op.Invalid,
  specs: [],
  flags: 0,
  group: null,
  groupReg: null,
  text: '(bad)',
};

function parseEntry(text: string): OpcodeEntry {
  if (text === '' || text === '-') return INVALID;
  const [name, operandText = '', flagText = ''] = text.split(' ');
  const op = X86Op[name as keyof typeof X86Op];
  if (op === undefined) throw new Error(`i386 opcode table: unknown operation '${name}'`);
  const specs = operandText
    ? operandText.split(',').map((s) => {
        const spec = Spec[s as keyof typeof Spec];
        if (spec === undefined) throw new Error(`i386 opcode table: unknown operand '${s}'`);
        return spec;
      })
    : [];
  let flags = 0;
  if (specs.some((s) => MODRM_SPECS.has(s))) flags |= EntryFlag.MODRM;
  if (flagText.includes('L')) flags |= EntryFlag.LOCKABLE;
  if (flagText.includes('P')) flags |= EntryFlag.PROTECTED_ONLY;
  if (specs.some((s) => SIZED_BY_OPSIZE.has(s)) || IMPLICITLY_SIZED.has(op))
    flags |= EntryFlag.SIZE_SENSITIVE;
  // Evw alone: the operand size shows only in the register form; memory is always a word.
  if (specs.includes(Spec.Evw) && !specs.some((s) => s !== Spec.Evw && SIZED_BY_OPSIZE.has(s))) {
    flags |= EntryFlag.SIZE_SENSITIVE_REG_ONLY;
  }
  if (IMPLICIT_ADDRESS_OPS.has(op)) flags |= EntryFlag.IMPLICIT_ADDRESS;
  for (const s of specs) {
    const byte = SIZED_SPECS.get(s);
    if (byte !== undefined) {
      if (byte) flags |= EntryFlag.BYTE_OP;
      break;
    }
  }
  return { op, specs, flags, group: null, groupReg: null, text };
}

function group(memForms: string[], regForms?: string[]): OpcodeEntry {
  return {
    op: X86Op.Invalid,
    specs: [],
    flags: EntryFlag.MODRM,
    group: memForms.map(parseEntry),
    groupReg: regForms ? regForms.map(parseEntry) : null,
    text: 'group',
  };
}

const ALU = ['Add', 'Or', 'Adc', 'Sbb', 'And', 'Sub', 'Xor', 'Cmp'];
const lockIf = (name: string) => (name === 'Cmp' ? '' : ' L');

const group1 = (operands: string) => group(ALU.map((n) => `${n} ${operands}${lockIf(n)}`));
const group2 = (operands: string) =>
  group(['Rol', 'Ror', 'Rcl', 'Rcr', 'Shl', 'Shr', 'Sal', 'Sar'].map((n) => `${n} ${operands}`));
const group3 = (e: string, imm: string) =>
  group([
    `Test ${e},${imm}`,
    `Test ${e},${imm}`,
    `Not ${e} L`,
    `Neg ${e} L`,
    `Mul ${e}`,
    `Imul1 ${e}`,
    `Div ${e}`,
    `Idiv ${e}`,
  ]);

function buildOneByteMap(): OpcodeEntry[] {
  const map: (OpcodeEntry | string)[] = new Array(256).fill('');
  ALU.forEach((name, n) => {
    const base = n * 8;
    const lock = lockIf(name);
    map[base] = `${name} Eb,Gb${lock}`;
    map[base + 1] = `${name} Ev,Gv${lock}`;
    map[base + 2] = `${name} Gb,Eb`;
    map[base + 3] = `${name} Gv,Ev`;
    map[base + 4] = `${name} AL,Ib`;
    map[base + 5] = `${name} eAX,Iz`;
  });
  Object.assign(map, {
    6: 'PushSeg ES',
    7: 'PopSeg ES',
    14: 'PushSeg CS',
    22: 'PushSeg SS',
    23: 'PopSeg SS',
    30: 'PushSeg DS',
    31: 'PopSeg DS',
    39: 'Daa',
    47: 'Das',
    55: 'Aaa',
    63: 'Aas',
    96: 'Pusha',
    97: 'Popa',
    98: 'Bound Gv,Ma',
    99: 'Arpl Ew,Gw P',
    104: 'Push Iz',
    105: 'Imul Gv,Ev,Iz',
    106: 'Push Ibs',
    107: 'Imul Gv,Ev,Ibs',
    108: 'Ins Yb,DX',
    109: 'Ins Yv,DX',
    110: 'Outs DX,Xb',
    111: 'Outs DX,Xv',
    128: group1('Eb,Ib'),
    129: group1('Ev,Iz'),
    130: group1('Eb,Ib'),
    131: group1('Ev,Ibs'),
    132: 'Test Eb,Gb',
    133: 'Test Ev,Gv',
    134: 'Xchg Eb,Gb L',
    135: 'Xchg Ev,Gv L',
    136: 'Mov Eb,Gb',
    137: 'Mov Ev,Gv',
    138: 'Mov Gb,Eb',
    139: 'Mov Gv,Ev',
    140: 'MovFromSeg Evw,Sw',
    141: 'Lea Gv,M',
    142: 'MovToSeg Sw,Evw',
    143: group(['Pop Ev', '-', '-', '-', '-', '-', '-', '-']),
    144: 'Nop',
    152: 'Cbw',
    153: 'Cwd',
    154: 'CallFar Ap',
    155: 'Wait',
    156: 'Pushf',
    157: 'Popf',
    158: 'Sahf',
    159: 'Lahf',
    160: 'Mov AL,Ob',
    161: 'Mov eAX,Ov',
    162: 'Mov Ob,AL',
    163: 'Mov Ov,eAX',
    164: 'Movs Yb,Xb',
    165: 'Movs Yv,Xv',
    166: 'Cmps Xb,Yb',
    167: 'Cmps Xv,Yv',
    168: 'Test AL,Ib',
    169: 'Test eAX,Iz',
    170: 'Stos Yb,AL',
    171: 'Stos Yv,eAX',
    172: 'Lods AL,Xb',
    173: 'Lods eAX,Xv',
    174: 'Scas AL,Yb',
    175: 'Scas eAX,Yv',
    192: group2('Eb,Ib'),
    193: group2('Ev,Ib'),
    194: 'Ret Iw',
    195: 'Ret',
    196: 'Les Gv,Mp',
    197: 'Lds Gv,Mp',
    198: group(['Mov Eb,Ib', '-', '-', '-', '-', '-', '-', '-']),
    199: group(['Mov Ev,Iz', '-', '-', '-', '-', '-', '-', '-']),
    200: 'Enter Iw,Ib',
    201: 'Leave',
    202: 'RetFar Iw',
    203: 'RetFar',
    204: 'Int3',
    205: 'Int Ib',
    206: 'Into',
    207: 'Iret',
    208: group2('Eb,One'),
    209: group2('Ev,One'),
    210: group2('Eb,CL'),
    211: group2('Ev,CL'),
    212: 'Aam Ib',
    213: 'Aad Ib',
    214: 'Salc',
    215: 'Xlat Xlat',
    224: 'Loopne Jb',
    225: 'Loope Jb',
    226: 'Loop Jb',
    227: 'Jcxz Jb',
    228: 'In AL,Ib',
    229: 'In eAX,Ib',
    230: 'Out Ib,AL',
    231: 'Out Ib,eAX',
    232: 'Call Jz',
    233: 'Jmp Jz',
    234: 'JmpFar Ap',
    235: 'Jmp Jb',
    236: 'In AL,DX',
    237: 'In eAX,DX',
    238: 'Out DX,AL',
    239: 'Out DX,eAX',
    241: 'Int1',
    244: 'Hlt',
    245: 'Cmc',
    246: group3('Eb', 'Ib'),
    247: group3('Ev', 'Iz'),
    248: 'Clc',
    249: 'Stc',
    250: 'Cli',
    251: 'Sti',
    252: 'Cld',
    253: 'Std',
    254: group(['Inc Eb L', 'Dec Eb L', '-', '-', '-', '-', '-', '-']),
    255: group([
      'Inc Ev L',
      'Dec Ev L',
      'CallIndirect Ev',
      'CallFarIndirect Mp',
      'JmpIndirect Ev',
      'JmpFarIndirect Mp',
      'Push Ev',
      '-',
    ]),
  });
  for (let r = 0; r < 8; r++) {
    map[0x40 + r] = 'Inc Zv';
    map[0x48 + r] = 'Dec Zv';
    map[0x50 + r] = 'Push Zv';
    map[0x58 + r] = 'Pop Zv';
    map[0xb0 + r] = 'Mov Zb,Ib';
    map[0xb8 + r] = 'Mov Zv,Iz';
    map[0xd8 + r] = 'X87 Fpu';
    if (r > 0) map[0x90 + r] = 'Xchg Zv,eAX';
  }
  for (let cc = 0; cc < 16; cc++) map[0x70 + cc] = 'Jcc Jb';
  return map.map((e) => (typeof e === 'string' ? parseEntry(e) : e));
}

/** MMX/SSE/SSE2 opcodes of the 0F map (all take ModRM but EMMS); simd.ts says which forms exist. */
const SIMD_OPCODES: number[] = [
  ...range(0x10, 0x17),
  ...range(0x28, 0x2f),
  ...range(0x50, 0x76),
  0x7e,
  0x7f,
  ...range(0xc2, 0xc6),
  ...range(0xd1, 0xef),
  ...range(0xf1, 0xfe),
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function buildTwoByteMap(): OpcodeEntry[] {
  const map: (OpcodeEntry | string)[] = new Array(256).fill('');
  for (const o of SIMD_OPCODES) map[o] = 'Simd Wsimd';
  Object.assign(map, {
    0: group([
      'Sldt Evw P',
      'Str Evw P',
      'Lldt Ew P',
      'Ltr Ew P',
      'Verr Ew P',
      'Verw Ew P',
      '-',
      '-',
    ]),
    1: group(
      ['Sgdt M', 'Sidt M', 'Lgdt M', 'Lidt M', 'Smsw Evw', '-', 'Lmsw Ew', 'Invlpg Mb'],
      ['-', '-', '-', '-', 'Smsw Evw', '-', 'Lmsw Ew', '-'],
    ),
    2: 'Lar Gv,Evw P',
    3: 'Lsl Gv,Evw P',
    6: 'Clts',
    8: 'Invd',
    9: 'Wbinvd',
    11: 'Ud',
    // 0F 0D: the 3DNow! prefetch hint, a NOP on memory (as QEMU decodes it).
    13: 'Nop Mb',
    // 0F 18-1F: hint NOPs (0F 18 /0-/3 are the SSE prefetches).
    24: 'Nop Ev',
    25: 'Nop Ev',
    26: 'Nop Ev',
    27: 'Nop Ev',
    28: 'Nop Ev',
    29: 'Nop Ev',
    30: 'Nop Ev',
    31: 'Nop Ev',
    32: 'MovFromCr Rd,Cd',
    33: 'MovFromDr Rd,Dd',
    34: 'MovToCr Cd,Rd',
    35: 'MovToDr Dd,Rd',
    48: 'Wrmsr',
    49: 'Rdtsc',
    50: 'Rdmsr',
    51: 'Rdpmc',
    52: 'Sysenter',
    53: 'Sysexit',
    119: 'Simd',
    160: 'PushSeg FS',
    161: 'PopSeg FS',
    162: 'Cpuid',
    163: 'Bt Ev,Gv',
    164: 'Shld Ev,Gv,Ib',
    165: 'Shld Ev,Gv,CL',
    168: 'PushSeg GS',
    169: 'PopSeg GS',
    170: 'Rsm',
    171: 'Bts Ev,Gv L',
    172: 'Shrd Ev,Gv,Ib',
    173: 'Shrd Ev,Gv,CL',
    // 0F AE: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, CLFLUSH (memory); LFENCE, MFENCE, SFENCE (registers).
    174: group(
      ['Simd Wsimd', 'Simd Wsimd', 'Simd Wsimd', 'Simd Wsimd', '-', '-', '-', 'Simd Wsimd'],
      ['-', '-', '-', '-', '-', 'Simd Wsimd', 'Simd Wsimd', 'Simd Wsimd'],
    ),
    175: 'Imul Gv,Ev',
    176: 'Cmpxchg Eb,Gb L',
    177: 'Cmpxchg Ev,Gv L',
    178: 'Lss Gv,Mp',
    179: 'Btr Ev,Gv L',
    180: 'Lfs Gv,Mp',
    181: 'Lgs Gv,Mp',
    182: 'Movzx Gv,Eb',
    183: 'Movzx Gv,Ew',
    185: 'Ud Gv,Ev',
    186: group(['-', '-', '-', '-', 'Bt Ev,Ib', 'Bts Ev,Ib L', 'Btr Ev,Ib L', 'Btc Ev,Ib L']),
    187: 'Btc Ev,Gv L',
    188: 'Bsf Gv,Ev',
    189: 'Bsr Gv,Ev',
    190: 'Movsx Gv,Eb',
    191: 'Movsx Gv,Ew',
    192: 'Xadd Eb,Gb L',
    193: 'Xadd Ev,Gv L',
    199: group(
      ['-', 'Cmpxchg8b Mq L', '-', '-', '-', '-', '-', '-'],
      ['-', '-', '-', '-', '-', '-', '-', '-'],
    ),
    255: 'Ud Gv,Ev',
  });
  for (let cc = 0; cc < 16; cc++) {
    map[0x40 + cc] = 'Cmovcc Gv,Ev';
    map[0x80 + cc] = 'Jcc Jz';
    map[0x90 + cc] = 'Setcc Eb';
  }
  for (let r = 0; r < 8; r++) map[0xc8 + r] = 'Bswap Zv';
  return map.map((e) => (typeof e === 'string' ? parseEntry(e) : e));
}

/** Indexed by opcode: 0x00-0xff one-byte, 0x100-0x1ff the 0F map. Built once; never mutated. */
export const OPCODE_MAP: readonly OpcodeEntry[] = [...buildOneByteMap(), ...buildTwoByteMap()];
