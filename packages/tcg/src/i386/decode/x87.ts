/**
 * The x87 instructions (escape opcodes D8-DF): which ModRM forms exist, their
 * names (objdump's spelling, as in the Intel manual) and memory sizes. The
 * decoder rejects the forms that are not here with #UD; the undocumented
 * aliases a P6 executes (fstp1, fxch4, fcom2 ...) are kept, FISTTP (SSE3) is
 * not.
 */

/** Memory forms, by opcode (D8-DF) and ModRM.reg: name and memory size in bytes. */
const MEMORY_FORMS: [string, number][][] = [
  [
    ['fadd', 4],
    ['fmul', 4],
    ['fcom', 4],
    ['fcomp', 4],
    ['fsub', 4],
    ['fsubr', 4],
    ['fdiv', 4],
    ['fdivr', 4],
  ],
  [
    ['fld', 4],
    ['(bad)', 0],
    ['fst', 4],
    ['fstp', 4],
    ['fldenv', 0],
    ['fldcw', 2],
    ['fnstenv', 0],
    ['fnstcw', 2],
  ],
  [
    ['fiadd', 4],
    ['fimul', 4],
    ['ficom', 4],
    ['ficomp', 4],
    ['fisub', 4],
    ['fisubr', 4],
    ['fidiv', 4],
    ['fidivr', 4],
  ],
  [
    ['fild', 4],
    ['(bad)', 0],
    ['fist', 4],
    ['fistp', 4],
    ['(bad)', 0],
    ['fld', 10],
    ['(bad)', 0],
    ['fstp', 10],
  ],
  [
    ['fadd', 8],
    ['fmul', 8],
    ['fcom', 8],
    ['fcomp', 8],
    ['fsub', 8],
    ['fsubr', 8],
    ['fdiv', 8],
    ['fdivr', 8],
  ],
  [
    ['fld', 8],
    ['(bad)', 0],
    ['fst', 8],
    ['fstp', 8],
    ['frstor', 0],
    ['(bad)', 0],
    ['fnsave', 0],
    ['fnstsw', 2],
  ],
  [
    ['fiadd', 2],
    ['fimul', 2],
    ['ficom', 2],
    ['ficomp', 2],
    ['fisub', 2],
    ['fisubr', 2],
    ['fidiv', 2],
    ['fidivr', 2],
  ],
  [
    ['fild', 2],
    ['(bad)', 0],
    ['fist', 2],
    ['fistp', 2],
    ['fbld', 10],
    ['fild', 8],
    ['fbstp', 10],
    ['fistp', 8],
  ],
];

/**
 * Register forms (mod = 3), by opcode and ModRM.reg: a name with operand
 * pattern ('st,i' = st,st(i); 'i,st' = st(i),st; 'i' = st(i); '' = none),
 * or a list of eight names by ModRM.rm for the operand-less groups.
 */
type RegisterForm = [string, string] | string[];
const REGISTER_FORMS: RegisterForm[][] = [
  [
    ['fadd', 'st,i'],
    ['fmul', 'st,i'],
    ['fcom', 'i'],
    ['fcomp', 'i'],
    ['fsub', 'st,i'],
    ['fsubr', 'st,i'],
    ['fdiv', 'st,i'],
    ['fdivr', 'st,i'],
  ],
  [
    ['fld', 'i'],
    ['fxch', 'i'],
    ['fnop', '', '', '', '', '', '', ''],
    ['fstp1', 'i'],
    ['fchs', 'fabs', '', '', 'ftst', 'fxam', '', ''],
    ['fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz', ''],
    ['f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp'],
    ['fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos'],
  ],
  [
    ['fcmovb', 'st,i'],
    ['fcmove', 'st,i'],
    ['fcmovbe', 'st,i'],
    ['fcmovu', 'st,i'],
    ['', '', '', '', '', '', '', ''],
    ['', 'fucompp', '', '', '', '', '', ''],
    ['', '', '', '', '', '', '', ''],
    ['', '', '', '', '', '', '', ''],
  ],
  [
    ['fcmovnb', 'st,i'],
    ['fcmovne', 'st,i'],
    ['fcmovnbe', 'st,i'],
    ['fcmovnu', 'st,i'],
    ['fneni(8087 only)', 'fndisi(8087 only)', 'fnclex', 'fninit', 'fnsetpm(287 only)', '', '', ''],
    ['fucomi', 'st,i'],
    ['fcomi', 'st,i'],
    ['', '', '', '', '', '', '', ''],
  ],
  // DC with registers: the Intel manual's FSUBR/FSUB and FDIVR/FDIV order (E0 is FSUBR).
  [
    ['fadd', 'i,st'],
    ['fmul', 'i,st'],
    ['fcom2', 'i'],
    ['fcomp3', 'i'],
    ['fsubr', 'i,st'],
    ['fsub', 'i,st'],
    ['fdivr', 'i,st'],
    ['fdiv', 'i,st'],
  ],
  [
    ['ffree', 'i'],
    ['fxch4', 'i'],
    ['fst', 'i'],
    ['fstp', 'i'],
    ['fucom', 'i'],
    ['fucomp', 'i'],
    ['', '', '', '', '', '', '', ''],
    ['', '', '', '', '', '', '', ''],
  ],
  [
    ['faddp', 'i,st'],
    ['fmulp', 'i,st'],
    ['fcomp5', 'i'],
    ['', 'fcompp', '', '', '', '', '', ''],
    ['fsubrp', 'i,st'],
    ['fsubp', 'i,st'],
    ['fdivrp', 'i,st'],
    ['fdivp', 'i,st'],
  ],
  [
    ['ffreep', 'i'],
    ['fxch7', 'i'],
    ['fstp8', 'i'],
    ['fstp9', 'i'],
    ['fnstsw', '', '', '', '', '', '', ''],
    ['fucomip', 'st,i'],
    ['fcomip', 'st,i'],
    ['', '', '', '', '', '', '', ''],
  ],
];

export interface X87Form {
  name: string;
  /** Size of the memory operand in bytes (0 when it has none or an unsized one, like FLDENV's). */
  memSize: number;
  /** X86Operand pattern: 'mem', 'st', 'st(i)' (ModRM.rm), 'ax'. */
  operands: string[];
}

/** The x87 form for an escape opcode (0xd8-0xdf) and ModRM byte, or null when it is undefined (#UD). */
export function lookupX87(opcode: number, modrm: number): X87Form | null {
  const esc = opcode - 0xd8;
  const reg = (modrm >> 3) & 7;
  const rm = modrm & 7;
  if (modrm < 0xc0) {
    const [name, memSize] = MEMORY_FORMS[esc][reg];
    return name === '(bad)' ? null : { name, memSize, operands: ['mem'] };
  }
  const form = REGISTER_FORMS[esc][reg];
  if (form.length === 2) {
    const [name, pattern] = form;
    const operands =
      pattern === 'st,i'
        ? ['st', 'st(i)']
        : pattern === 'i,st'
          ? ['st(i)', 'st']
          : pattern === 'i'
            ? ['st(i)']
            : [];
    return { name, memSize: 0, operands };
  }
  const name = form[rm];
  if (!name) return null;
  // FNSTSW AX (DF E0).
  return { name, memSize: 0, operands: esc === 7 && reg === 4 ? ['ax'] : [] };
}
