import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { Desc, makeDescriptor } from '../../src/i386/mmu/descriptor.js';
import { BACKENDS, IRQ_ON_READ, TestMachine } from './machine.js';
import {
  HALT_ON_FAULT,
  LDT,
  pmProgram,
  RESUME,
  readRecords,
  SEL,
  toUser,
  USER_STACK,
} from './pm-kernel.js';

const ldtData = makeDescriptor(0x200000, 0xffff, Desc.P | Desc.S | Desc.W | Desc.A | Desc.B);

function boot(backend: BackendKind, body: string, data = '') {
  const m = new TestMachine({ backend });
  const p = m.loadReal(pmProgram(body, data));
  const result = m.run();
  return { m, p, result, records: readRecords((a) => m.read32(a)) };
}

describe.each(BACKENDS)('protected mode (%s)', (backend) => {
  it('switches from real mode to 32-bit protected mode with a far jump', () => {
    const { m, result } = boot(
      backend,
      `
      mov eax, cr0
      mov [0x20000], eax
      mov ax, cs
      mov [0x20004], ax
      mov eax, 0x12345678
      mov al, 'P'
      out 0xe9, al
    `,
    );
    expect(result).toBe('halted');
    expect(m.read32(0x20000) & 1).toBe(1);
    expect(m.read16(0x20004)).toBe(SEL.CODE0);
    expect(m.text).toBe('P');
    const dump = m.cpu.dumpState();
    expect(dump).toContain('CS =0008 00000000 ffffffff 00cf9b00 DPL=0 CS32 [-RA]');
    expect(dump).toContain('SS =0010 00000000 ffffffff 00cf9300 DPL=0 DS   [-WA]');
    expect(dump).toContain('TR =0028 00007000 00000088 00008b00 DPL=0 TSS32-busy');
  });

  it('checks segment loads: #GP, #NP and #SS with the selector as error code', () => {
    const { records, p } = boot(
      backend,
      `
      mov dword [${RESUME}], r1
    f1: mov ax, 0x1234 & ~7
      mov ds, ax            ; beyond the GDT limit: #GP(0x1230)
    r1:
      mov dword [${RESUME}], r2
      mov ax, ${SEL.NOT_PRESENT}
    f2: mov es, ax          ; not present: #NP(0x30)
    r2:
      mov dword [${RESUME}], r3
      mov ax, ${SEL.NOT_PRESENT}
    f3: mov ss, ax          ; not present stack: #SS(0x30)
    r3:
      mov dword [${RESUME}], r4
      mov ax, ${SEL.READ_ONLY}
    f4: mov ss, ax          ; read-only stack segment: #GP(0x50)
    r4:
      mov dword [${RESUME}], r5
      mov ax, ${SEL.EXEC_ONLY}
    f5: mov fs, ax          ; execute-only code into a data register: #GP(0x58)
    r5:
      mov dword [${RESUME}], r6
      xor ax, ax
    f6: mov ss, ax          ; null SS: #GP(0)
    r6:
      xor ax, ax
      mov gs, ax            ; a null selector is fine in GS
      mov dword [${LDT}], ${ldtData[0]}
      mov dword [${LDT + 4}], ${ldtData[1]}
      mov ax, ${SEL.LDT}
      lldt ax
      mov ax, ${SEL.LDT_DATA}
      mov fs, ax            ; an LDT data segment
      mov ax, ${SEL.DATA3}
      mov dword [${RESUME}], r7
    f7: mov ds, ax          ; DPL 3 data at CPL 0 is fine
      mov ax, ${SEL.DATA0}
      mov ds, ax
    r7:
    `,
      `
    `,
    );
    const by = records.map((r) => [r.vector, r.error, r.eip]);
    expect(by).toEqual([
      [13, 0x1230, p.symbol('f1') + 4],
      [11, 0x30, p.symbol('f2')],
      [12, 0x30, p.symbol('f3')],
      [13, 0x50, p.symbol('f4')],
      [13, 0x58, p.symbol('f5')],
      [13, 0, p.symbol('f6')],
    ]);
  });

  it('delivers exceptions with the right vectors and error codes', () => {
    const { records, p, m } = boot(
      backend,
      `
      mov dword [${RESUME}], r1
      xor ecx, ecx
      mov eax, 5
    f1: div ecx
    r1:
      mov dword [${RESUME}], r2
    f2: ud2
    r2:
      mov dword [${RESUME}], r3
    f3: int3
    r3:
      mov dword [${RESUME}], r4
      mov eax, 0x7fffffff
      add eax, 1
    f4: into
    r4:
      mov eax, dr4          ; the DR6 alias without CR4.DE
      mov [0x20000], eax
      mov dword [${RESUME}], r6
      mov eax, 1
    f6: bound eax, [bounds]
    r6:
      mov dword [${RESUME}], r7
    f7: db 0xf0, 0x90       ; LOCK NOP: #UD
    r7:
      mov dword [${RESUME}], r8
    f8: aam 0               ; #DE
    r8:
      mov dword [${RESUME}], r9
      mov ecx, 0x12345       ; no such MSR
    f9: rdmsr
    r9:
      mov dword [${RESUME}], r10
    f10: rdpmc
    r10:
      mov ecx, 0x1b
      rdmsr
      mov [0x20004], eax
      rdtsc
      mov esi, eax
      rdtsc
      sub eax, esi
      mov [0x20008], eax
      nop dword [eax + eax * 2 + 8]   ; a multi-byte NOP with a memory form: no access
      mov dword [0x2000c], 0x600d
    `,
      `
    bounds: dd 5, 10
    `,
    );
    expect(records.map((r) => [r.vector, r.eip])).toEqual([
      [0, p.symbol('f1')],
      [6, p.symbol('f2')],
      [3, p.symbol('f3') + 1],
      [4, p.symbol('f4') + 1],
      [5, p.symbol('f6')],
      [6, p.symbol('f7')],
      [0, p.symbol('f8')],
      [13, p.symbol('f9')],
      [13, p.symbol('f10')],
    ]);
    expect(m.read32(0x20000)).toBe(0xffff0ff0);
    expect(m.read32(0x20004)).toBe(0xfee00900); // IA32_APIC_BASE after reset
    expect(m.read32(0x20008)).toBe(1000); // one TSC tick per virtual nanosecond
    expect(m.read32(0x2000c)).toBe(0x600d);
    // INT3 and INTO are traps: the pushed EIP is after them; the others are faults.
    expect(records[0].eax).toBe(5);
  });

  it('goes to ring 3 with IRET, back to ring 0 through an interrupt gate with a TSS stack switch', () => {
    const { records, m, p } = boot(
      backend,
      `
      ${toUser('user')}
    user:
      mov eax, 0x1111
      mov ebx, cs
      mov ecx, ss
      int 0x80               ; DPL 3 trap gate: allowed
    after_int:
      mov dx, ${SEL.DATA3}   ; the IRET back nulled DS/ES (DPL 0 data at CPL 3)
      mov ds, dx
      mov es, dx
      mov dword [${RESUME}], g1_end
    g1:
      int 0x20               ; DPL 0 gate from CPL 3: #GP(0x20 * 8 + 2)
    g1_end:
      mov dword [${RESUME}], g2_end
      cli                    ; CPL 3 > IOPL 0: #GP(0)
    g2_end:
      mov dword [${RESUME}], g3_end
    g3:
      in al, 0x60            ; port not in the I/O bitmap: #GP(0)
    g3_end:
      mov al, 'u'
      out 0xe9, al           ; allowed by the bitmap
      int 0x81
    `,
    );
    expect(m.text).toBe('u');
    const [sys, gp1, gp2, gp3, exit] = records;
    expect(sys.vector).toBe(0x80);
    expect(sys.cs).toBe(SEL.CODE3);
    expect(sys.eax).toBe(0x1111);
    expect(sys.ebx & 0xffff).toBe(SEL.CODE3);
    expect(sys.ecx & 0xffff).toBe(SEL.DATA3);
    expect(sys.ss3).toBe(SEL.DATA3);
    expect(sys.esp3).toBe(USER_STACK);
    expect(sys.eip).toBe(p.symbol('after_int'));
    expect([gp1.vector, gp1.error, gp1.eip]).toEqual([13, 0x20 * 8 + 2, p.symbol('g1')]);
    expect([gp2.vector, gp2.error, gp2.eip]).toEqual([13, 0, p.symbol('g2_end') - 1]);
    expect([gp3.vector, gp3.error, gp3.eip]).toEqual([13, 0, p.symbol('g3')]);
    expect(exit.vector).toBe(0x81);
    expect(m.cpu.cpl).toBe(0);
  });
});

describe.each(BACKENDS)('virtual-8086 mode (%s)', (backend) => {
  /** IRETD into V86 mode at 0000:label with SS:SP = 0:0x6000 and the given IOPL. */
  const toV86 = (label: string, iopl: number) => `
      push 0
      push 0
      push 0
      push 0
      push 0
      push 0x6000
      push 0x20002 | ${iopl << 12}
      push 0
      push ${label}
      iretd`;

  it('runs 16-bit code with real-mode segments, INT n through the IDT and back', () => {
    const { m, records } = boot(
      backend,
      `
      ${toV86('v86', 3)}
    bits 16
    v86:
      mov ax, 0x200
      mov ds, ax
      mov word [0x10], 0x4242      ; linear 0x2010
      mov bx, 0x1234
      pushf
      pop cx                       ; IOPL = 3 is visible in the pushed FLAGS
      int 0x80                     ; to ring 0 and back with IRET
      mov [0x12], bx
      mov [0x14], cx
      int 0x81
    bits 32
    `,
    );
    expect(m.read16(0x2010)).toBe(0x4242);
    expect(m.read16(0x2012)).toBe(0x1234);
    expect(m.read16(0x2014) & 0x3000).toBe(0x3000);
    const [int80, exit] = records;
    expect(int80.vector).toBe(0x80);
    expect(int80.eflags & 0x20000).toBe(0x20000);
    expect(int80.cs).toBe(0);
    expect(int80.ss3).toBe(0);
    expect(int80.esp3).toBe(0x6000);
    expect(exit.vector).toBe(0x81);
  });

  it('makes CLI, PUSHF, INT n and IRET IOPL-sensitive (#GP when IOPL < 3)', () => {
    const { records, p } = boot(
      backend,
      `
      mov dword [${HALT_ON_FAULT}], 1
      ${toV86('v86', 0)}
    bits 16
    v86:
      nop
    sensitive:
      cli
      hlt
    bits 32
    `,
    );
    expect(records.map((r) => [r.vector, r.error, r.eip, r.cs])).toEqual([
      [13, 0, p.symbol('sensitive'), 0],
    ]);
  });
});

describe.each(BACKENDS)('mode switches as firmware does them (%s)', (backend) => {
  it('goes back to real mode through a 16-bit segment, and returns to protected mode', () => {
    const { m, result } = boot(
      backend,
      `
      mov dword [0x20000], 0
      jmp ${SEL.CODE16}:pm16       ; 16-bit protected mode
    bits 16
    pm16:
      mov ax, ${SEL.DATA16}
      mov ds, ax
      mov es, ax
      mov ss, ax
      mov eax, cr0
      and eax, ~1
      mov cr0, eax                 ; PE off
      jmp 0:real
    real:
      xor ax, ax
      mov ds, ax
      mov ss, ax
      mov sp, 0x6000
      mov ax, 0x2000
      mov es, ax
      mov word [es:0x10], 0x5151   ; linear 0x20010: real-mode segment arithmetic
      clts
      smsw ax
      mov [es:0x12], ax
      lmsw ax                      ; PE can be set with LMSW...
      mov eax, cr0
      or eax, 1
      mov cr0, eax
      jmp dword ${SEL.CODE0}:back32
    bits 32
    back32:
      mov ax, ${SEL.DATA0}
      mov ds, ax
      mov es, ax
      mov ss, ax
      mov esp, 0x90000
      mov dword [0x20000], 0x32323232
    `,
    );
    expect(result).toBe('halted');
    expect(m.read16(0x20010)).toBe(0x5151);
    expect(m.read16(0x20012) & 0xf).toBe(0); // real mode, TS cleared by CLTS
    expect(m.read32(0x20000)).toBe(0x32323232);
    expect(m.cpu.protectedMode).toBe(true);
    expect(m.cpu.dumpState()).toContain('CS =0008');
  });
});

describe.each(BACKENDS)('interrupt shadow of MOV SS (%s)', (backend) => {
  it('takes an interrupt that became pending during MOV SS only after the next instruction', () => {
    const { records, p } = boot(
      backend,
      `
      sti
      nop
      mov ss, [${IRQ_ON_READ}]     ; the read raises vector 0x20
      mov dword [0x20000], 1       ; runs in the MOV SS shadow
    after:
      cli
    `,
    );
    expect(records.map((r) => [r.vector, r.eip])).toEqual([[0x20, p.symbol('after')]]);
  });
});
