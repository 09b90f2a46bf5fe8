/**
 * The MMX instruction forms (group `mmx`): the original MMX instruction set on MMX registers
 * and 64-bit memory operands, its shifts by register, memory and immediate, MOVD/MOVQ in
 * every direction, and EMMS; plus moves across the data page's end. Each test starts from a
 * random x87 state whose registers hold MMX values (the MMX registers alias the x87
 * significands): the MMX instruction's switch to MMX (TOP = 0, all tags valid, exponent
 * words of written registers 0xFFFF) and a pending x87 exception's #MF are compared too.
 * Nothing is undefined. The SSE and SSE2 additions on MMX registers (PAVGB, PADDQ...) are
 * in their groups.
 */
import type { InstructionForm } from './forms.js';
import {
  type SimdEntry,
  simd,
  simdDigit,
  simdFaultForm,
  simdFixed,
  simdForms,
} from './simd-forms.js';

/** The packed integer instructions of the original MMX, with their opcodes (0F xx). */
export const MMX_ARITHMETIC: readonly [number, string][] = [
  [0x60, 'punpcklbw'],
  [0x61, 'punpcklwd'],
  [0x62, 'punpckldq'],
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
  [0xd5, 'pmullw'],
  [0xd8, 'psubusb'],
  [0xd9, 'psubusw'],
  [0xdb, 'pand'],
  [0xdc, 'paddusb'],
  [0xdd, 'paddusw'],
  [0xdf, 'pandn'],
  [0xe5, 'pmulhw'],
  [0xe8, 'psubsb'],
  [0xe9, 'psubsw'],
  [0xeb, 'por'],
  [0xec, 'paddsb'],
  [0xed, 'paddsw'],
  [0xef, 'pxor'],
  [0xf5, 'pmaddwd'],
  [0xf8, 'psubb'],
  [0xf9, 'psubw'],
  [0xfa, 'psubd'],
  [0xfc, 'paddb'],
  [0xfd, 'paddw'],
  [0xfe, 'paddd'],
];

/** Shifts by a register or memory count (0F xx) and by an immediate (0F 71-73 /digit). */
export const MMX_SHIFTS: readonly [number, string, number, number][] = [
  // [opcode by count, name, immediate opcode, /digit]
  [0xd1, 'psrlw', 0x71, 2],
  [0xd2, 'psrld', 0x72, 2],
  [0xd3, 'psrlq', 0x73, 2],
  [0xe1, 'psraw', 0x71, 4],
  [0xe2, 'psrad', 0x72, 4],
  [0xf1, 'psllw', 0x71, 6],
  [0xf2, 'pslld', 0x72, 6],
  [0xf3, 'psllq', 0x73, 6],
];

const movqLoad = simd('mmx', 'movq', 0, 0x6f, 'mm,mm/m64');
const movqStore = simd('mmx', 'movq', 0, 0x7f, 'mm/m64,mm');

const ENTRIES: readonly SimdEntry[] = [
  // The unpack-lows read 32 bits of a memory operand.
  ...MMX_ARITHMETIC.map(([op, name]) =>
    simd('mmx', name, 0, op, op <= 0x62 ? 'mm,mm/m32' : 'mm,mm/m64'),
  ),
  ...MMX_SHIFTS.map(([op, name]) => simd('mmx', name, 0, op, 'mm,mm/m64', { shiftCount: true })),
  ...MMX_SHIFTS.map(([, name, op, digit]) =>
    simdDigit('mmx', name, 0, op, digit, 'mmreg,imm8', { imm: 'shift' }),
  ),
  simd('mmx', 'movd', 0, 0x6e, 'mm,r/m32'),
  simd('mmx', 'movd', 0, 0x7e, 'r/m32,mm'),
  movqLoad,
  movqStore,
];

export function mmxForms(): InstructionForm[] {
  return [
    ...simdForms(ENTRIES),
    simdFixed('mmx', 'emms', [0x0f, 0x77]),
    simdFaultForm(movqLoad, 'page-end'),
    simdFaultForm(movqStore, 'page-end'),
  ];
}
