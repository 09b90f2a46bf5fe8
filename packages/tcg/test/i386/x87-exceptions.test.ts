/**
 * x87 exception paths in guest programs (the protected-mode test kernel records every
 * exception): #NM from CR0.EM/TS and from WAIT with MP+TS, unmasked exceptions delivered
 * as #MF at the next waiting instruction (CR0.NE) or through FERR# to an IRQ13 handler,
 * masked responses, and page faults in the middle of x87 memory accesses.
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { FPU } from '../../src/i386/cpu/state-layout.js';
import { BACKENDS, TestMachine } from './machine.js';
import { pmProgram, RESUME, readRecords } from './pm-kernel.js';
import { assembleX87 } from './x87-asm.js';

const DATA = 0x20000;
const NE_ON = `
    mov eax, cr0
    or eax, 0x20
    mov cr0, eax`;

function boot(backend: BackendKind, body: string, setup?: (m: TestMachine) => void) {
  const m = new TestMachine({ backend, ramSize: 8 << 20 });
  setup?.(m);
  const p = assembleX87(pmProgram(body), { bits: 16, org: 0x1000 });
  m.loadReal('hlt', 0x1000);
  m.load(0x1000, p.bytes);
  const result = m.run();
  return { m, p, result, records: readRecords((a) => m.read32(a)) };
}

describe.each(BACKENDS)('x87 exceptions (%s)', (backend) => {
  it('raises #NM for CR0.EM and CR0.TS, and for WAIT only with MP and TS', () => {
    const { p, records, result } = boot(
      backend,
      `
      mov eax, cr0
      or eax, 4                 ; EM
      mov cr0, eax
      fwait                     ; no #NM: WAIT looks at MP and TS only
      mov dword [${RESUME}], r1
    f1: fld1                    ; #NM (emulate)
    r1:
      mov eax, cr0
      and eax, ~4
      or eax, 8                 ; TS, MP clear
      mov cr0, eax
      fwait                     ; no #NM without MP
      mov dword [${RESUME}], r2
    f2: fldz                    ; #NM (task switched)
    r2:
      mov eax, cr0
      or eax, 2                 ; MP and TS
      mov cr0, eax
      mov dword [${RESUME}], r3
    f3: fwait                   ; #NM
    r3:
      clts                      ; what a lazy FPU switch does in its #NM handler
      fld1                      ; runs now
      fstp dword [${DATA}]
    `,
    );
    expect(result).toBe('halted');
    expect(records.map((r) => [r.vector, r.eip])).toEqual([
      [7, p.symbol('f1')],
      [7, p.symbol('f2')],
      [7, p.symbol('f3')],
    ]);
  });

  it('delivers an unmasked exception as #MF at the next waiting instruction, with FIP/FOP of the culprit', () => {
    const { m, p, records } = boot(
      backend,
      `${NE_ON}
      fninit
      fldcw [cw]
      fld1
      fldz
    culprit:
      fdivp st(1), st           ; 1/0 with ZE unmasked: no result, no pop, no fault yet
      fnstsw ax                 ; does not wait
      mov [${DATA}], ax
      fnstcw [${DATA + 2}]      ; does not wait
      mov dword [${RESUME}], r1
    f1: fld1                    ; #MF here
    r1:
      fnstenv [${DATA + 0x10}]  ; the environment the handler would see
      fnclex
      fld1                      ; no exception pending any more
      fstp dword [${DATA + 4}]
      fldcw [cw]                ; (FNSTENV masked everything)
      mov dword [${RESUME}], r2
      fldz
      fld1
      fdiv st, st(1)
    f2: fwait                   ; FWAIT delivers it too
    r2:
      fninit
      fwait
      jmp done
    cw: dw 0x037b               ; ZE unmasked
    done:
    `,
    );
    expect(records.map((r) => [r.vector, r.eip])).toEqual([
      [16, p.symbol('f1')],
      [16, p.symbol('f2')],
    ]);
    // FNSTSW saw ZE, ES and B; TOP = 6: an unmasked ZE abandons the FDIVP before its pop.
    expect(m.read16(DATA)).toBe(0x8000 | (6 << 11) | 0x80 | 0x04);
    expect(m.read16(DATA + 2)).toBe(0x037b);
    const env = DATA + 0x10;
    expect(m.read32(env + 12)).toBe(p.symbol('culprit'));
    expect(m.read32(env + 16)).toBe(0x08 | (0x6f9 << 16)); // FCS and FOP of DE F9
    expect(new DataView(m.read(DATA + 4, 4).buffer).getFloat32(0, true)).toBe(1);
    expect(m.cpu.fpu[FPU.FSW]).toBe(0);
  });

  it('signals FERR# without CR0.NE: IRQ13 is raised, the instruction goes on, FNCLEX lowers it', () => {
    // The level after each call (a waiting instruction raises it again while it is pending).
    const levels: boolean[] = [];
    const { m, records } = boot(
      backend,
      `
      sti
      fninit
      fldcw [cw]
      fld1
      fldz
      fdivp st(1), st           ; pending ZE
      fld1                      ; FERR# (no #MF): the load still happens
      fstp dword [${DATA}]
      nop
      nop
      fnclex
      fld1
      fstp dword [${DATA + 4}]
      jmp done
    cw: dw 0x037b
    done:
      nop                       ; IRQ13 is taken at a block boundary by now
    `,
      (machine) => {
        machine.cpu.ferr = (level) => {
          if (levels[levels.length - 1] !== level) levels.push(level);
          if (level) machine.pic.raise(0x20 + 13);
        };
      },
    );
    expect(levels).toEqual([true, false]);
    expect(records.map((r) => r.vector)).toEqual([0x2d]);
    expect(new DataView(m.read(DATA, 8).buffer).getFloat32(0, true)).toBe(1);
    expect(new DataView(m.read(DATA, 8).buffer).getFloat32(4, true)).toBe(1);
  });

  it('gives the masked responses: indefinite for stack faults and invalid operations, infinity for x/0', () => {
    const { m } = boot(
      backend,
      `
      fninit
      fadd st, st(1)            ; both empty: underflow, ST0 <- indefinite (kept empty? no: valid)
      fnstsw [${DATA}]
      fstp tword [${DATA + 0x10}]
      fninit
      fld1
      fld1
      fld1
      fld1
      fld1
      fld1
      fld1
      fld1
      fld1                      ; ninth push: overflow, the indefinite replaces ST0
      fnstsw [${DATA + 2}]
      fstp tword [${DATA + 0x20}]
      fninit
      fld1
      fchs
      fsqrt                     ; invalid: indefinite
      fstp tword [${DATA + 0x30}]
      fnstsw [${DATA + 4}]
      fninit
      fld1
      fldz
      fdivp st(1), st           ; +inf with ZE
      fstp tword [${DATA + 0x40}]
      fnstsw [${DATA + 6}]
    `,
    );
    const x80 = (a: number) => {
      const b = m.read(a, 10);
      return Array.from(b.reverse(), (v) => v.toString(16).padStart(2, '0')).join('');
    };
    expect(m.read16(DATA) & 0x3ff).toBe(0x41); // IE SF, C1 = 0 (underflow)
    expect(x80(DATA + 0x10)).toBe('ffffc000000000000000');
    expect(m.read16(DATA + 2) & 0x3ff).toBe(0x241); // IE SF, C1 = 1 (overflow)
    expect(x80(DATA + 0x20)).toBe('ffffc000000000000000');
    expect(m.read16(DATA + 4) & 0x3f).toBe(0x01);
    expect(x80(DATA + 0x30)).toBe('ffffc000000000000000');
    expect(m.read16(DATA + 6) & 0x3f).toBe(0x04);
    expect(x80(DATA + 0x40)).toBe('7fff8000000000000000');
  });

  it('leaves the destination and the stack alone for an unmasked stack underflow, then raises #MF', () => {
    const { m, p, records } = boot(
      backend,
      `${NE_ON}
      fninit
      fldcw [cw]
      fld1
      fst st(1)                 ; to an empty register: fine
      ffree st(1)
      fadd st, st(1)            ; underflow, IE unmasked: ST0 stays 1
      fnstsw [${DATA}]
      fnstenv [${DATA + 0x10}]  ; masks everything, so the next FSTP does not trap
      fstp dword [${DATA + 4}]
      mov dword [${RESUME}], r1
      fnclex
      fldcw [cw]
      fld1
      fldz
      faddp st(7), st           ; ST(7) empty: underflow, unmasked
    f1: fld1
    r1:
      jmp done
    cw: dw 0x037e
    done:
    `,
    );
    expect(m.read16(DATA)).toBe(0x80c1 | (7 << 11)); // B ES SF IE, TOP 7, C1 = 0
    expect(new DataView(m.read(DATA + 4, 4).buffer).getFloat32(0, true)).toBe(1);
    expect(records.map((r) => [r.vector, r.eip])).toEqual([[16, p.symbol('f1')]]);
  });

  it('makes a flag pending when FLDCW unmasks it', () => {
    const { p, records } = boot(
      backend,
      `${NE_ON}
      fninit
      fld1
      fldz
      fdivp st(1), st           ; ZE set, masked
      fldcw [cw]                ; now unmasked: pending
      mov dword [${RESUME}], r1
    f1: fld1
    r1:
      fninit
      jmp done
    cw: dw 0x037b
    done:
    `,
    );
    expect(records.map((r) => [r.vector, r.eip])).toEqual([[16, p.symbol('f1')]]);
  });
});

/** Page directory at 1 MiB; PT0 identity-maps 0-4 MiB; PT1 (4-8 MiB) is empty. */
const PD = 0x100000;
const PT0 = 0x101000;
const PT1 = 0x102000;
const PAGING_ON = `
    mov edi, ${PD}
    mov ecx, 1024 * 3
    xor eax, eax
    cld
    rep stosd
    mov edi, ${PT0}
    mov eax, 3
    mov ecx, 1024
fill_pt0:
    stosd
    add eax, 0x1000
    loop fill_pt0
    mov dword [${PD}], ${PT0 | 3}
    mov dword [${PD + 4}], ${PT1 | 3}
    mov eax, ${PD}
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
`;

describe.each(BACKENDS)('x87 page faults are precise (%s)', (backend) => {
  it('a faulting FLD, FSTP, FNSAVE or FRSTOR leaves the FPU state as it was', () => {
    const { m, p, records } = boot(
      backend,
      `${PAGING_ON}
      mov dword [${PT1 + 4}], 0x200000 | 3     ; 0x401000 -> 0x200000; 0x400000 and 0x402000 absent
      mov dword [0x200000], 0x12345678
      fninit
      fld1
      fldpi
      fnstenv [${DATA}]
      mov dword [${RESUME}], r1
    f1: fld qword [0x400ffc]                  ; #PF on the first half
    r1:
      fnstenv [${DATA + 0x20}]
      fldcw [${DATA}]                          ; FNSTENV masked exceptions: put the CW back
      mov dword [${RESUME}], r2
    f2: fstp qword [0x400ffc]                  ; #PF on the first half: nothing written
    r2:
      fnstenv [${DATA + 0x40}]
      fldcw [${DATA}]
      mov dword [${RESUME}], r3
    f3: fnsave [0x401fc0]                      ; 64 bytes written, then #PF at 0x402000
    r3:
      fnstenv [${DATA + 0x60}]
      fldcw [${DATA}]
      fld1
      fnsave [${DATA + 0x100}]                 ; an image to restore (3 registers)
      fninit
      fld1
      fldpi                                    ; back to the state before
      mov esi, ${DATA + 0x100}
      mov edi, 0x401fc0
      mov ecx, 0x40 / 4
      rep movsd                                ; the part of the image that is mapped
      mov dword [${RESUME}], r4
    f4: frstor [0x401fc0]                      ; #PF at 0x402000, nothing restored
    r4:
      fnstenv [${DATA + 0x80}]
    `,
    );
    expect(records.map((r) => [r.vector, r.eip, r.error, r.cr2])).toEqual([
      [14, p.symbol('f1'), 0, 0x400ffc],
      [14, p.symbol('f2'), 2, 0x400ffc],
      [14, p.symbol('f3'), 2, 0x402000],
      [14, p.symbol('f4'), 0, 0x402000],
    ]);
    // FSW (TOP, flags) and the tags are those from before each faulting instruction.
    const env = (a: number) => [
      m.read32(a) & 0xffff,
      m.read32(a + 4) & 0xffff,
      m.read32(a + 8) & 0xffff,
    ];
    const before = env(DATA);
    expect(before).toEqual([0x037f, 6 << 11, 0x0fff]);
    for (const a of [DATA + 0x20, DATA + 0x40, DATA + 0x60, DATA + 0x80]) {
      expect(env(a).slice(1), `status and tag words saved at ${a.toString(16)}`).toEqual(
        before.slice(1),
      );
    }
    expect(m.read32(0x200000)).toBe(0x12345678);
    expect(m.read32(0x200fc0) & 0xffff).toBe(0x037f); // FNSAVE got as far as the mapped page
  });
});
