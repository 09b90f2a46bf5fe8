import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { BACKENDS, TestMachine } from './machine.js';
import {
  IDT,
  PF_FIX,
  pmProgram,
  RESUME,
  readRecords,
  SEL,
  TSS,
  TSS2,
  toUser,
} from './pm-kernel.js';

/** Page directory at 1 MiB; PT0 identity-maps 0-4 MiB (user, writable); PT1 maps 4-8 MiB, empty. */
const PD = 0x100000;
const PT0 = 0x101000;
const PT1 = 0x102000;
const pte1 = (linear: number) => PT1 + ((linear - 0x400000) >>> 12) * 4;

const PAGING_ON = `
    mov edi, ${PD}
    mov ecx, 1024 * 3
    xor eax, eax
    cld
    rep stosd
    mov edi, ${PT0}
    mov eax, 7
    mov ecx, 1024
fill_pt0:
    stosd
    add eax, 0x1000
    loop fill_pt0
    mov dword [${PD}], ${PT0 | 7}
    mov dword [${PD + 4}], ${PT1 | 7}
    mov eax, ${PD}
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
`;

function boot(backend: BackendKind, body: string, data = '') {
  const m = new TestMachine({ backend, ramSize: 8 << 20 });
  const p = m.loadReal(pmProgram(PAGING_ON + body, data));
  const result = m.run();
  return { m, p, result, records: readRecords((a) => m.read32(a)) };
}

describe.each(BACKENDS)('paging (%s)', (backend) => {
  it('sets accessed and dirty bits, raises #PF with error codes and CR2', () => {
    const { m, p, records } = boot(
      backend,
      `
      mov dword [${pte1(0x400000)}], 0x200000 | 7       ; 0x400000 -> 0x200000, user rw
      mov dword [${pte1(0x401000)}], 0x201000 | 5       ; read-only user page
      mov dword [${pte1(0x402000)}], 0x202000 | 3       ; supervisor page
      mov eax, [0x400000]                               ; read: A
      mov eax, [0x401000]
      mov dword [0x401004], 0x1234                      ; CR0.WP = 0: a supervisor write is allowed
      mov dword [${RESUME}], r1
    f1: mov eax, [0x403000]                             ; not present: #PF(0)
    r1:
      mov dword [${RESUME}], r2
    f2: mov dword [0x404008], 1                         ; not present, write: #PF(2)
    r2:
      mov eax, cr0
      or eax, 0x10000                                   ; CR0.WP
      mov cr0, eax
      mov dword [${RESUME}], r3
    f3: mov dword [0x401008], 1                         ; read-only with WP: #PF(3)
    r3:
      mov eax, [${pte1(0x400000)}]
      mov [0x20000], eax
      mov eax, [${pte1(0x401000)}]
      mov [0x20004], eax
      mov eax, [${PD + 4}]
      mov [0x20008], eax
      mov eax, [0x201004]
      mov [0x2000c], eax
      ${toUser('user')}
    user:
      mov dword [${RESUME}], u1
    g1: mov eax, [0x402000]                             ; supervisor page from CPL 3: #PF(5)
    u1:
      mov dword [${RESUME}], u2
    g2: mov dword [0x401000], 1                         ; read-only from CPL 3: #PF(7)
    u2:
      int 0x81
    `,
    );
    const pf = records.filter((r) => r.vector === 14).map((r) => [r.error, r.cr2, r.eip]);
    expect(pf).toEqual([
      [0, 0x403000, p.symbol('f1')],
      [2, 0x404008, p.symbol('f2')],
      [3, 0x401008, p.symbol('f3')],
      [5, 0x402000, p.symbol('g1')],
      [7, 0x401000, p.symbol('g2')],
    ]);
    expect(m.read32(0x20000) & 0x60).toBe(0x20); // read only: accessed, not dirty
    expect(m.read32(0x20004) & 0x60).toBe(0x60); // written by the supervisor: dirty
    expect(m.read32(0x20008) & 0x20).toBe(0x20); // the PDE is accessed too
    expect(m.read32(0x2000c)).toBe(0x1234);
    expect(m.cr2).toBe(0x401000);
  });

  it('maps 4 MiB pages with CR4.PSE and honours INVLPG and CR3 reloads', () => {
    const { m } = boot(
      backend,
      `
      mov dword [0x3000], 0xaaaa
      mov dword [0x4000], 0xbbbb
      mov eax, cr4
      or eax, 0x10                                     ; PSE
      mov cr4, eax
      mov dword [${PD + 8}], 0x000000 | 0x87           ; 8-12 MiB -> 0-4 MiB, 4 MiB page
      mov eax, [0x803000]
      mov [0x20000], eax
      mov dword [${pte1(0x400000)}], 0x3000 | 3
      mov eax, [0x400000]
      mov [0x20004], eax
      mov dword [${pte1(0x400000)}], 0x4000 | 3        ; remap, then INVLPG
      invlpg [0x400000]
      mov eax, [0x400000]
      mov [0x20008], eax
      mov dword [${pte1(0x400000)}], 0x3000 | 3        ; remap, then reload CR3
      mov eax, cr3
      mov cr3, eax
      mov eax, [0x400000]
      mov [0x2000c], eax
      mov eax, [${PD + 8}]
      mov [0x20010], eax
    `,
    );
    expect(m.read32(0x20000)).toBe(0xaaaa);
    expect(m.read32(0x20004)).toBe(0xaaaa);
    expect(m.read32(0x20008)).toBe(0xbbbb);
    expect(m.read32(0x2000c)).toBe(0xaaaa);
    expect(m.read32(0x20010) & 0x20).toBe(0x20);
  });

  it('restarts a REP MOVSD interrupted by a page fault where it stopped', () => {
    const { m, records } = boot(
      backend,
      `
      mov edi, 0x200000
      mov ecx, 0x200
      xor eax, eax
    fill:
      mov [edi], eax
      add edi, 4
      inc eax
      loop fill
      mov dword [${pte1(0x400000)}], 0x300000 | 3
      mov dword [${pte1(0x401000)}], 0x301000 | 2      ; not present yet
      mov dword [${PF_FIX}], ${pte1(0x401000)}
      mov esi, 0x200000
      mov edi, 0x400f00
      mov ecx, 0x200
      cld
      rep movsd
      mov [0x20000], ecx
      mov [0x20004], esi
      mov [0x20008], edi
    `,
    );
    expect(records).toHaveLength(1);
    const [pf] = records;
    expect(pf.vector).toBe(14);
    expect(pf.error).toBe(2);
    expect(pf.cr2).toBe(0x401000);
    // 0x100 bytes (64 dwords) were copied before the fault.
    expect(pf.ecx).toBe(0x200 - 64);
    expect(pf.esi).toBe(0x200100);
    expect(pf.edi).toBe(0x401000);
    expect(m.read32(0x20000)).toBe(0);
    expect(m.read32(0x20004)).toBe(0x200800);
    expect(m.read32(0x20008)).toBe(0x401700);
    for (let i = 0; i < 0x200; i++) expect(m.read32(0x300f00 + 4 * i)).toBe(i);
  });

  it('restores every register, EIP and the lazy flags when a fault hits the middle of a block', () => {
    const { p, records } = boot(
      backend,
      `
      mov dword [${RESUME}], r1
      mov esi, 0x11
      mov eax, 3
      mov ebx, 2
      add esi, ebx
      cmp eax, 5
      lea edi, [eax + ebx * 4]
    f1:
      mov ecx, [0x405000]          ; not present
      mov eax, 99
      mov ebx, 99
    r1:
    `,
    );
    expect(records).toHaveLength(1);
    const [r] = records;
    expect(r.eip).toBe(p.symbol('f1'));
    expect([r.eax, r.ebx, r.esi, r.edi]).toEqual([3, 2, 0x13, 11]);
    // The flags of CMP 3, 5: CF SF AF (0xfffffffe has odd parity).
    expect(r.eflags & 0x8d5).toBe(0x91);
  });

  it('runs self-modifying code: a store into the current block changes the next instruction', () => {
    const { m } = boot(
      backend,
      `
      xor edx, edx
      mov ecx, 3
    again:
    patch:
      mov eax, 1
      add edx, eax
      mov dword [patch + 1], 10     ; the next iteration adds 10
      dec ecx
      jnz again
      mov [0x20000], edx
      mov byte [next + 1], 7        ; the very next instruction
    next:
      mov bl, 1
      mov [0x20004], bl
    `,
    );
    expect(m.read32(0x20000)).toBe(21);
    expect(m.read(0x20004, 1)[0]).toBe(7);
    expect(m.engine.statistics().tbInvalidated).toBeGreaterThan(0);
  });

  it('turns a fault during delivery into #DF, and a fault during #DF into a reset', () => {
    const m = new TestMachine({ backend, ramSize: 8 << 20 });
    const p = m.loadReal(
      pmProgram(`
      and byte [${IDT + 13 * 8 + 5}], 0x7f      ; the #GP gate is not present
      mov dword [${RESUME}], r1
      mov ax, 0x1230
    f1:
      mov ds, ax                              ; #GP -> #NP on its gate -> #DF
    r1:
      and byte [${IDT + 8 * 8 + 5}], 0x7f      ; now #DF's gate is not present either
      mov ax, 0x1230
      mov ds, ax                              ; #GP -> #NP -> #DF -> triple fault
      hlt
    `),
    );
    expect(m.run()).toBe('reset');
    expect(m.cpu.resetRequested).toBe(true);
    const records = readRecords((a) => m.read32(a));
    expect(records.map((r) => [r.vector, r.error])).toEqual([[8, 0]]);
    expect(p.symbol('f1')).toBeGreaterThan(0);
  });
});

describe.each(BACKENDS)('system instructions (%s)', (backend) => {
  it('SYSENTER and SYSEXIT between ring 3 and ring 0', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(
      pmProgram(`
      mov ecx, 0x174
      mov eax, ${SEL.CODE0}
      xor edx, edx
      wrmsr
      mov ecx, 0x175
      mov eax, 0x88000
      wrmsr
      mov ecx, 0x176
      mov eax, kernel_entry
      wrmsr
      ${toUser('user')}
    user:
      mov esi, 0x5150
      mov ecx, esp
      mov edx, back
      sysenter
    back:
      mov [0x20008], cs
      int 0x81
    kernel_entry:
      mov [0x20000], cs
      mov [0x20004], esp
      mov [0x2000c], esi
      sysexit
    `),
    );
    m.run();
    expect(m.read16(0x20000)).toBe(SEL.CODE0);
    expect(m.read32(0x20004)).toBe(0x88000);
    expect(m.read16(0x20008)).toBe(SEL.CODE3);
    expect(m.read32(0x2000c)).toBe(0x5150);
    expect(p.symbol('back')).toBeGreaterThan(0);
  });

  it('calls into ring 0 through a call gate and returns to ring 3', () => {
    const m = new TestMachine({ backend });
    m.loadReal(
      pmProgram(`
      ${toUser('user')}
    user:
      xor ebp, ebp
      call ${SEL.CALL_GATE3}:0
      mov [0x20000], ebp
      mov [0x20004], cs
      mov [0x20008], esp
      int 0x81
    `),
    );
    m.run();
    expect(m.read32(0x20000)).toBe(0xca11);
    expect(m.read16(0x20004)).toBe(SEL.CODE3);
    expect(m.read32(0x20008)).toBe(0x70000);
  });

  it('reads descriptor tables and rights: SGDT SIDT SLDT STR SMSW LAR LSL VERR VERW ARPL', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(
      pmProgram(`
      sgdt [0x20000]
      sidt [0x20008]
      str ax
      mov [0x20010], ax
      sldt ax
      mov [0x20012], ax
      smsw ax
      mov [0x20014], ax
      mov bx, ${SEL.CODE0}
      lar eax, bx
      mov [0x20018], eax
      lsl eax, bx
      mov [0x2001c], eax
      mov bx, ${SEL.TSS}
      lsl eax, bx
      mov [0x20020], eax
      mov eax, 0x77
      mov bx, ${SEL.CALL_GATE3}
      lsl eax, bx                   ; a call gate has no limit: ZF = 0, EAX kept
      setz byte [0x20024]
      mov [0x20028], eax
      mov bx, ${SEL.EXEC_ONLY}
      verr bx
      setz byte [0x2002c]
      mov bx, ${SEL.CODE0}
      verr bx
      setz byte [0x2002d]
      verw bx
      setz byte [0x2002e]
      mov bx, ${SEL.DATA0}
      verw bx
      setz byte [0x2002f]
      mov ax, 0x10
      mov bx, 0x1b
      arpl ax, bx
      setz byte [0x20030]
      mov [0x20032], ax
      arpl ax, bx
      setz byte [0x20034]
    `),
    );
    m.run();
    expect(m.read16(0x20000)).toBe(0x87);
    expect(m.read32(0x20002)).toBe(p.symbol('gdt'));
    expect(m.read16(0x20008)).toBe(0x7ff);
    expect(m.read32(0x2000a)).toBe(0x8000);
    expect(m.read16(0x20010)).toBe(SEL.TSS);
    expect(m.read16(0x20012)).toBe(0);
    expect(m.read16(0x20014) & 0x11).toBe(0x11);
    // LAR: bits 16-19 (the limit's high nibble) are undefined; QEMU clears them, so do we.
    expect(m.read32(0x20018)).toBe(0x00c09b00);
    expect(m.read32(0x2001c)).toBe(0xffffffff);
    expect(m.read32(0x20020)).toBe(0x88);
    expect(m.read(0x20024, 1)[0]).toBe(0);
    expect(m.read32(0x20028)).toBe(0x77);
    expect([...m.read(0x2002c, 4)]).toEqual([0, 1, 0, 1]);
    expect(m.read(0x20030, 1)[0]).toBe(1);
    expect(m.read16(0x20032)).toBe(0x13);
    expect(m.read(0x20034, 1)[0]).toBe(0);
  });

  it('takes a hardware interrupt through the IDT', () => {
    const m = new TestMachine({ backend });
    m.loadReal(
      pmProgram(`
      mov al, 0x21
      out 0xf0, al
      sti
      nop
      cli
      mov [0x20000], eax
    `),
    );
    m.run();
    const records = readRecords((a) => m.read32(a));
    expect(records.map((r) => r.vector)).toEqual([0x21]);
    expect(records[0].eflags & 0x200).toBe(0x200);
  });
});

describe.each(BACKENDS)('hardware task switches (%s)', (backend) => {
  /** Fill TSS2: EIP, EFLAGS, ESP, segments, CR3 0 (no paging). */
  const initTss2 = (entry: string) => `
      mov dword [${TSS2 + 0x20}], ${entry}
      mov dword [${TSS2 + 0x24}], 0x2
      mov dword [${TSS2 + 0x38}], 0x60000
      mov dword [${TSS2 + 0x28}], 0xaaaa      ; EAX of the new task
      mov word [${TSS2 + 0x4c}], ${SEL.CODE0}
      mov word [${TSS2 + 0x50}], ${SEL.DATA0}
      mov word [${TSS2 + 0x54}], ${SEL.DATA0}
      mov word [${TSS2 + 0x48}], ${SEL.DATA0}
    `;

  it('CALLs a task and returns to the caller with IRET through the back link', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(
      pmProgram(`
      ${initTss2('task2')}
      mov ebx, 0x1111
      call ${SEL.TSS2}:0
    back:
      mov [0x20000], eax          ; the caller's EAX survives
      str ax
      mov [0x20004], ax
      pushfd
      pop dword [0x20008]
      mov eax, cr0
      mov [0x2000c], eax
      jmp done
    task2:
      mov [0x20010], eax          ; EAX from TSS2
      str ax
      mov [0x20014], ax
      pushfd
      pop dword [0x20018]         ; NT set by the CALL
      mov eax, 0x2222
      iret                        ; back to the caller
    done:
      `),
    );
    m.cpu.regs[0] = 0;
    expect(m.run()).toBe('halted');
    expect(m.read32(0x20010)).toBe(0xaaaa);
    expect(m.read16(0x20014)).toBe(SEL.TSS2);
    expect(m.read32(0x20018) & 0x4000).toBe(0x4000);
    expect(m.read16(0x20004)).toBe(SEL.TSS);
    expect(m.read32(0x20008) & 0x4000).toBe(0);
    expect(m.read32(0x2000c) & 8).toBe(8); // CR0.TS after a task switch
    expect(m.read16(TSS2)).toBe(SEL.TSS); // back link
    // The caller's state was saved in its TSS: EIP after the CALL, EBX.
    expect(m.read32(TSS + 0x20)).toBe(p.symbol('back'));
    expect(m.read32(TSS + 0x28 + 3 * 4)).toBe(0x1111);
    // TSS2 is free again, TSS busy.
    const gdt = p.symbol('gdt');
    expect((m.read32(gdt + SEL.TSS2 + 4) >> 8) & 0xf).toBe(9);
    expect((m.read32(gdt + SEL.TSS + 4) >> 8) & 0xf).toBe(11);
  });

  it('handles a double fault through a task gate, with the error code on the new stack', () => {
    const m = new TestMachine({ backend });
    m.loadReal(
      pmProgram(`
      ${initTss2('df_task')}
      mov word [${IDT + 8 * 8 + 2}], ${SEL.TSS2}  ; IDT[8] = task gate -> TSS2
      mov word [${IDT + 8 * 8 + 4}], 0x8500
      and byte [${IDT + 13 * 8 + 5}], 0x7f      ; #GP gate not present: #GP -> #NP -> #DF
      mov ax, 0x1230
      mov ds, ax
      hlt
    df_task:
      pop eax                                 ; the error code
      mov [0x20000], eax
      mov [0x20004], esp
      mov eax, [${TSS + 0x20}]                ; the faulting task's EIP
      mov [0x20008], eax
      hlt
      `),
    );
    expect(m.run()).toBe('halted');
    expect(m.read32(0x20000)).toBe(0);
    expect(m.read32(0x20004)).toBe(0x60000);
    expect(m.read32(0x20008)).toBeGreaterThan(0x1000);
  });
});

describe.each(BACKENDS)('PAE paging (%s)', (backend) => {
  it('walks 3-level tables with 2 MiB and 4 KiB pages and 64-bit entries', () => {
    const m = new TestMachine({ backend, ramSize: 8 << 20 });
    const PDPT = 0x104000;
    const PD0 = 0x105000;
    const PD1 = 0x106000;
    const PT = 0x107000;
    m.loadReal(
      pmProgram(`
      mov edi, ${PDPT}
      mov ecx, 0x4000 / 4
      xor eax, eax
      rep stosd
      mov dword [${PDPT}], ${PD0 | 1}
      mov dword [${PDPT + 8}], ${PD1 | 1}
      mov dword [${PD0}], 0x000000 | 0x83          ; 0-2 MiB: a 2 MiB page, rw
      mov dword [${PD0 + 8}], 0x200000 | 0x83      ; 2-4 MiB
      mov dword [${PD1}], ${PT | 7}                ; 1 GiB + 0: a page table
      mov dword [${PT + 8}], 0x300000 | 3          ; 0x40001000 -> 0x300000
      mov dword [0x300010], 0xfeedface
      mov eax, cr4
      or eax, 0x20                                 ; PAE
      mov cr4, eax
      mov eax, ${PDPT}
      mov cr3, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov eax, [0x40001010]
      mov [0x20000], eax
      mov dword [0x40001020], 1
      mov eax, [${PT + 8}]
      mov [0x20004], eax
      mov eax, [${PD0}]
      mov [0x20008], eax
      mov dword [${RESUME}], r1
    f1:
      mov eax, [0x40002000]                        ; not present: #PF(0)
    r1:
      `),
    );
    expect(m.run()).toBe('halted');
    expect(m.read32(0x20000)).toBe(0xfeedface);
    expect(m.read32(0x20004) & 0x60).toBe(0x60);
    expect(m.read32(0x20008) & 0x20).toBe(0x20);
    const records = readRecords((a) => m.read32(a));
    expect(records.map((r) => [r.vector, r.error, r.cr2])).toEqual([[14, 0, 0x40002000]]);
  });
});
