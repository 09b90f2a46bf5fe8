/**
 * x87 instruction groups in guest programs, with results a user would check: arithmetic
 * with every memory format, conversions and BCD, FXAM's classes, the constants under each
 * rounding control, precision and rounding control, FCOMI/FCMOVcc, the FNSTSW/SAHF idiom,
 * stack management, and the FSTENV/FSAVE images in their four layouts with the
 * instruction and data pointers.
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { dumpX86State, dumpX87State } from '../../src/i386/cpu/dump.js';
import { CORE, FPREGS_ARRAY, FPU } from '../../src/i386/cpu/state-layout.js';
import { registerTag } from '../../src/i386/fpu/x87-state.js';
import { BACKENDS, TestMachine } from './machine.js';
import { assembleX87 } from './x87-asm.js';

const ORG = 0x10000;

/** Runs a flat 32-bit program (CPL 0, CS 0x08, data 0x10) until HLT. */
function runFlat(backend: BackendKind, source: string) {
  const m = new TestMachine({ backend });
  const p = assembleX87(`${source}\n hlt`, { org: ORG });
  m.loadFlat32('hlt', ORG);
  m.load(ORG, p.bytes);
  m.cpu.core[CORE.EIP] = ORG;
  expect(m.run()).toBe('halted');
  return { m, p, at: (name: string) => p.symbol(name) };
}

const f64 = (m: TestMachine, a: number) => new DataView(m.read(a, 8).buffer).getFloat64(0, true);
const i64 = (m: TestMachine, a: number) => new DataView(m.read(a, 8).buffer).getBigInt64(0, true);
/** An 80-bit value as 20 hex digits, sign/exponent first. */
function x80(m: TestMachine, a: number): string {
  return Array.from(m.read(a, 10).reverse(), (b) => b.toString(16).padStart(2, '0')).join('');
}

describe.each(BACKENDS)('x87 instructions (%s)', (backend) => {
  it('computes with register operands and memory operands of every format', () => {
    const { m, at } = runFlat(
      backend,
      `
      fninit
      fld qword [a]             ; 1.5
      fadd dword [b]            ; + 2.25
      fimul word [c]            ; * -3
      fisub dword [d]           ; - 100000
      fdiv qword [e]            ; / 8
      fld tword [t]             ; 10
      fsubr st, st(1)           ; x - 10
      fmulp st(1), st           ; x * (x - 10)
      fld1
      faddp st(1), st
      fst qword [r]
      fsqrt
      fstp qword [r + 8]
      fild qword [big]          ; exact: 2^60 + 1
      fistp qword [r + 16]
      fld dword [b]
      fchs
      fabs
      fist dword [r + 24]       ; 2.25 rounds to 2
      fistp word [r + 28]
      jmp done
    a: dq 1.5
    b: dd 2.25
    c: dw -3
    d: dd 100000
    e: dq 8.0
    t: dt 0x4002a000000000000000
    big: dq 0x1000000000000001
    r: times 32 db 0
    done:
    `.replace('dt 0x4002a000000000000000', 'dq 0xa000000000000000\n       dw 0x4002'),
    );
    const x = (((1.5 + 2.25) * -3 - 100000) / 8) as number;
    const expected = x * (x - 10) + 1;
    expect(f64(m, at('r'))).toBe(expected);
    expect(f64(m, at('r') + 8)).toBe(Math.sqrt(expected));
    expect(i64(m, at('r') + 16)).toBe(2n ** 60n + 1n);
    expect(m.read32(at('r') + 24)).toBe(2);
    expect(m.read16(at('r') + 28)).toBe(2);
  });

  it('loads and stores packed BCD', () => {
    const { m, at } = runFlat(
      backend,
      `
      fninit
      fbld tword [bcd]          ; -123456789012345678
      fistp qword [r]
      fild qword [n]
      fbstp tword [r + 8]
      fld1
      fchs
      fdiv dword [three]        ; -1/3 rounds to -0
      fbstp tword [r + 20]
      jmp done
    bcd: db 0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80
    n: dq 987654321098765432
    three: dd 3.0
    r: times 32 db 0
    done:
    `,
    );
    expect(i64(m, at('r'))).toBe(-123456789012345678n);
    expect(Array.from(m.read(at('r') + 8, 10))).toEqual([
      0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x54, 0x76, 0x98, 0x00,
    ]);
    expect(Array.from(m.read(at('r') + 20, 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]);
  });

  it('classifies with FXAM: unsupported, NaN, normal, infinity, zero, empty, denormal', () => {
    const values = [
      '40004000000000000000', // unnormal
      'ffffc000000000000001', // NaN
      'bfff8000000000000000', // -1.0
      '7fff8000000000000000', // +inf
      '80000000000000000000', // -0
      '00000000000000000001', // denormal
    ];
    const data = values
      .map((v, i) => `v${i}: dq 0x${v.slice(4)}\n dw 0x${v.slice(0, 4)}`)
      .join('\n');
    const body = values
      .map((_, i) => `fld tword [v${i}]\n fxam\n fnstsw ax\n mov [r + ${2 * i}], ax\n fstp st(0)`)
      .join('\n');
    const { m, at } = runFlat(
      backend,
      `
      fninit
      ${body}
      fxam                      ; empty ST(0)
      fnstsw ax
      mov [r + 12], ax
      jmp done
    ${data}
    r: times 16 db 0
    done:
    `,
    );
    const codes = values.map((_, i) => m.read16(at('r') + 2 * i) & 0x4700);
    // C3 C2 C0 (C1 = sign): 000 unsupported, 001 NaN, 010 normal, 011 infinity, 100 zero,
    // 110 denormal; 101 empty.
    expect(codes).toEqual([0x0000, 0x0300, 0x0600, 0x0500, 0x4200, 0x4400]);
    expect(m.read16(at('r') + 12) & 0x4500).toBe(0x4100);
  });

  it('loads the constants rounded as the rounding control says', () => {
    const { m, at } = runFlat(
      backend,
      `
      fninit
      fldpi
      fstp tword [r]
      fldcw [down]
      fldpi
      fstp tword [r + 10]
      fldl2e
      fstp tword [r + 20]
      fldcw [up]
      fldl2t
      fstp tword [r + 30]
      fldlg2
      fstp tword [r + 40]
      fldz
      fld1
      fldln2
      fstp tword [r + 50]
      jmp done
    down: dw 0x077f
    up: dw 0x0b7f
    r: times 64 db 0
    done:
    `,
    );
    expect(x80(m, at('r'))).toBe('4000c90fdaa22168c235');
    expect(x80(m, at('r') + 10)).toBe('4000c90fdaa22168c234');
    expect(x80(m, at('r') + 20)).toBe('3fffb8aa3b295c17f0bb');
    expect(x80(m, at('r') + 30)).toBe('4000d49a784bcd1b8aff');
    expect(x80(m, at('r') + 40)).toBe('3ffd9a209a84fbcff799');
    expect(x80(m, at('r') + 50)).toBe('3ffeb17217f7d1cf79ac');
  });

  it('honours precision control (24/53/64 bits) in arithmetic but not in loads and stores', () => {
    const { m, at } = runFlat(
      backend,
      `
      fninit
      fldcw [pc24]
      fld1
      fdiv dword [three]
      fstp tword [r]
      fldcw [pc53]
      fld1
      fdiv dword [three]
      fstp tword [r + 10]
      fldcw [pc64]
      fld1
      fdiv dword [three]
      fstp tword [r + 20]
      fldcw [pc24]
      fld qword [third]         ; loads keep every bit whatever the PC
      fstp tword [r + 30]
      jmp done
    pc24: dw 0x007f
    pc53: dw 0x027f
    pc64: dw 0x037f
    three: dd 3.0
    third: dq 0.3333333333333333
    r: times 48 db 0
    done:
    `,
    );
    expect(x80(m, at('r'))).toBe('3ffdaaaaab0000000000');
    expect(x80(m, at('r') + 10)).toBe('3ffdaaaaaaaaaaaaa800');
    expect(x80(m, at('r') + 20)).toBe('3ffdaaaaaaaaaaaaaaab');
    expect(x80(m, at('r') + 30)).toBe('3ffdaaaaaaaaaaaaa800');
  });

  it('rounds to integers under each rounding control (FRNDINT, FIST)', () => {
    const modes = [0x037f, 0x077f, 0x0b7f, 0x0f7f];
    const body = modes
      .map(
        (cw, k) => `
      mov word [cw], ${cw}
      fldcw [cw]
      fld qword [x]
      frndint
      fistp dword [r + ${8 * k}]
      fld qword [y]
      fistp dword [r + ${8 * k + 4}]`,
      )
      .join('\n');
    const { m, at } = runFlat(
      backend,
      `
      fninit
      ${body}
      jmp done
    cw: dw 0
    x: dq 2.5
    y: dq -2.5
    r: times 32 db 0
    done:
    `,
    );
    const read = (k: number) => m.read32(at('r') + k) | 0;
    // nearest-even, down, up, toward zero
    expect([0, 1, 2, 3].map((k) => read(8 * k))).toEqual([2, 2, 3, 2]);
    expect([0, 1, 2, 3].map((k) => read(8 * k + 4))).toEqual([-2, -3, -2, -2]);
  });

  it('compares into EFLAGS with FCOMI and moves on them with FCMOVcc; FNSTSW AX + SAHF branches', () => {
    const { m, at } = runFlat(
      backend,
      `
      fninit
      fld qword [two]
      fld qword [one]           ; ST0 = 1, ST1 = 2
      fcomi st, st(1)
      setb [r]
      setz [r + 1]
      setp [r + 2]
      fcmovb st, st(1)          ; 1 < 2: ST0 = 2
      fst qword [r + 8]
      fld qword [nan]
      fucomip st, st(1)         ; unordered: ZF PF CF
      setp [r + 3]
      fcmovnu st, st(1)         ; not taken after a fresh compare? PF=1: no move
      fcom qword [one]          ; 2 > 1: C3 C2 C0 = 000
      fnstsw ax
      sahf
      ja above
      mov byte [r + 4], 0
      jmp next
    above:
      mov byte [r + 4], 1
    next:
      fcompp
      fnstsw ax
      mov [r + 6], ax
      jmp done
    one: dq 1.0
    two: dq 2.0
    nan: dq 0x7ff8000000000000
    r: times 16 db 0
    done:
    `,
    );
    expect(Array.from(m.read(at('r'), 5))).toEqual([1, 0, 0, 1, 1]);
    expect(f64(m, at('r') + 8)).toBe(2);
    expect((m.read16(at('r') + 6) >> 11) & 7).toBe(0); // both popped
  });

  it('manages the stack: FXCH, FFREE, FINCSTP/FDECSTP and the tag word', () => {
    const { m, at } = runFlat(
      backend,
      `
      fninit
      fldz                      ; R7 zero
      fld1                      ; R6 valid
      fld qword [inf]           ; R5 special
      fxch st(2)                ; ST0 = 0, ST2 = inf
      fstp qword [r]            ; pops the zero
      ffree st(0)               ; R6 empty, TOP stays 6
      fincstp                   ; TOP 7 -> ST0 = R7 (empty since the pop)
      fdecstp                   ; TOP 6
      fnstenv [env]
      jmp done
    inf: dq 0x7ff0000000000000
    r: dq 0
    env: times 28 db 0
    done:
    `,
    );
    expect(f64(m, at('r'))).toBe(0);
    expect(m.read16(at('env') + 4) >> 11).toBe(6);
    // R7 holds the infinity (special, 10) since the exchange; everything else is empty.
    expect(m.read16(at('env') + 8)).toBe(0xbfff);
  });

  it('writes FSTENV/FSAVE in the 32- and 16-bit protected-mode layouts, with FIP/FCS/FOP/FDP/FDS', () => {
    const { m, at } = runFlat(
      backend,
      `
      fninit
      fld1
    culprit:
      fdiv qword [es:divisor + 8]
      fnstenv [env32]
      fldcw [env32]             ; FNSTENV masked every exception; unmask as before
      o16 fnstenv [env16]
      fnsave [save]
      fnstcw [cw_after]
      o16 frstor [save16]
      fnstenv [env_after]
      jmp done
    divisor: dq 0, 3.0
    env32: times 28 db 0
    env16: times 14 db 0
    save: times 108 db 0
    cw_after: dw 0
    save16:
      dw 0x027f, 0x3800 | 0x20, 0x3fff, 0x1234, 0x0008, 0x5678, 0x0010
      dq 0x8000000000000000
      dw 0x3fff
      times 70 db 0
    env_after: times 28 db 0
    done:
    `,
    );
    const env = at('env32');
    expect(m.read32(env) >>> 0).toBe(0xffff037f);
    expect(m.read32(env + 4) >>> 0).toBe((0xffff0000 | (7 << 11) | 0x220) >>> 0); // PE, C1 up
    expect(m.read32(env + 8) >>> 0).toBe(0xffff3fff);
    expect(m.read32(env + 12)).toBe(at('culprit'));
    expect(m.read32(env + 16)).toBe(0x08 | (0x435 << 16)); // DC /6 with ModRM 0x35
    expect(m.read32(env + 20)).toBe(at('divisor') + 8);
    expect(m.read32(env + 24) >>> 0).toBe(0xffff0010); // ES
    const e16 = at('env16');
    expect([0, 2, 4, 6, 8, 10, 12].map((o) => m.read16(e16 + o))).toEqual([
      0x037f,
      (7 << 11) | 0x220,
      0x3fff,
      at('culprit') & 0xffff,
      0x08,
      (at('divisor') + 8) & 0xffff,
      0x10,
    ]);
    const save = at('save');
    expect(m.read32(save + 12)).toBe(at('culprit'));
    expect(x80(m, save + 28)).toBe('3ffdaaaaaaaaaaaaaaab'); // ST0 = 1/3
    expect(m.read16(at('cw_after'))).toBe(0x037f); // FNSAVE reinitialised the FPU
    const after = at('env_after');
    expect(m.read32(after) & 0xffff).toBe(0x027f);
    expect(m.read32(after + 4) & 0xffff).toBe((7 << 11) | 0x20);
    expect(m.read32(after + 12)).toBe(0x1234);
    expect(m.read32(after + 16) & 0xffff).toBe(0x0008);
    expect(m.read32(after + 20)).toBe(0x5678);
    expect(m.cpu.fpregs[7 * 4 + 1] >>> 0).toBe(0x80000000);
  });

  it('reports the x87 state in dumpX87State as QEMU prints it, and keeps MMX aliases special', () => {
    const { m } = runFlat(
      backend,
      `
      fninit
      fld1
      fldz
      `,
    );
    expect(dumpX87State(m.cpu)).toBe(
      [
        'FCW=037f FSW=3000 [ST=6] FTW=c0 MXCSR=00001f80',
        'FPR0=0000000000000000 0000 FPR1=0000000000000000 0000',
        'FPR2=0000000000000000 0000 FPR3=0000000000000000 0000',
        'FPR4=0000000000000000 0000 FPR5=0000000000000000 0000',
        'FPR6=0000000000000000 0000 FPR7=8000000000000000 3fff',
        'XMM00=00000000000000000000000000000000 XMM01=00000000000000000000000000000000',
        'XMM02=00000000000000000000000000000000 XMM03=00000000000000000000000000000000',
        'XMM04=00000000000000000000000000000000 XMM05=00000000000000000000000000000000',
        'XMM06=00000000000000000000000000000000 XMM07=00000000000000000000000000000000',
        '',
      ].join('\n'),
    );
    expect(dumpX86State(m.cpu, false, undefined, true)).toContain(
      'EFER=0000000000000000\nFCW=037f FSW=3000 [ST=6] FTW=c0',
    );
    expect(m.cpu.dumpState()).not.toContain('FCW=');
    expect(m.cpu.dumpState({ fpu: true })).toContain('FPR7=8000000000000000 3fff');
    // XMM lanes print most significant first, as QEMU's XMM%02d=%08x%08x%08x%08x.
    m.cpu.xmm.set([0x11111111, 0x22222222, 0x33333333, 0x44444444], 4);
    expect(dumpX87State(m.cpu)).toContain('XMM01=44444444333333332222222211111111\n');
    // An MMX write leaves 0xffff in the sign/exponent word: FSTENV calls it "special".
    const regs = m.cpu.state[FPREGS_ARRAY.id];
    regs[6 * 4 + 2] = 0xffff;
    expect(registerTag(m.cpu.fpu, regs, 6)).toBe(2);
    expect(m.cpu.fpu[FPU.FTOP]).toBe(6);
  });
});

describe.each(BACKENDS)('x87 in real mode (%s)', (backend) => {
  it('writes the real-mode FSTENV layouts with linear FIP and FDP, and FLDENV reads them back', () => {
    const m = new TestMachine({ backend });
    const p = assembleX87(
      `
      mov ax, 0x200
      mov ds, ax
      fninit
    culprit:
      fld qword [0x10]          ; linear 0x2010
      fnstenv [0x100]           ; 16-bit real layout at 0x2100
      o32 fnstenv [0x120]       ; 32-bit real layout at 0x2120
      fninit
      o32 fldenv [0x120]
      fnstenv [0x140]
      hlt
      `,
      { bits: 16, org: 0x1000 },
    );
    m.loadReal('hlt', 0x1000);
    m.load(0x1000, p.bytes);
    expect(m.run()).toBe('halted');
    const fip = p.symbol('culprit');
    const fop = 0x506; // DD /0 with ModRM 0x06
    expect([0, 2, 4, 6, 8, 10, 12].map((o) => m.read16(0x2100 + o))).toEqual([
      0x037f,
      7 << 11,
      0x7fff, // R7 holds a zero (tag 01)
      fip & 0xffff,
      ((fip >>> 16) << 12) | fop,
      0x2010,
      0,
    ]);
    expect(m.read32(0x2120 + 12) & 0xffff).toBe(fip & 0xffff);
    expect(m.read32(0x2120 + 16)).toBe(((fip >>> 16) << 12) | fop);
    expect(m.read32(0x2120 + 20) & 0xffff).toBe(0x2010);
    expect(m.read32(0x2120 + 24)).toBe(0);
    expect(Array.from(m.read(0x2140, 14))).toEqual(Array.from(m.read(0x2100, 14)));
  });
});
