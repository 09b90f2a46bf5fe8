/**
 * Virtual-8086 mode extensions (CR4.VME) and protected-mode virtual interrupts (CR4.PVI):
 * with IOPL < 3, CLI/STI/PUSHF/POPF/IRET act on VIF, VIP makes enabling interrupts fault,
 * and INT n follows the TSS's interrupt redirection bitmap.
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { CPUID_VME, cpuidLeaf, HONEST_EDX, qemu32Model } from '../../src/i386/cpu/cpuid.js';
import { BACKENDS, TestMachine } from './machine.js';
import { HALT_ON_FAULT, pmProgram, RESUME, readRecords, TSS, toUser } from './pm-kernel.js';

const VME_MODEL = { ...qemu32Model(false), featuresEdx: HONEST_EDX | CPUID_VME };
const IF = 0x200;
const IOPL3 = 0x3000;
const VIF = 0x80000;

/** IRETD into virtual-8086 mode at 0000:label, SS:SP = 0:0x6000, with `eflags` (VM added). */
function toV86(label: string, eflags: number): string {
  return `
      push 0
      push 0
      push 0
      push 0
      push 0
      push 0x6000
      push ${(eflags | 0x20002) >>> 0}
      push 0
      push ${label}
      iretd`;
}

/** CR4.VME and PVI, and a TSS whose redirection bitmap sends only INT 0x42 to the V86 task. */
const VME_SETUP = `
      mov eax, cr4
      or eax, 3
      mov cr4, eax
      mov word [${TSS + 0x66}], 0x88          ; I/O map base: the bitmap below it redirects
      mov edi, ${TSS + 0x68}
      mov ecx, 8
      mov eax, 0xffffffff
      rep stosd
      and byte [${TSS + 0x68 + (0x42 >> 3)}], ~${1 << (0x42 & 7)}
      mov word [0x42 * 4], v86_int42
      mov word [0x42 * 4 + 2], 0
`;

function boot(backend: BackendKind, body: string) {
  const m = new TestMachine({ backend, model: VME_MODEL });
  const p = m.loadReal(pmProgram(body));
  const result = m.run();
  return { m, p, result, records: readRecords((a) => m.read32(a)) };
}

describe.each(BACKENDS)('VME and PVI (%s)', (backend) => {
  it('CLI/STI/PUSHF/POPF act on VIF in V86 mode, INT n is redirected by the bitmap', () => {
    const { m, p, records, result } = boot(
      backend,
      `
      ${VME_SETUP}
      ${toV86('v86', IF)}
    bits 16
    v86:
      pushf
      pop ax
      mov [0x2000], ax              ; VIF = 0: IF shows 0, IOPL shows 3
      sti
      pushf
      pop ax
      mov [0x2002], ax              ; VIF = 1
      cli
      pushf
      pop ax
      mov [0x2004], ax              ; VIF = 0 again
      push word 0x0200
      popf                          ; IF = 1 goes to VIF
      pushf
      pop ax
      mov [0x2006], ax
      mov dword [${RESUME}], r1
    f1:
      pushfd                        ; 32-bit: #GP(0)
    r1:
      xor bx, bx
      int 0x42                      ; redirected: the V86 task's own handler
      mov [0x2008], bx
      pushf
      pop ax
      mov [0x200c], ax              ; its IRET restored VIF from the pushed IF
      mov dword [${RESUME}], r2
    f2:
      int 0x43                      ; not redirected, IOPL < 3: #GP(0)
    r2:
      mov dword [${HALT_ON_FAULT}], 1
    f3:
      hlt
    v86_int42:
      mov bx, 0x4242
      pushf
      pop ax
      mov [0x200a], ax              ; the redirection cleared VIF
      iret
    bits 32
    `,
    );
    expect(result).toBe('halted');
    expect(m.read16(0x2000) & (IF | IOPL3)).toBe(IOPL3);
    expect(m.read16(0x2002) & (IF | IOPL3)).toBe(IF | IOPL3);
    expect(m.read16(0x2004) & IF).toBe(0);
    expect(m.read16(0x2006) & IF).toBe(IF);
    expect(m.read16(0x2008)).toBe(0x4242);
    expect(m.read16(0x200a) & IF).toBe(0);
    expect(m.read16(0x200c) & IF).toBe(IF);
    expect(records.map((r) => [r.vector, r.error, r.eip, r.cs])).toEqual([
      [13, 0, p.symbol('f1'), 0],
      [13, 0, p.symbol('f2'), 0],
      [13, 0, p.symbol('f3'), 0],
    ]);
    // The real IF stayed set all along; the handler saw VIF in EFLAGS.
    expect(records[0].eflags & (IF | VIF)).toBe(IF | VIF);
  });

  it('faults when VIP is set and the guest enables interrupts, or POPF sets TF', () => {
    const { p, records, result } = boot(
      backend,
      `
      ${VME_SETUP}
      ${toV86('v86', 0x100000)}
    bits 16
    v86:
      cli                           ; clearing VIF is always fine
      mov dword [${RESUME}], r1
    f1:
      sti                           ; VIP: #GP(0)
    r1:
      push word 0x0100
      mov dword [${RESUME}], r2
    f2:
      popf                          ; TF: #GP(0)
    r2:
      pop ax
      push word 0x0200
      mov dword [${RESUME}], r3
    f3:
      popf                          ; IF with VIP: #GP(0)
    r3:
      mov dword [${HALT_ON_FAULT}], 1
      hlt
    v86_int42:
      iret
    bits 32
    `,
    );
    expect(result).toBe('halted');
    expect(records.map((r) => [r.vector, r.eip]).slice(0, 3)).toEqual([
      [13, p.symbol('f1')],
      [13, p.symbol('f2')],
      [13, p.symbol('f3')],
    ]);
  });

  it('CLI/STI act on VIF at CPL 3 with CR4.PVI', () => {
    const { m, records } = boot(
      backend,
      `
      mov eax, cr4
      or eax, 2
      mov cr4, eax
      ${toUser('user')}
    user:
      sti
      pushfd
      pop dword [0x20000]
      cli
      pushfd
      pop dword [0x20004]
      int 0x81
    `,
    );
    expect(records.map((r) => r.vector)).toEqual([0x81]);
    expect(m.read32(0x20000) & (IF | VIF)).toBe(VIF);
    expect(m.read32(0x20004) & (IF | VIF)).toBe(0);
  });

  it('CPUID claims vme only in a model that has it; without it CR4.VME is reserved', () => {
    expect(cpuidLeaf(qemu32Model(false), 1, 0)[3] & CPUID_VME).toBe(0);
    expect(cpuidLeaf(VME_MODEL, 1, 0)[3] & CPUID_VME).toBe(CPUID_VME);
    const m = new TestMachine({ backend });
    const p = m.loadReal(
      pmProgram(`
      mov dword [${RESUME}], r1
      mov eax, cr4
      or eax, 1
    f1:
      mov cr4, eax
    r1:
    `),
    );
    m.run();
    expect(readRecords((a) => m.read32(a)).map((r) => [r.vector, r.eip])).toEqual([
      [13, p.symbol('f1')],
    ]);
    expect(m.cpu.cr4 & 1).toBe(0);
  });
});
