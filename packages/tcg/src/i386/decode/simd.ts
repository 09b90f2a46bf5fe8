/**
 * The MMX, SSE and SSE2 instructions of the 0F map: which (opcode,
 * mandatory prefix, ModRM) combinations exist, their names and operands.
 * The decoder uses it to reject undefined combinations with #UD and to fill
 * the operands; the disassembler prints the names.
 *
 *   '0f58 f3 addss V,Wd'     opcode[/reg] prefix name operands
 *
 * X86Prefix: -- (none), 66, f3, f2. Operands: P / V (MMX / XMM register in
 * ModRM.reg), Q / W (MMX / XMM register or memory in rm), N / U (MMX / XMM
 * register in rm; no memory), G (general register in reg), E (general
 * register or memory in rm), R (general register in rm), M (memory only),
 * I (imm8). A size letter after Q W E M gives the memory size: b w d q x
 * (1 2 4 8 16 bytes); W defaults to 16, Q to 8, E to 4.
 */
import { X86OperandKind } from './insn.js';

export interface SimdOperand {
  letter: string;
  /** Memory size in bytes (0 for memory without a size, like FXSAVE's). */
  memSize: number;
}

export interface SimdForm {
  name: string;
  operands: readonly SimdOperand[];
  /** 'mem' when the rm operand must be memory, 'reg' when it must be a register, '' when either. */
  rmKind: 'mem' | 'reg' | '';
}

const ALU_MMX_SSE2: [number, string][] = [
  [0x63, 'packsswb'],
  [0x64, 'pcmpgtb'],
  [0x65, 'pcmpgtw'],
  [0x66, 'pcmpgtd'],
  [0x67, 'packuswb'],
  [0x68, 'punpckhbw'],
  [0x69, 'punpckhwd'],
  [0x6a, 'punpckhdq'],
  [0x6b, 'packssdw'],
  [0x74, 'pcmpeqb'],
  [0x75, 'pcmpeqw'],
  [0x76, 'pcmpeqd'],
  [0xd1, 'psrlw'],
  [0xd2, 'psrld'],
  [0xd3, 'psrlq'],
  [0xd4, 'paddq'],
  [0xd5, 'pmullw'],
  [0xd8, 'psubusb'],
  [0xd9, 'psubusw'],
  [0xda, 'pminub'],
  [0xdb, 'pand'],
  [0xdc, 'paddusb'],
  [0xdd, 'paddusw'],
  [0xde, 'pmaxub'],
  [0xdf, 'pandn'],
  [0xe0, 'pavgb'],
  [0xe1, 'psraw'],
  [0xe2, 'psrad'],
  [0xe3, 'pavgw'],
  [0xe4, 'pmulhuw'],
  [0xe5, 'pmulhw'],
  [0xe8, 'psubsb'],
  [0xe9, 'psubsw'],
  [0xea, 'pminsw'],
  [0xeb, 'por'],
  [0xec, 'paddsb'],
  [0xed, 'paddsw'],
  [0xee, 'pmaxsw'],
  [0xef, 'pxor'],
  [0xf1, 'psllw'],
  [0xf2, 'pslld'],
  [0xf3, 'psllq'],
  [0xf4, 'pmuludq'],
  [0xf5, 'pmaddwd'],
  [0xf6, 'psadbw'],
  [0xf8, 'psubb'],
  [0xf9, 'psubw'],
  [0xfa, 'psubd'],
  [0xfb, 'psubq'],
  [0xfc, 'paddb'],
  [0xfd, 'paddw'],
  [0xfe, 'paddd'],
];

/** Packed/scalar arithmetic: ps (none), pd (66), ss (f3), sd (f2). */
const ARITH: [number, string, boolean][] = [
  [0x51, 'sqrt', true],
  [0x58, 'add', true],
  [0x59, 'mul', true],
  [0x5c, 'sub', true],
  [0x5d, 'min', true],
  [0x5e, 'div', true],
  [0x5f, 'max', true],
  [0x54, 'and', false],
  [0x55, 'andn', false],
  [0x56, 'or', false],
  [0x57, 'xor', false],
  [0x14, 'unpckl', false],
  [0x15, 'unpckh', false],
];

const hex = (n: number) => n.toString(16).padStart(2, '0');

function tableLines(): string[] {
  const lines = [
    '0f10 -- movups V,W',
    '0f10 66 movupd V,W',
    '0f10 f3 movss V,Wd',
    '0f10 f2 movsd V,Wq',
    '0f11 -- movups W,V',
    '0f11 66 movupd W,V',
    '0f11 f3 movss Wd,V',
    '0f11 f2 movsd Wq,V',
    '0f12 -- movlps V,Mq',
    '0f12 -- movhlps V,U',
    '0f12 66 movlpd V,Mq',
    '0f13 -- movlps Mq,V',
    '0f13 66 movlpd Mq,V',
    '0f16 -- movhps V,Mq',
    '0f16 -- movlhps V,U',
    '0f16 66 movhpd V,Mq',
    '0f17 -- movhps Mq,V',
    '0f17 66 movhpd Mq,V',
    '0f28 -- movaps V,W',
    '0f28 66 movapd V,W',
    '0f29 -- movaps W,V',
    '0f29 66 movapd W,V',
    '0f2a -- cvtpi2ps V,Q',
    '0f2a 66 cvtpi2pd V,Q',
    '0f2a f3 cvtsi2ss V,E',
    '0f2a f2 cvtsi2sd V,E',
    '0f2b -- movntps Mx,V',
    '0f2b 66 movntpd Mx,V',
    '0f2c -- cvttps2pi P,Wq',
    '0f2c 66 cvttpd2pi P,W',
    '0f2c f3 cvttss2si G,Wd',
    '0f2c f2 cvttsd2si G,Wq',
    '0f2d -- cvtps2pi P,Wq',
    '0f2d 66 cvtpd2pi P,W',
    '0f2d f3 cvtss2si G,Wd',
    '0f2d f2 cvtsd2si G,Wq',
    '0f2e -- ucomiss V,Wd',
    '0f2e 66 ucomisd V,Wq',
    '0f2f -- comiss V,Wd',
    '0f2f 66 comisd V,Wq',
    '0f50 -- movmskps G,U',
    '0f50 66 movmskpd G,U',
    '0f52 -- rsqrtps V,W',
    '0f52 f3 rsqrtss V,Wd',
    '0f53 -- rcpps V,W',
    '0f53 f3 rcpss V,Wd',
    '0f5a -- cvtps2pd V,Wq',
    '0f5a 66 cvtpd2ps V,W',
    '0f5a f3 cvtss2sd V,Wd',
    '0f5a f2 cvtsd2ss V,Wq',
    '0f5b -- cvtdq2ps V,W',
    '0f5b 66 cvtps2dq V,W',
    '0f5b f3 cvttps2dq V,W',
    '0f60 -- punpcklbw P,Qd',
    '0f60 66 punpcklbw V,W',
    '0f61 -- punpcklwd P,Qd',
    '0f61 66 punpcklwd V,W',
    '0f62 -- punpckldq P,Qd',
    '0f62 66 punpckldq V,W',
    '0f6c 66 punpcklqdq V,W',
    '0f6d 66 punpckhqdq V,W',
    '0f6e -- movd P,E',
    '0f6e 66 movd V,E',
    '0f6f -- movq P,Q',
    '0f6f 66 movdqa V,W',
    '0f6f f3 movdqu V,W',
    '0f70 -- pshufw P,Q,I',
    '0f70 66 pshufd V,W,I',
    '0f70 f3 pshufhw V,W,I',
    '0f70 f2 pshuflw V,W,I',
    '0f71/2 -- psrlw N,I',
    '0f71/2 66 psrlw U,I',
    '0f71/4 -- psraw N,I',
    '0f71/4 66 psraw U,I',
    '0f71/6 -- psllw N,I',
    '0f71/6 66 psllw U,I',
    '0f72/2 -- psrld N,I',
    '0f72/2 66 psrld U,I',
    '0f72/4 -- psrad N,I',
    '0f72/4 66 psrad U,I',
    '0f72/6 -- pslld N,I',
    '0f72/6 66 pslld U,I',
    '0f73/2 -- psrlq N,I',
    '0f73/2 66 psrlq U,I',
    '0f73/3 66 psrldq U,I',
    '0f73/6 -- psllq N,I',
    '0f73/6 66 psllq U,I',
    '0f73/7 66 pslldq U,I',
    '0f77 -- emms',
    '0f7e -- movd E,P',
    '0f7e 66 movd E,V',
    '0f7e f3 movq V,Wq',
    '0f7f -- movq Q,P',
    '0f7f 66 movdqa W,V',
    '0f7f f3 movdqu W,V',
    '0fae/0 -- fxsave M',
    '0fae/1 -- fxrstor M',
    '0fae/2 -- ldmxcsr Md',
    '0fae/3 -- stmxcsr Md',
    '0fae/5 -- lfence',
    '0fae/6 -- mfence',
    '0fae/7 -- sfence',
    '0fae/7 -- clflush Mb',
    '0fc2 -- cmpps V,W,I',
    '0fc2 66 cmppd V,W,I',
    '0fc2 f3 cmpss V,Wd,I',
    '0fc2 f2 cmpsd V,Wq,I',
    '0fc3 -- movnti Md,G',
    '0fc4 -- pinsrw P,Ew,I',
    '0fc4 66 pinsrw V,Ew,I',
    '0fc5 -- pextrw G,N,I',
    '0fc5 66 pextrw G,U,I',
    '0fc6 -- shufps V,W,I',
    '0fc6 66 shufpd V,W,I',
    '0fd6 66 movq Wq,V',
    '0fd6 f3 movq2dq V,N',
    '0fd6 f2 movdq2q P,U',
    '0fd7 -- pmovmskb G,N',
    '0fd7 66 pmovmskb G,U',
    '0fe6 66 cvttpd2dq V,W',
    '0fe6 f3 cvtdq2pd V,Wq',
    '0fe6 f2 cvtpd2dq V,W',
    '0fe7 -- movntq Mq,P',
    '0fe7 66 movntdq Mx,V',
    '0ff7 -- maskmovq P,N',
    '0ff7 66 maskmovdqu V,U',
  ];
  for (const [op, name] of ALU_MMX_SSE2) {
    lines.push(`0f${hex(op)} -- ${name} P,Q`, `0f${hex(op)} 66 ${name} V,W`);
  }
  for (const [op, name, scalar] of ARITH) {
    lines.push(`0f${hex(op)} -- ${name}ps V,W`, `0f${hex(op)} 66 ${name}pd V,W`);
    if (scalar) lines.push(`0f${hex(op)} f3 ${name}ss V,Wd`, `0f${hex(op)} f2 ${name}sd V,Wq`);
  }
  return lines;
}

const PREFIXES: Record<string, number> = { '--': 0, '66': 0x66, f3: 0xf3, f2: 0xf2 };
const DEFAULT_SIZE: Record<string, number> = { W: 16, Q: 8, E: 4, M: 0 };
const SIZE_LETTER: Record<string, number> = { b: 1, w: 2, d: 4, q: 8, x: 16 };
const RM_LETTERS = 'QWENUMR';

function key(opcode: number, prefix: number, reg: number): number {
  return (opcode << 12) | (prefix << 4) | (reg + 1);
}

/** Forms by (opcode, prefix, ModRM.reg or -1). Built once; never mutated. */
const SIMD_FORMS: ReadonlyMap<number, readonly SimdForm[]> = (() => {
  const map = new Map<number, SimdForm[]>();
  for (const line of tableLines()) {
    const [opText, prefixText, name, operandText = ''] = line.split(' ');
    const [opcodeHex, regText] = opText.split('/');
    const opcode = 0x100 | Number.parseInt(opcodeHex.slice(2), 16);
    const operands = operandText
      ? operandText.split(',').map((o) => ({
          letter: o[0],
          memSize: o.length > 1 ? SIZE_LETTER[o[1]] : (DEFAULT_SIZE[o[0]] ?? 0),
        }))
      : [];
    const rm = operands.find((o) => RM_LETTERS.includes(o.letter));
    const rmKind = !rm
      ? regText !== undefined && operands.length === 0
        ? 'reg'
        : ''
      : 'NUR'.includes(rm.letter)
        ? 'reg'
        : rm.letter === 'M'
          ? 'mem'
          : '';
    const k = key(opcode, PREFIXES[prefixText], regText === undefined ? -1 : Number(regText));
    const list = map.get(k) ?? [];
    list.push({ name, operands, rmKind });
    map.set(k, list);
  }
  return map;
})();

/** The SIMD form for an opcode (0x1xx), mandatory prefix and ModRM byte (-1 if none), or null (#UD). */
export function lookupSimd(opcode: number, prefix: number, modrm: number): SimdForm | null {
  const reg = modrm >= 0 ? (modrm >> 3) & 7 : -1;
  const forms = SIMD_FORMS.get(key(opcode, prefix, reg)) ?? SIMD_FORMS.get(key(opcode, prefix, -1));
  if (!forms) return null;
  const isReg = modrm >= 0xc0;
  for (const f of forms) {
    if (f.rmKind === '' || (f.rmKind === 'reg') === isReg) return f;
  }
  return null;
}

/** The operand kind a SIMD operand letter decodes to (memory is decided by mod). */
export function simdRegisterKind(letter: string): X86OperandKind {
  switch (letter) {
    case 'P':
    case 'Q':
    case 'N':
      return X86OperandKind.MmxReg;
    case 'V':
    case 'W':
    case 'U':
      return X86OperandKind.XmmReg;
    default:
      return X86OperandKind.Reg;
  }
}
