import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuLoopExitRestore } from '../exec/cpu-state.js';
import type { IrBuilder, Operand } from '../ir/builder.js';
import { defineHelper } from '../ir/helper.js';
import { Cond, MO_SB, MO_SIGN, MO_SW, MO_UB, MO_UL, MO_UW, Opc } from '../ir/opcodes.js';
import type { Label, Temp } from '../ir/temp.js';
import {
  HARNESS_EXTRA_RAM_BASE,
  HARNESS_MMIO_BASE,
  type IrRunOptions,
  runIr,
} from '../testing/ir-harness.js';
import { MMU_PHYS, SYS, type ToyCpu, toyLayout } from '../testing/toy-frontend.js';

const { R, CC_DST, CC_SRC, CC_OP, SYS: SYS_ARRAY } = toyLayout;
const u32 = (x: number) => BigInt.asUintN(32, BigInt(x));
const s32 = (x: number) => BigInt.asIntN(32, BigInt(x));
const i32 = (x: bigint) => Number(BigInt.asIntN(32, x));

const CONFIGS: IrRunOptions[] = [
  { backend: 'interpreter', optimize: false },
  { backend: 'interpreter', optimize: true },
  { backend: 'js', optimize: false },
  { backend: 'js', optimize: true },
  { backend: 'js', optimize: true, ramAccess: 'dataview' },
];

/** Run `build` in every backend configuration, expect the same state, and return it. */
function runAll(build: (b: IrBuilder) => void, base: Partial<IrRunOptions> = {}) {
  const results = CONFIGS.map((c) => runIr(build, { ...c, ...base }));
  const ref = results[0];
  for (const r of results.slice(1)) {
    expect(r.regs).toEqual(ref.regs);
    expect(r.sys).toEqual(ref.sys);
    expect(r.faultInsn).toEqual(ref.faultInsn);
    expect(r.deviceLog).toEqual(ref.deviceLog);
    expect(r.extraRam).toEqual(ref.extraRam);
    expect(Buffer.from(r.ram).equals(Buffer.from(ref.ram))).toBe(true);
  }
  return ref;
}

const BINARY_CASES: [
  string,
  (b: IrBuilder, d: Temp, x: Operand, y: Operand) => void,
  (x: number, y: number) => number,
][] = [
  ['add', (b, d, x, y) => b.add(d, x, y), (x, y) => i32(s32(x) + s32(y))],
  ['sub', (b, d, x, y) => b.sub(d, x, y), (x, y) => i32(s32(x) - s32(y))],
  ['mul', (b, d, x, y) => b.mul(d, x, y), (x, y) => i32(s32(x) * s32(y))],
  ['andc', (b, d, x, y) => b.andc(d, x, y), (x, y) => i32(s32(x) & ~s32(y))],
  ['eqv', (b, d, x, y) => b.eqv(d, x, y), (x, y) => i32(~(s32(x) ^ s32(y)))],
  ['shl', (b, d, x, y) => b.shl(d, x, y), (x, y) => i32(u32(x) << BigInt(y & 31))],
  ['shr', (b, d, x, y) => b.shr(d, x, y), (x, y) => i32(u32(x) >> BigInt(y & 31))],
  ['sar', (b, d, x, y) => b.sar(d, x, y), (x, y) => i32(s32(x) >> BigInt(y & 31))],
  [
    'rotl',
    (b, d, x, y) => b.rotl(d, x, y),
    (x, y) => {
      const n = BigInt(y & 31);
      return i32((u32(x) << n) | (u32(x) >> ((32n - n) % 32n)));
    },
  ],
];

/** Every BINARY_CASES op on (x, y), as registers and as constants; results in op order. */
function binaries(x: number, y: number): number[] {
  const outs = [R[0], R[3], R[4], R[5], R[6], R[7], CC_DST, CC_SRC, CC_OP];
  const read = (r: ReturnType<typeof runAll>) => [
    ...[0, 3, 4, 5, 6, 7].map((i) => r.regs[i]),
    r.sys[SYS.CC_DST],
    r.sys[SYS.CC_SRC],
    r.sys[SYS.CC_OP],
  ];
  const inRegs = runAll(
    (b) => {
      b.insnStart(0, -1);
      for (const [i, [, emit]] of BINARY_CASES.entries()) emit(b, outs[i], R[1], R[2]);
      b.exitTb();
    },
    { regs: [0, x, y] },
  );
  // Constant operands take the optimizer's folding path.
  const folded = runAll((b) => {
    b.insnStart(0, -1);
    for (const [i, [, emit]] of BINARY_CASES.entries()) emit(b, outs[i], x | 0, y | 0);
    b.exitTb();
  });
  expect(read(folded)).toEqual(read(inRegs));
  return read(inRegs);
}

const SAMPLES = [0, 1, -1, 31, 33, 0x7fffffff, -0x80000000, 0x12345678, -0x6543210f];

describe('IR op semantics: interpreter and JS backend, optimized or not', () => {
  it('arithmetic and logic match 32-bit two-complement results', () => {
    for (const x of SAMPLES) {
      for (const y of SAMPLES) {
        expect(binaries(x, y)).toEqual(BINARY_CASES.map(([, , ref]) => ref(x, y)));
      }
    }
  });

  it('mulu2 and muls2 give the exact 64-bit product', () => {
    for (const x of SAMPLES) {
      for (const y of SAMPLES) {
        for (const signed of [false, true]) {
          const r = runAll(
            (b) => {
              b.insnStart(0, -1);
              if (signed) b.muls2(R[3], R[4], R[1], R[2]);
              else b.mulu2(R[3], R[4], R[1], R[2]);
              b.exitTb();
            },
            { regs: [0, x, y] },
          );
          const p = signed ? s32(x) * s32(y) : u32(x) * u32(y);
          expect(r.regs[3]).toBe(i32(p));
          expect(r.regs[4]).toBe(i32(p >> 32n));
        }
      }
    }
  });

  it('add2/sub2 work on 64-bit pairs', () => {
    for (const [al, ah, bl, bh] of [
      [-1, 0, 1, 0],
      [0, 0, 1, 0],
      [0x80000000, 5, 0x80000000, -7],
    ]) {
      const r = runAll(
        (b) => {
          b.insnStart(0, -1);
          b.add2(R[4], R[5], R[0], R[1], R[2], R[3]);
          b.sub2(R[6], R[7], R[0], R[1], R[2], R[3]);
          b.exitTb();
        },
        { regs: [al, ah, bl, bh] },
      );
      const a = (s32(ah) << 32n) | u32(al);
      const c = (s32(bh) << 32n) | u32(bl);
      expect([r.regs[4], r.regs[5]]).toEqual([i32(a + c), i32((a + c) >> 32n)]);
      expect([r.regs[6], r.regs[7]]).toEqual([i32(a - c), i32((a - c) >> 32n)]);
    }
  });

  it('bit fields, extensions, byte swaps and bit counts', () => {
    const r = runAll(
      (b) => {
        b.insnStart(0, -1);
        b.deposit(R[2], R[0], R[1], 8, 12);
        b.extract(R[3], R[0], 4, 8);
        b.sextract(R[4], R[0], 28, 4);
        b.extract2(R[5], R[0], R[1], 12);
        b.bswap32(R[6], R[0]);
        b.bswap16(R[7], R[0]);
        b.ext8s(CC_DST, R[0]);
        b.ctpop(CC_SRC, R[0]);
        b.exitTb();
      },
      { regs: [0x9abcdef1 | 0, 0x12345] },
    );
    expect(r.regs[2] >>> 0).toBe(0x9ab345f1);
    expect(r.regs[3]).toBe(0xef);
    expect(r.regs[4]).toBe(-7);
    expect(r.regs[5] >>> 0).toBe(0x3459abcd);
    expect(r.regs[6] >>> 0).toBe(0xf1debc9a);
    expect(r.regs[7]).toBe(0xf1de);
    expect(r.sys[SYS.CC_DST]).toBe(-15);
    expect(r.sys[SYS.CC_SRC]).toBe(20);
    const z = runAll(
      (b) => {
        b.insnStart(0, -1);
        b.clz(R[2], R[0], 32);
        b.ctz(R[3], R[0], 32);
        b.clz(R[4], R[1], 32);
        b.ctz(R[5], R[1], 99);
        b.exitTb();
      },
      { regs: [0x00f0_0000, 0] },
    );
    expect(z.regs.slice(2, 6)).toEqual([8, 20, 32, 99]);
  });

  it('every condition of setcond, negsetcond, movcond and brcond', () => {
    const conds = [
      Cond.Eq,
      Cond.Ne,
      Cond.Lt,
      Cond.Ge,
      Cond.Le,
      Cond.Gt,
      Cond.Ltu,
      Cond.Geu,
      Cond.Leu,
      Cond.Gtu,
      Cond.Tsteq,
      Cond.Tstne,
    ];
    const ref = (c: Cond, x: number, y: number): boolean =>
      [
        x === y,
        x !== y,
        x < y,
        x >= y,
        x <= y,
        x > y,
        x >>> 0 < y >>> 0,
        x >>> 0 >= y >>> 0,
        x >>> 0 <= y >>> 0,
        x >>> 0 > y >>> 0,
        (x & y) === 0,
        (x & y) !== 0,
      ][conds.indexOf(c)];
    for (const [x, y] of [
      [1, 2],
      [-1, 1],
      [5, 5],
      [0x80000000 | 0, 0x7fffffff],
    ]) {
      for (const c of conds) {
        const r = runAll(
          (b) => {
            b.insnStart(0, -1);
            b.setcond(c, R[2], R[0], R[1]);
            b.negsetcond(c, R[3], R[0], R[1]);
            b.movcond(c, R[4], R[0], R[1], 111, 222);
            const l = b.newLabel();
            b.mov(R[5], 0);
            b.brcond(c, R[0], R[1], l);
            b.mov(R[5], 1);
            b.setLabel(l);
            b.exitTb();
          },
          { regs: [x, y] },
        );
        const t = ref(c, x, y);
        expect([r.regs[2], r.regs[3], r.regs[4], r.regs[5]]).toEqual([
          t ? 1 : 0,
          t ? -1 : 0,
          t ? 111 : 222,
          t ? 0 : 1,
        ]);
      }
    }
  });

  it('guest loads and stores: sizes, signs, unaligned, page-crossing, MMIO and a second RAM block', () => {
    const ram = new Uint8Array(0x10000);
    ram.set([0x81, 0x92, 0xa3, 0xb4, 0xc5], 0x0ffe);
    const r = runAll(
      (b) => {
        b.insnStart(0, -1);
        b.qemuLd(R[0], 0x0ffe, MO_UL, MMU_PHYS); // crosses a page
        b.qemuLd(R[1], 0x0ffe, MO_SW, MMU_PHYS);
        b.qemuLd(R[2], 0x0fff, MO_SB, MMU_PHYS);
        b.qemuLd(R[3], 0x0fff, MO_UW, MMU_PHYS); // unaligned within a page? no: crosses
        b.qemuSt(0x11223344, 0x2001, MO_UL, MMU_PHYS); // unaligned
        b.qemuLd(R[4], 0x2002, MO_UW, MMU_PHYS);
        b.qemuSt(0xcafe, HARNESS_MMIO_BASE + 8, MO_UW, MMU_PHYS);
        b.qemuLd(R[5], HARNESS_MMIO_BASE + 8, MO_UL, MMU_PHYS);
        b.qemuSt(-2, HARNESS_EXTRA_RAM_BASE + 4, MO_UL, MMU_PHYS);
        b.qemuLd(R[6], HARNESS_EXTRA_RAM_BASE + 4, MO_SB, MMU_PHYS);
        b.qemuLd(R[7], 0x50000, MO_UB, MMU_PHYS); // RAM is 64 KiB: unassigned reads ones
        b.exitTb();
      },
      { ram },
    );
    expect(r.regs[0] >>> 0).toBe(0xb4a39281);
    expect(r.regs[1]).toBe((0x9281 << 16) >> 16);
    expect(r.regs[2]).toBe((0x92 << 24) >> 24);
    expect(r.regs[3]).toBe(0xa392);
    expect(r.regs[4]).toBe(0x2233);
    expect(r.regs[5]).toBe(0xcafe);
    expect(r.regs[6]).toBe(-2);
    expect(r.regs[7]).toBe(0xff);
    expect(Array.from(r.ram.subarray(0x2001, 0x2005))).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(r.deviceLog).toEqual(['w2@8=51966', 'r4@8']);
  });

  it('helpers: arguments, return value, declared global reads and writes', () => {
    const swap = defineHelper({
      name: 'swap01',
      nArgs: 1,
      hasReturn: true,
      reads: [R[0], R[1]],
      writes: [R[0], R[1]],
      canRaise: false,
      fn: (cpu: ToyCpu, k: number) => {
        const t = cpu.regs[0];
        cpu.regs[0] = cpu.regs[1] + k;
        cpu.regs[1] = t;
        return 0xfffffffe; // returns are truncated to signed 32 bits
      },
    });
    const six = defineHelper({
      name: 'six',
      nArgs: 6,
      hasReturn: true,
      reads: 'none',
      writes: 'none',
      canRaise: false,
      sideEffects: false,
      fn: (_cpu, a, b, c, d, e, f) => a * 100000 + b * 10000 + c * 1000 + d * 100 + e * 10 + f,
    });
    const r = runAll(
      (b) => {
        b.insnStart(0, -1);
        b.add(R[0], R[0], 1); // in a local until the helper needs it
        b.call(swap, R[2], 10);
        b.add(R[1], R[1], 1);
        b.call(six, R[3], 1, 2, 3, 4, 5, 6);
        b.exitTb();
      },
      { regs: [5, 7] },
    );
    expect(r.regs.slice(0, 4)).toEqual([17, 7, -2, 123456]);
  });

  it('state fields that are not globals: loadState and storeState', () => {
    const r = runAll((b) => {
      b.insnStart(0, -1);
      b.storeState(1234, SYS_ARRAY, SYS.EPC);
      b.loadState(R[0], SYS_ARRAY, SYS.EPC);
      b.exitTb();
    });
    expect(r.regs[0]).toBe(1234);
    expect(r.sys[SYS.EPC]).toBe(1234);
  });

  it('a helper that raises mid-block leaves every global exact and names its instruction', () => {
    const check = defineHelper({
      name: 'check',
      nArgs: 1,
      reads: 'none',
      writes: [R[7]],
      fn: (cpu: ToyCpu, v: number) => {
        cpu.regs[7] = 77; // a helper's own writes survive the unwind
        if (v === 0) cpuLoopExitRestore(cpu);
      },
    });
    const r = runAll(
      (b) => {
        b.insnStart(0x100, -1);
        b.mov(R[1], 11);
        b.mov(R[7], 1);
        b.insnStart(0x104, -1);
        b.mov(R[2], 22);
        b.mov(CC_OP, 3);
        b.call(check, null, R[0]);
        b.insnStart(0x108, -1);
        b.mov(R[3], 33);
        b.exitTb();
      },
      { regs: [0] },
    );
    expect(r.faultInsn).toBe(1);
    expect(r.regs.slice(0, 4)).toEqual([0, 11, 22, 0]);
    expect(r.regs[7]).toBe(77);
    expect(r.sys[SYS.CC_OP]).toBe(3);
  });

  it('a backward branch inside a TB (switch form) runs like forward ones', () => {
    const r = runAll(
      (b) => {
        b.insnStart(0, -1);
        const top = b.newLabel();
        const loc = b.localTemp();
        b.mov(loc, 0);
        b.setLabel(top);
        b.add(loc, loc, R[1]);
        b.sub(R[0], R[0], 1);
        b.brcond(Cond.Ne, R[0], 0, top);
        b.mov(R[2], loc);
        b.exitTb();
      },
      { regs: [10, 3] },
    );
    expect(r.regs[2]).toBe(30);
  });
});

// ---- random IR programs ----------------------------------------------------------------

const BIN_OPS: ((b: IrBuilder, d: Temp, x: Operand, y: Operand) => void)[] = [
  (b, d, x, y) => b.add(d, x, y),
  (b, d, x, y) => b.sub(d, x, y),
  (b, d, x, y) => b.mul(d, x, y),
  (b, d, x, y) => b.and(d, x, y),
  (b, d, x, y) => b.or(d, x, y),
  (b, d, x, y) => b.xor(d, x, y),
  (b, d, x, y) => b.andc(d, x, y),
  (b, d, x, y) => b.orc(d, x, y),
  (b, d, x, y) => b.nand(d, x, y),
  (b, d, x, y) => b.nor(d, x, y),
  (b, d, x, y) => b.shl(d, x, y),
  (b, d, x, y) => b.shr(d, x, y),
  (b, d, x, y) => b.sar(d, x, y),
  (b, d, x, y) => b.rotl(d, x, y),
  (b, d, x, y) => b.rotr(d, x, y),
  (b, d, x, y) => b.clz(d, x, y),
  (b, d, x, y) => b.ctz(d, x, y),
];
const UN_OPS: ((b: IrBuilder, d: Temp, x: Operand) => void)[] = [
  (b, d, x) => b.mov(d, x),
  (b, d, x) => b.neg(d, x),
  (b, d, x) => b.not(d, x),
  (b, d, x) => b.ext8s(d, x),
  (b, d, x) => b.ext8u(d, x),
  (b, d, x) => b.ext16s(d, x),
  (b, d, x) => b.ext16u(d, x),
  (b, d, x) => b.bswap16(d, x),
  (b, d, x) => b.bswap32(d, x),
  (b, d, x) => b.ctpop(d, x),
];
const ALL_CONDS = Object.values(Cond).filter((c): c is Cond => typeof c === 'number');
const MEMOPS = [MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_UL | MO_SIGN];
/** Memory windows: RAM across a page boundary, the second RAM block, the MMIO device. */
const WINDOWS = [0x1ff0, HARNESS_EXTRA_RAM_BASE + 0x10, HARNESS_MMIO_BASE, 0x3000];

const pureHelper = defineHelper({
  name: 'mix',
  nArgs: 2,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  sideEffects: false,
  fn: (_cpu, a, b) => Math.imul(a ^ 0x5bd1e995, 31) + b,
});
const touchAll = defineHelper({
  name: 'touch_all',
  nArgs: 1,
  hasReturn: true,
  fn: (cpu: ToyCpu, a: number) => {
    cpu.regs[7] = (cpu.regs[7] + a) | 0;
    cpu.sys[SYS.CC_SRC] ^= cpu.regs[0];
    return cpu.regs[6];
  },
});
const raiseIf = defineHelper({
  name: 'raise_if',
  nArgs: 1,
  reads: 'none',
  writes: [R[5]],
  canRaise: true,
  fn: (cpu: ToyCpu, a: number) => {
    cpu.regs[5] = a;
    if ((a & 31) === 5) cpuLoopExitRestore(cpu);
  },
});

const step = fc.record({
  kind: fc.nat(15),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  d: fc.nat(),
  v: fc.oneof(
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    fc.constantFrom(0, 1, -1, 31, 32, 0xff),
  ),
});
type Step = { kind: number; a: number; b: number; c: number; d: number; v: number };

/** Turn random steps into a valid IR program (EBB temps only read where they live). */
function buildRandom(b: IrBuilder, steps: readonly Step[]): void {
  const globals: Temp[] = [...R, CC_DST, CC_SRC, CC_OP];
  const locals = [b.localTemp(), b.localTemp()];
  let ebb: Temp[] = [];
  /** EBB temps created as destinations by the current step: readable from the next one. */
  const fresh: Temp[] = [];
  const pending: Label[] = [];
  let insn = 0;
  b.insnStart(insn++, -1);
  for (const t of locals) b.mov(t, 7);
  const src = (n: number, v: number): Operand => {
    const pool = [...globals, ...locals, ...ebb];
    return n % 5 === 0 ? v : pool[n % pool.length];
  };
  const dst = (n: number): Temp => {
    if (n % 4 === 0) {
      const t = b.temp();
      fresh.push(t);
      return t;
    }
    const pool = [...globals, ...locals, ...ebb];
    return pool[n % pool.length];
  };
  const address = (s: Step): Temp => {
    const t = b.temp();
    b.and(t, src(s.b, s.v), 0x1f);
    b.add(t, t, WINDOWS[s.c % WINDOWS.length]);
    return t;
  };
  for (const s of steps) {
    switch (s.kind) {
      case 0:
      case 1:
        BIN_OPS[s.d % BIN_OPS.length](b, dst(s.a), src(s.b, s.v), src(s.c, s.v));
        break;
      case 2:
        UN_OPS[s.d % UN_OPS.length](b, dst(s.a), src(s.b, s.v));
        break;
      case 3: {
        const ofs = s.c % 32;
        const len = 1 + (s.d % (32 - ofs));
        const x = src(s.b, s.v);
        const y = src(s.d, s.v);
        const d = dst(s.a);
        [
          () => b.deposit(d, x, y, ofs, len),
          () => b.extract(d, x, ofs, len),
          () => b.sextract(d, x, ofs, len),
          () => b.extract2(d, x, y, ofs),
        ][s.v & 3]();
        break;
      }
      case 4: {
        const cond = ALL_CONDS[s.d % ALL_CONDS.length];
        const x = src(s.b, s.v);
        const y = src(s.c, s.v);
        if (s.v & 1) b.setcond(cond, dst(s.a), x, y);
        else if (s.v & 2) b.negsetcond(cond, dst(s.a), x, y);
        else b.movcond(cond, dst(s.a), x, y, src(s.c + 1, s.v), src(s.b + 2, s.v));
        break;
      }
      case 5: {
        const lo = dst(s.a);
        let hi = dst(s.a + 1);
        if (hi === lo) {
          hi = b.temp();
          fresh.push(hi);
        }
        const x = src(s.b, s.v);
        const y = src(s.c, s.v);
        [
          () => b.mulu2(lo, hi, x, y),
          () => b.muls2(lo, hi, x, y),
          () => b.add2(lo, hi, x, y, y, x),
          () => b.sub2(lo, hi, x, y, y, x),
        ][s.d % 4]();
        break;
      }
      case 6: {
        let l: Label;
        if (pending.length > 0 && s.d % 2 === 0) l = pending[s.d % pending.length];
        else {
          l = b.newLabel();
          pending.push(l);
        }
        if (s.v % 7 === 0) b.br(l);
        else b.brcond(ALL_CONDS[s.a % ALL_CONDS.length], src(s.b, s.v), src(s.c, s.v), l);
        break;
      }
      case 7:
        if (pending.length > 0) {
          b.setLabel(pending.splice(s.a % pending.length, 1)[0]);
          ebb = [];
          fresh.length = 0;
        }
        break;
      case 8:
        b.qemuLd(dst(s.a), address(s), MEMOPS[s.d % MEMOPS.length], MMU_PHYS);
        break;
      case 9:
        b.qemuSt(src(s.a, s.v), address(s), MEMOPS[s.d % MEMOPS.length], MMU_PHYS);
        break;
      case 10:
        [
          () => b.call(pureHelper, dst(s.a), src(s.b, s.v), src(s.c, s.v)),
          () => b.call(touchAll, dst(s.a), src(s.b, s.v)),
          () => b.call(raiseIf, null, src(s.b, s.v)),
        ][s.d % 3]();
        break;
      case 11:
        b.insnStart(insn++, -1);
        break;
      case 12:
        if (s.d & 1) b.storeState(src(s.b, s.v), SYS_ARRAY, SYS.EPC + (s.c % 2));
        else b.loadState(dst(s.a), SYS_ARRAY, SYS.EPC + (s.c % 2));
        break;
      default:
        b.mov(dst(s.a), src(s.b, s.v));
    }
    ebb.push(...fresh);
    fresh.length = 0;
  }
  for (const l of pending) b.setLabel(l);
  b.exitTb();
}

describe('random IR programs', () => {
  it('the JS backend and the interpreter agree, with and without the optimizer', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 8, maxLength: 8 }),
        (steps, regs) => {
          runAll((b) => buildRandom(b, steps), { regs });
        },
      ),
      { numRuns: 250 },
    );
  });

  it('the optimizer removes work without changing results', () => {
    let before = 0;
    let after = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 60 }), (steps) => {
        const plain = runIr((b) => buildRandom(b, steps), {
          backend: 'interpreter',
          optimize: false,
        });
        const opt = runIr((b) => buildRandom(b, steps), { backend: 'interpreter', optimize: true });
        expect(opt.regs).toEqual(plain.regs);
        before += plain.ir.ops.length;
        after += opt.ir.ops.length;
      }),
      { numRuns: 60 },
    );
    expect(after).toBeLessThan(before);
  });

  it('generated code has no per-instruction allocation, closure or try', () => {
    const r = runIr(
      (b) =>
        buildRandom(
          b,
          Array.from({ length: 40 }, (_, i) => ({
            kind: i % 13,
            a: i,
            b: i * 3,
            c: i * 7,
            d: i,
            v: i * 12345,
          })),
        ),
      {
        backend: 'js',
        optimize: true,
      },
    );
    // The TB function itself: no closures, no allocation, no BigInt, at most one try.
    const start = r.source!.indexOf('(function tb_');
    expect(start).toBeGreaterThan(0);
    const body = r.source!.slice(start).replace(/throw new Error\('[^']*'\);/, '');
    expect(body.match(/\btry\b/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(body.slice(16)).not.toMatch(/=>|function|new |\[\s*\]|\{\s*\}|BigInt/);
    expect(r.ir.ops.some((op) => op.opc === Opc.QemuLd)).toBe(true);
  });
});
