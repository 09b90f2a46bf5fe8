/**
 * The SSE2 instruction forms (group `sse2`): double-precision arithmetic, compares, logic,
 * moves and shuffles (packed and scalar); every conversion between single, double, packed
 * dword and general-register integers; the 128-bit integer instructions (the MMX set and
 * SSE's additions on XMM registers, PADDQ/PSUBQ/PMULUDQ on MMX and XMM, the byte shifts,
 * PSHUFD/PSHUFHW/PSHUFLW, PUNPCKLQDQ/PUNPCKHQDQ); MOVD/MOVQ/MOVDQA/MOVDQU, MOVQ2DQ and
 * MOVDQ2Q, the streaming stores, MASKMOVDQU, LFENCE, MFENCE and CLFLUSH. Random states as
 * for SSE (MXCSR modes and unmasked exceptions: #XM), double-precision and integer edge
 * values; fault variants for misaligned and page-crossing operands. Nothing is undefined.
 */

import type { InstructionForm } from './forms.js';
import { MMX_ARITHMETIC, MMX_SHIFTS } from './forms-mmx.js';
import {
  type SimdEntry,
  simd,
  simdDigit,
  simdFaultForm,
  simdFixed,
  simdForms,
} from './simd-forms.js';

/** Packed (66) and scalar (F2) double-precision arithmetic. */
const ARITHMETIC: readonly [number, string][] = [
  [0x51, 'sqrt'],
  [0x58, 'add'],
  [0x59, 'mul'],
  [0x5c, 'sub'],
  [0x5d, 'min'],
  [0x5e, 'div'],
  [0x5f, 'max'],
];
const LOGIC: readonly [number, string][] = [
  [0x54, 'andpd'],
  [0x55, 'andnpd'],
  [0x56, 'orpd'],
  [0x57, 'xorpd'],
];
/** Integer instructions on XMM registers beyond MMX's set (66 0F xx). */
const XMM_INTEGER: readonly [number, string][] = [
  [0x6c, 'punpcklqdq'],
  [0x6d, 'punpckhqdq'],
  [0xd4, 'paddq'],
  [0xda, 'pminub'],
  [0xde, 'pmaxub'],
  [0xe0, 'pavgb'],
  [0xe3, 'pavgw'],
  [0xe4, 'pmulhuw'],
  [0xea, 'pminsw'],
  [0xee, 'pmaxsw'],
  [0xf4, 'pmuludq'],
  [0xf6, 'psadbw'],
  [0xfb, 'psubq'],
];
/** SSE2's additions on MMX registers. */
const MMX_ADDITIONS: readonly [number, string][] = [
  [0xd4, 'paddq'],
  [0xf4, 'pmuludq'],
  [0xfb, 'psubq'],
];

const f64 = { lanes: 'f64' } as const;
const movapd = simd('sse2', 'movapd', 0x66, 0x28, 'xmm,xmm/m128', f64);
const movapdStore = simd('sse2', 'movapd', 0x66, 0x29, 'xmm/m128,xmm', f64);
const movdqa = simd('sse2', 'movdqa', 0x66, 0x6f, 'xmm,xmm/m128');
const movdqu = simd('sse2', 'movdqu', 0xf3, 0x6f, 'xmm,xmm/m128', { unaligned: true });
const movdquStore = simd('sse2', 'movdqu', 0xf3, 0x7f, 'xmm/m128,xmm', { unaligned: true });
const movqStore = simd('sse2', 'movq', 0x66, 0xd6, 'xmm/m64,xmm');
const paddb = simd('sse2', 'paddb', 0x66, 0xfc, 'xmm,xmm/m128');
const mulpd = simd('sse2', 'mulpd', 0x66, 0x59, 'xmm,xmm/m128', f64);

const ENTRIES: readonly SimdEntry[] = [
  ...ARITHMETIC.flatMap(([op, name]) => [
    name === 'mul' ? mulpd : simd('sse2', `${name}pd`, 0x66, op, 'xmm,xmm/m128', f64),
    simd('sse2', `${name}sd`, 0xf2, op, 'xmm,xmm/m64', f64),
  ]),
  ...LOGIC.map(([op, name]) => simd('sse2', name, 0x66, op, 'xmm,xmm/m128', f64)),
  simd('sse2', 'cmppd', 0x66, 0xc2, 'xmm,xmm/m128,imm8', { ...f64, imm: 'predicate' }),
  simd('sse2', 'cmpsd', 0xf2, 0xc2, 'xmm,xmm/m64,imm8', { ...f64, imm: 'predicate' }),
  simd('sse2', 'comisd', 0x66, 0x2f, 'xmm,xmm/m64', f64),
  simd('sse2', 'ucomisd', 0x66, 0x2e, 'xmm,xmm/m64', f64),
  movapd,
  movapdStore,
  simd('sse2', 'movupd', 0x66, 0x10, 'xmm,xmm/m128', { ...f64, unaligned: true }),
  simd('sse2', 'movupd', 0x66, 0x11, 'xmm/m128,xmm', { ...f64, unaligned: true }),
  simd('sse2', 'movsd', 0xf2, 0x10, 'xmm,xmm/m64', f64),
  simd('sse2', 'movsd', 0xf2, 0x11, 'xmm/m64,xmm', f64),
  simd('sse2', 'movlpd', 0x66, 0x12, 'xmm,m64', f64),
  simd('sse2', 'movlpd', 0x66, 0x13, 'm64,xmm', f64),
  simd('sse2', 'movhpd', 0x66, 0x16, 'xmm,m64', f64),
  simd('sse2', 'movhpd', 0x66, 0x17, 'm64,xmm', f64),
  simd('sse2', 'unpcklpd', 0x66, 0x14, 'xmm,xmm/m128', f64),
  simd('sse2', 'unpckhpd', 0x66, 0x15, 'xmm,xmm/m128', f64),
  simd('sse2', 'shufpd', 0x66, 0xc6, 'xmm,xmm/m128,imm8', f64),
  simd('sse2', 'movmskpd', 0x66, 0x50, 'r32,xmmreg', f64),
  // Conversions.
  simd('sse2', 'cvtpi2pd', 0x66, 0x2a, 'xmm,mm/m64', { ...f64, source: 'int' }),
  simd('sse2', 'cvtpd2pi', 0x66, 0x2d, 'mm,xmm/m128', f64),
  simd('sse2', 'cvttpd2pi', 0x66, 0x2c, 'mm,xmm/m128', f64),
  simd('sse2', 'cvtsi2sd', 0xf2, 0x2a, 'xmm,r/m32', f64),
  simd('sse2', 'cvtsd2si', 0xf2, 0x2d, 'r32,xmm/m64', f64),
  simd('sse2', 'cvttsd2si', 0xf2, 0x2c, 'r32,xmm/m64', f64),
  simd('sse2', 'cvtps2pd', 0, 0x5a, 'xmm,xmm/m64', { lanes: 'f32' }),
  simd('sse2', 'cvtpd2ps', 0x66, 0x5a, 'xmm,xmm/m128', f64),
  simd('sse2', 'cvtss2sd', 0xf3, 0x5a, 'xmm,xmm/m32', { lanes: 'f32' }),
  simd('sse2', 'cvtsd2ss', 0xf2, 0x5a, 'xmm,xmm/m64', f64),
  simd('sse2', 'cvtdq2ps', 0, 0x5b, 'xmm,xmm/m128', { lanes: 'f32', source: 'int' }),
  simd('sse2', 'cvtps2dq', 0x66, 0x5b, 'xmm,xmm/m128', { lanes: 'f32' }),
  simd('sse2', 'cvttps2dq', 0xf3, 0x5b, 'xmm,xmm/m128', { lanes: 'f32' }),
  simd('sse2', 'cvtdq2pd', 0xf3, 0xe6, 'xmm,xmm/m64', { ...f64, source: 'int' }),
  simd('sse2', 'cvtpd2dq', 0xf2, 0xe6, 'xmm,xmm/m128', f64),
  simd('sse2', 'cvttpd2dq', 0x66, 0xe6, 'xmm,xmm/m128', f64),
  // 128-bit integer instructions.
  ...MMX_ARITHMETIC.map(([op, name]) =>
    op === 0xfc ? paddb : simd('sse2', name, 0x66, op, 'xmm,xmm/m128'),
  ),
  ...XMM_INTEGER.map(([op, name]) => simd('sse2', name, 0x66, op, 'xmm,xmm/m128')),
  ...MMX_ADDITIONS.map(([op, name]) => simd('sse2', name, 0, op, 'mm,mm/m64')),
  ...MMX_SHIFTS.map(([op, name]) =>
    simd('sse2', name, 0x66, op, 'xmm,xmm/m128', { shiftCount: true }),
  ),
  ...MMX_SHIFTS.map(([, name, op, digit]) =>
    simdDigit('sse2', name, 0x66, op, digit, 'xmmreg,imm8', { imm: 'shift' }),
  ),
  simdDigit('sse2', 'psrldq', 0x66, 0x73, 3, 'xmmreg,imm8', { imm: 'shift' }),
  simdDigit('sse2', 'pslldq', 0x66, 0x73, 7, 'xmmreg,imm8', { imm: 'shift' }),
  simd('sse2', 'pshufd', 0x66, 0x70, 'xmm,xmm/m128,imm8'),
  simd('sse2', 'pshufhw', 0xf3, 0x70, 'xmm,xmm/m128,imm8'),
  simd('sse2', 'pshuflw', 0xf2, 0x70, 'xmm,xmm/m128,imm8'),
  simd('sse2', 'pinsrw', 0x66, 0xc4, 'xmm,r32/m16,imm8'),
  simd('sse2', 'pextrw', 0x66, 0xc5, 'r32,xmmreg,imm8'),
  simd('sse2', 'pmovmskb', 0x66, 0xd7, 'r32,xmmreg'),
  // Moves.
  simd('sse2', 'movd', 0x66, 0x6e, 'xmm,r/m32'),
  simd('sse2', 'movd', 0x66, 0x7e, 'r/m32,xmm'),
  simd('sse2', 'movq', 0xf3, 0x7e, 'xmm,xmm/m64'),
  movqStore,
  movdqa,
  simd('sse2', 'movdqa', 0x66, 0x7f, 'xmm/m128,xmm'),
  movdqu,
  movdquStore,
  simd('sse2', 'movq2dq', 0xf3, 0xd6, 'xmm,mmreg'),
  simd('sse2', 'movdq2q', 0xf2, 0xd6, 'mm,xmmreg'),
  simd('sse2', 'maskmovdqu', 0x66, 0xf7, 'xmm,xmmreg', { edi: true }),
  simd('sse2', 'movntpd', 0x66, 0x2b, 'm128,xmm', f64),
  simd('sse2', 'movntdq', 0x66, 0xe7, 'm128,xmm'),
  simd('sse2', 'movnti', 0, 0xc3, 'm32,r32'),
  simdDigit('sse2', 'clflush', 0, 0xae, 7, 'm8'),
];

export function sse2Forms(): InstructionForm[] {
  return [
    ...simdForms(ENTRIES),
    simdFixed('sse2', 'lfence', [0x0f, 0xae, 0xe8]),
    simdFixed('sse2', 'mfence', [0x0f, 0xae, 0xf0]),
    simdFaultForm(movdqa, 'misaligned'),
    simdFaultForm(movapdStore, 'misaligned'),
    simdFaultForm(paddb, 'misaligned'),
    simdFaultForm(mulpd, 'misaligned'),
    simdFaultForm(movdqu, 'page-end'),
    simdFaultForm(movdquStore, 'page-end'),
    simdFaultForm(movqStore, 'page-end'),
  ];
}
