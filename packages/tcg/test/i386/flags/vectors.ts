/**
 * Test vectors for the integer instructions' results and flags. The same vector list is
 * assembled twice: by GNU `as` and run natively on the host CPU (gen-native.ts, run once
 * to produce native-results.ts), and by @tsemu/x86asm and run in the emulator
 * (flags.test.ts), which compares the two.
 *
 * Each vector loads EAX, EBX, ECX, EDX and EFLAGS, runs a short instruction sequence and
 * records EAX, EBX, ECX, EDX and EFLAGS. The sequence is written in the Intel syntax both
 * assemblers read (`.intel_syntax noprefix` for GNU as).
 */

/** The arithmetic flags. */
export const OSZAPC = 0x8d5;
const O = 0x800;
const S = 0x80;
const Z = 0x40;
const A = 0x10;
const P = 0x4;
const C = 0x1;

export interface FlagVector {
  /** Instructions, separated by newlines. */
  code: string;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  /** EFLAGS before (arithmetic flags, DF clear). */
  flagsIn: number;
  /** Flags the architecture defines after the sequence (undefined ones are not compared). */
  flagMask: number;
  /** Register bit masks to compare [eax, ebx, ecx, edx] (0 where the result is undefined). */
  regMask: [number, number, number, number];
}

const ALL = 0xffffffff;
const REGS_ALL: [number, number, number, number] = [ALL, ALL, ALL, ALL];

const NAMES: Record<number, string[]> = {
  1: ['al', 'bl', 'cl', 'dl'],
  2: ['ax', 'bx', 'cx', 'dx'],
  4: ['eax', 'ebx', 'ecx', 'edx'],
};

const VALUES: Record<number, number[]> = {
  1: [0, 1, 0x0f, 0x7f, 0x80, 0xff],
  2: [0, 1, 0x80, 0x7fff, 0x8000, 0xffff],
  4: [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678],
};

const FLAGS_IN = [0x002, 0x002 | OSZAPC];

function vec(
  code: string,
  eax: number,
  ebx: number,
  flagsIn: number,
  flagMask: number,
  extra: Partial<FlagVector> = {},
): FlagVector {
  return {
    code,
    eax: eax >>> 0,
    ebx: ebx >>> 0,
    ecx: (extra.ecx ?? 0x5a5a5a5a) >>> 0,
    edx: (extra.edx ?? 0xa5a5a5a5) >>> 0,
    flagsIn,
    flagMask,
    regMask: extra.regMask ?? REGS_ALL,
  };
}

/** Fill the high bits of a value with a pattern, so partial-register writes show. */
function withHigh(v: number, size: number): number {
  if (size === 4) return v >>> 0;
  return ((0xdead0000 | (size === 1 ? 0xbe00 : 0)) & ~((1 << (8 * size)) - 1)) | v;
}

export function buildVectors(): FlagVector[] {
  const out: FlagVector[] = [];
  // Binary ALU operations.
  for (const size of [1, 2, 4]) {
    const [a, b] = NAMES[size];
    for (const op of ['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test']) {
      const logic = ['and', 'or', 'xor', 'test'].includes(op);
      const mask = logic ? O | S | Z | P | C : OSZAPC;
      const fins = op === 'adc' || op === 'sbb' ? FLAGS_IN : [FLAGS_IN[logic ? 1 : 0]];
      for (const x of VALUES[size])
        for (const y of VALUES[size])
          for (const f of fins)
            out.push(vec(`${op} ${a}, ${b}`, withHigh(x, size), withHigh(y, size), f, mask));
    }
    // Immediate forms (sign-extended imm8 too).
    for (const x of VALUES[size]) {
      out.push(vec(`add ${a}, 0x7f`, withHigh(x, size), 0, 0x002, OSZAPC));
      out.push(vec(`sub ${a}, -2`, withHigh(x, size), 0, 0x002, OSZAPC));
      out.push(vec(`adc ${a}, 1`, withHigh(x, size), 0, 0x002 | C, OSZAPC));
    }
    // Unary operations.
    for (const x of VALUES[size]) {
      for (const f of FLAGS_IN) {
        out.push(vec(`inc ${a}`, withHigh(x, size), 0, f, OSZAPC));
        out.push(vec(`dec ${a}`, withHigh(x, size), 0, f, OSZAPC));
        out.push(vec(`neg ${a}`, withHigh(x, size), 0, f, OSZAPC));
        out.push(vec(`not ${a}`, withHigh(x, size), 0, f, OSZAPC));
      }
    }
    // Shifts and rotates by 1, by CL, by an immediate.
    const bits = size * 8;
    const counts = [0, 1, 2, 7, 8, 9, 16, 17, 31, 33];
    const shiftValues =
      size === 4
        ? [0x80000001, 0x40000000, 0x12345678]
        : size === 2
          ? [0x8001, 0x4000, 0x1234]
          : [0x81, 0x40, 0x5a];
    for (const op of ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr']) {
      const rotate = op.startsWith('r');
      for (const x of shiftValues) {
        for (const f of rotate ? FLAGS_IN : [FLAGS_IN[1]]) {
          for (const c of counts) {
            const masked = c & 31;
            if (masked === 0) {
              out.push(vec(`${op} ${a}, cl`, withHigh(x, size), 0, f, OSZAPC, { ecx: c }));
              continue;
            }
            let mask: number;
            if (rotate) mask = (masked === 1 ? O : 0) | C | (OSZAPC & ~(O | C));
            else {
              // SHL/SHR: CF undefined when the count reaches the operand size.
              const cfDefined = op === 'sar' || masked < bits;
              mask = (cfDefined ? C : 0) | (masked === 1 ? O : 0) | S | Z | P;
            }
            // RCL/RCR: for 8/16 bits the count works mod 9/17; OF only for a 1-bit rotate.
            if (op === 'rcl' || op === 'rcr') {
              const eff = size === 1 ? masked % 9 : size === 2 ? masked % 17 : masked;
              mask = (eff === 1 ? O : 0) | C | (OSZAPC & ~(O | C));
              // A count that is a multiple of 9/17 rotates nothing; OF is still undefined.
              if (eff === 0) mask = OSZAPC & ~O;
            }
            if ((op === 'rol' || op === 'ror') && masked % bits === 0) {
              // Rotating by a multiple of the size changes nothing but CF/OF (OF undefined).
              mask = C | (OSZAPC & ~(O | C));
            }
            out.push(vec(`${op} ${a}, cl`, withHigh(x, size), 0, f, mask, { ecx: c }));
          }
          out.push(
            vec(`${op} ${a}, 1`, withHigh(x, size), 0, f, rotate ? OSZAPC & ~A : O | S | Z | P | C),
          );
          if (op === 'shl' || op === 'sar' || op === 'ror') {
            out.push(
              vec(
                `${op} ${a}, 3`,
                withHigh(x, size),
                0,
                f,
                rotate ? C | (OSZAPC & ~(O | C)) : S | Z | P | C,
              ),
            );
          }
        }
      }
    }
    // Multiplication.
    for (const x of VALUES[size].slice(1)) {
      for (const y of VALUES[size].slice(2)) {
        out.push(vec(`mul ${b}`, withHigh(x, size), withHigh(y, size), 0x002, O | C));
        out.push(vec(`imul ${b}`, withHigh(x, size), withHigh(y, size), 0x002, O | C));
        if (size > 1) {
          out.push(vec(`imul ${a}, ${b}`, withHigh(x, size), withHigh(y, size), 0x002, O | C));
          out.push(vec(`imul ${a}, ${b}, -3`, withHigh(x, size), withHigh(y, size), 0x002, O | C));
          out.push(
            vec(`imul ${a}, ${b}, 0x1234`, withHigh(x, size), withHigh(y, size), 0x002, O | C),
          );
        }
      }
    }
  }
  // Division (only cases that do not fault).
  for (const [dividendHi, dividendLo, divisor] of [
    [0, 100, 7],
    [0, 0xffffffff, 0x10],
    [3, 0x12345678, 0x10000],
    [0x7fffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xfffffff0, 3],
    [0xffffffff, 0xffffff00, 0xfffffff0],
    [0, 0x7fffffff, 0xffffffff],
    [1, 0, 2],
  ]) {
    const q = (dividendHi * 2 ** 32 + dividendLo) / divisor;
    if (q < 2 ** 32) out.push(vec('div ebx', dividendLo, divisor, 0x002, 0, { edx: dividendHi }));
    const hiS = dividendHi | 0;
    const big = BigInt(hiS) * 2n ** 32n + BigInt(dividendLo);
    const qs = big / BigInt(divisor | 0);
    if (divisor !== 0 && qs >= -(2n ** 31n) && qs < 2n ** 31n)
      out.push(vec('idiv ebx', dividendLo, divisor, 0x002, 0, { edx: dividendHi }));
  }
  for (const [ax, d] of [
    [100, 7],
    [0xff00, 0xff],
    [0x1234, 0x40],
    [0xfff0, 0x13],
  ]) {
    if (Math.floor(ax / d) < 256) out.push(vec('div bl', 0xdead0000 | ax, d, 0x002, 0));
    const sax = (ax << 16) >> 16;
    const sd = (d << 24) >> 24;
    const qs = Math.trunc(sax / sd);
    if (qs >= -128 && qs < 128) out.push(vec('idiv bl', 0xdead0000 | ax, d, 0x002, 0));
    out.push(vec('div bx', 0xdead0000 | ax, 0xbeef0000 | (d + 3), 0x002, 0, { edx: 0x12340001 }));
  }
  // Double shifts.
  for (const size of [2, 4]) {
    const [a, b] = NAMES[size];
    for (const op of ['shld', 'shrd']) {
      for (const [x, y] of size === 4
        ? [
            [0x12345678, 0x9abcdef0],
            [0x80000000, 1],
            [1, 0xffffffff],
          ]
        : [
            [0x1234, 0x9abc],
            [0x8000, 1],
          ]) {
        for (const c of [0, 1, 4, 15, 16, 31, 32]) {
          const masked = c & 31;
          if (size === 2 && masked > 16) continue;
          const mask = masked === 0 ? OSZAPC : (masked === 1 ? O : 0) | S | Z | P | C;
          out.push(
            vec(`${op} ${a}, ${b}, cl`, withHigh(x, size), withHigh(y, size), 0x002, mask, {
              ecx: c,
            }),
          );
        }
        out.push(
          vec(`${op} ${a}, ${b}, 5`, withHigh(x, size), withHigh(y, size), 0x002, S | Z | P | C),
        );
      }
    }
  }
  // Bit tests and scans.
  for (const size of [2, 4]) {
    const [a, b] = NAMES[size];
    for (const op of ['bt', 'bts', 'btr', 'btc']) {
      for (const bit of [0, 5, 15, 31, 33, 0x45]) {
        for (const f of FLAGS_IN) {
          out.push(vec(`${op} ${a}, ${b}`, withHigh(0x12345678, size), bit, f, C | Z));
          out.push(vec(`${op} ${a}, ${bit & 0xff}`, withHigh(0xf0f0a5a5, size), 0, f, C | Z));
        }
      }
    }
    for (const op of ['bsf', 'bsr']) {
      for (const v of [1, 0x80, 0x8000, 0x80000000, 0x00f00f00, 0x12345678, 0xffff]) {
        const val = size === 2 ? v & 0xffff : v;
        if (val === 0) continue;
        out.push(vec(`${op} ${a}, ${b}`, 0x77777777, withHigh(val, size), 0x002, Z));
      }
      out.push(
        vec(`${op} ${a}, ${b}`, 0x77777777, size === 2 ? 0xabcd0000 : 0, 0x002, Z, {
          regMask: [0, ALL, ALL, ALL],
        }),
      );
    }
  }
  // BCD adjusts.
  for (const al of [
    0x00, 0x09, 0x0a, 0x0f, 0x19, 0x1a, 0x6f, 0x90, 0x99, 0x9a, 0x9f, 0xa0, 0xf9, 0xfa, 0xff,
  ]) {
    for (const f of [0x002, 0x002 | A, 0x002 | C, 0x002 | A | C]) {
      out.push(vec('daa', 0x12345600 | al, 0, f, S | Z | A | P | C));
      out.push(vec('das', 0x12345600 | al, 0, f, S | Z | A | P | C));
      out.push(vec('aaa', 0x12340300 | al, 0, f, A | C));
      out.push(vec('aas', 0x12340300 | al, 0, f, A | C));
    }
    out.push(vec('aam', 0x12345600 | al, 0, 0x002, S | Z | P));
    out.push(vec('aad', 0x12340700 | al, 0, 0x002, S | Z | P));
    out.push(vec('aam 16', 0x12345600 | al, 0, 0x002, S | Z | P));
    out.push(vec('aad 16', 0x12340700 | al, 0, 0x002, S | Z | P));
  }
  // Conversions, exchanges, byte swap.
  for (const v of [0x7f, 0x80, 0x7fff, 0x8000, 0x12345678, 0x87654321]) {
    out.push(vec('cbw', v, 0, 0x002, OSZAPC));
    out.push(vec('cwde', v, 0, 0x002, OSZAPC));
    out.push(vec('cwd', v, 0, 0x002, OSZAPC));
    out.push(vec('cdq', v, 0, 0x002, OSZAPC));
    out.push(vec('bswap eax', v, 0, 0x002, OSZAPC));
    out.push(vec('xadd eax, ebx', v, 0x80000000, 0x002, OSZAPC));
    out.push(vec('xadd bl, al', v, 0x80000080, 0x002, OSZAPC));
    out.push(vec('xchg ah, bl', v, 0x11223344, 0x002, OSZAPC));
    out.push(vec('cmpxchg ebx, ecx', v, v, 0x002, OSZAPC, { ecx: 0xcafe }));
    out.push(vec('cmpxchg ebx, ecx', v, v + 1, 0x002, OSZAPC, { ecx: 0xcafe }));
    out.push(vec('cmpxchg bx, cx', v, v ^ 0x10000, 0x002, OSZAPC, { ecx: 0xcafe }));
    out.push(vec('lahf', v, 0, 0x002 | OSZAPC, OSZAPC));
    out.push(vec('sahf', v, 0, 0x002, OSZAPC));
    out.push(vec('movsx eax, bl\nmovzx ecx, bx', 0, v, 0x002, OSZAPC));
  }
  // Flag instructions.
  for (const f of FLAGS_IN) {
    for (const code of ['cmc', 'clc', 'stc', 'cmc\ncmc', 'cld\nstd\ncld'])
      out.push(vec(code, 0x1234, 0, f, OSZAPC));
  }
  // Conditions after each kind of flag producer: SETcc and CMOVcc.
  const conds = [
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
  const producers: [string, number, number, string[]][] = [
    ['cmp eax, ebx', 5, 7, conds],
    ['cmp eax, ebx', 0x80000000, 1, conds],
    ['cmp eax, ebx', 7, 7, conds],
    ['cmp ax, bx', 0x8000, 0x7fff, conds],
    ['cmp al, bl', 0x7f, 0x80, conds],
    ['cmp bl, al', 0x10, 0x90, conds],
    ['sub eax, ebx', 0xffffffff, 1, conds],
    ['add eax, ebx', 0x7fffffff, 1, conds],
    ['add al, bl', 0xf0, 0x20, conds],
    ['adc eax, ebx', 0xffffffff, 0, conds],
    ['sbb ax, bx', 0, 0, conds],
    ['test eax, ebx', 0x80000000, 0x80000001, conds],
    ['and al, bl', 0x80, 0xff, conds],
    ['or eax, ebx', 0, 0, conds],
    ['inc eax', 0x7fffffff, 0, conds],
    ['dec ax', 0x8000, 0, conds],
    ['neg eax', 0x80000000, 0, conds],
    ['shl eax, 1', 0xc0000000, 0, conds],
    ['sar eax, 1', 0x80000001, 0, conds],
    ['shr al, 1', 0x81, 0, conds],
    ['xor eax, eax', 5, 0, conds],
    ['mul ebx', 0x10000, 0x10000, ['o', 'no', 'b', 'ae']],
    ['imul eax, ebx', 0x10000, 0x8000, ['o', 'no', 'b', 'ae']],
  ];
  for (const [p, x, y, cs] of producers) {
    for (const cc of cs) {
      const f = cc.length === 1 || cc === 'ae' ? FLAGS_IN[0] : FLAGS_IN[1];
      out.push(vec(`${p}\nset${cc} cl\ncmov${cc} edx, eax`, x, y, f, 0, { ecx: 0x11111111 }));
    }
  }
  return out;
}

/** The instruction body of the vector program: for each vector, set up, run, record. */
export function vectorBody(vectors: readonly FlagVector[]): string {
  const lines: string[] = [];
  for (const v of vectors) {
    lines.push(
      `  mov eax, 0x${v.eax.toString(16)}`,
      `  mov ebx, 0x${v.ebx.toString(16)}`,
      `  mov ecx, 0x${v.ecx.toString(16)}`,
      `  mov edx, 0x${v.edx.toString(16)}`,
      `  push 0x${v.flagsIn.toString(16)}`,
      '  popfd',
      ...v.code.split('\n').map((l) => `  ${l}`),
      '  pushfd',
      '  pop dword ptr [edi+16]',
      '  mov dword ptr [edi], eax',
      '  mov dword ptr [edi+4], ebx',
      '  mov dword ptr [edi+8], ecx',
      '  mov dword ptr [edi+12], edx',
      '  add edi, 20',
    );
  }
  return lines.join('\n');
}

export const RECORD_WORDS = 5;
