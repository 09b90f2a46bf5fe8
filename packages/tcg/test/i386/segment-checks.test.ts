/**
 * Segment limit and type checks on ordinary data accesses: #GP(0), or #SS(0) for
 * SS-relative accesses, at the faulting instruction with the registers it found; nothing
 * generated for flat segments.
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import type { LogSink } from '../../src/core/log.js';
import { SEG_CHECK_ARRAY } from '../../src/i386/cpu/state-layout.js';
import { Desc, makeDescriptor, SystemType } from '../../src/i386/mmu/descriptor.js';
import { BACKENDS, TestMachine } from './machine.js';
import { HALT_ON_FAULT, LDT, pmProgram, RESUME, readRecords, SEL } from './pm-kernel.js';

const DATA = Desc.P | Desc.S | Desc.W | Desc.A;
const DPL3 = 3 << 13;

/** The test LDT: selector (i << 3) | 4 (| 3 for the DPL 3 ones). */
const LDT_DESCRIPTORS: [number, number][] = [
  makeDescriptor(0x200000, 0xfff, DATA | Desc.B), // 0x04: 4 KiB expand-up data
  makeDescriptor(0x300000, 0x0fff, DATA | Desc.E), // 0x0c: expand-down, 16-bit: 0x1000-0xffff
  makeDescriptor(0, 0x0fff, DATA | Desc.E | Desc.B), // 0x14: expand-down, 32-bit: 0x1000-4G
  makeDescriptor(0x40000, 0x1fff, DATA | Desc.B | DPL3), // 0x1c: an 8 KiB ring-3 stack
  makeDescriptor(0x40000, 0x0fff, DATA | Desc.E | Desc.B | DPL3), // 0x24: expand-down ring-3 stack
];
const L = { SMALL: 0x04, DOWN16: 0x0c, DOWN32: 0x14, STACK3: 0x1f, DOWN3: 0x27 } as const;

/** Write the LDT and load it (a new GDT descriptor for selector 0x48 covering it). */
function loadLdt(): string {
  const [lo, hi] = makeDescriptor(
    LDT,
    LDT_DESCRIPTORS.length * 8 - 1,
    Desc.P | (SystemType.Ldt << 8),
  );
  const writes = LDT_DESCRIPTORS.map(
    ([a, b], i) => `mov dword [${LDT + 8 * i}], ${a}\n      mov dword [${LDT + 8 * i + 4}], ${b}`,
  );
  return `
      ${writes.join('\n      ')}
      mov dword [gdt + ${SEL.LDT}], ${lo}
      mov dword [gdt + ${SEL.LDT + 4}], ${hi}
      mov ax, ${SEL.LDT}
      lldt ax`;
}

/** A faulting instruction at label `f<n>`, resumed at `r<n>` (set through segment `seg`). */
function faulting(n: number, insn: string, seg = 'ss'): string {
  return `
      mov dword [${seg}:${RESUME}], r${n}
    f${n}: ${insn}
    r${n}:`;
}

function boot(backend: BackendKind, body: string, log?: LogSink) {
  const m = new TestMachine({ backend, ramSize: 8 << 20, log });
  const p = m.loadReal(pmProgram(loadLdt() + body));
  const result = m.run();
  const records = readRecords((a) => m.read32(a));
  return { m, p, result, records };
}

describe.each(BACKENDS)('segment checks in protected mode (%s)', (backend) => {
  it('faults when the last byte of an access passes an expand-up limit', () => {
    const { m, p, records } = boot(
      backend,
      `
      mov ax, ${L.SMALL}
      mov fs, ax
      mov eax, 0x11223344
      mov [fs:0xffc], eax          ; the last dword: fine
      mov byte [fs:0xfff], 0x55    ; the last byte: fine
      mov ecx, [fs:0xffc]
      ${faulting(1, 'mov [fs:0xffd], eax')}   ; bytes 0xffd-0x1000: #GP(0)
      ${faulting(2, 'mov dx, [fs:0xfff]')}
      ${faulting(3, 'mov bl, [fs:0x1000]')}
      mov esi, 0xfffffffc
      ${faulting(4, 'mov eax, [fs:esi]')}      ; an offset that wraps: outside too
      mov ebx, 0xffe
      cmp ebx, 0xffe                            ; ZF = 1 before the faulting RMW
      ${faulting(5, 'add [fs:ebx], eax')}
      mov [0x20000], ecx
    `,
    );
    expect(m.read32(0x20000)).toBe(0x55223344);
    expect(m.read32(0x200ffc)).toBe(0x55223344);
    expect(records.map((r) => [r.vector, r.error, r.eip])).toEqual(
      [1, 2, 3, 4, 5].map((n) => [13, 0, p.symbol(`f${n}`)]),
    );
    // The faulting ADD left the registers and the flags of the CMP before it.
    expect(records[4].ebx).toBe(0xffe);
    expect(records[4].eflags & 0x40).toBe(0x40);
  });

  it('checks expand-down segments against the limit and the B-bit upper bound', () => {
    const { p, records, m } = boot(
      backend,
      `
      mov ax, ${L.DOWN16}
      mov es, ax
      mov ax, ${L.DOWN32}
      mov gs, ax
      mov dword [es:0x1000], 0x600d     ; the lowest valid offset
      mov word [es:0xfffe], 0x1234      ; the last word below 64 KiB
      mov dword [gs:0x20000], 0x7777    ; B = 1: up to 4 GiB
      ${faulting(1, 'mov eax, [es:0xffc]')}    ; at or below the limit
      ${faulting(2, 'mov eax, [es:0xfffe]')}   ; runs past 0xffff
      ${faulting(3, 'mov eax, [es:0x10000]')}
      ${faulting(4, 'mov byte [gs:0xfff], 1')}
    `,
    );
    expect(m.read32(0x301000)).toBe(0x600d);
    expect(m.read16(0x30fffe)).toBe(0x1234);
    expect(m.read32(0x20000)).toBe(0x7777);
    expect(records.map((r) => [r.vector, r.error, r.eip])).toEqual(
      [1, 2, 3, 4].map((n) => [13, 0, p.symbol(`f${n}`)]),
    );
  });

  it('checks types: read-only data, code through CS, execute-only code, null selectors', () => {
    const { p, records, m } = boot(
      backend,
      `
      mov ax, ${SEL.READ_ONLY}
      mov ds, ax
      mov eax, [0x20000]                  ; reading a read-only segment is fine
      ${faulting(1, 'mov dword [0x20000], 1')}
      ${faulting(2, 'inc dword [0x20000]')}
      mov ax, ${SEL.DATA0}
      mov ds, ax
      mov ecx, [cs:0x20004]               ; readable code: fine
      ${faulting(3, 'mov [cs:0x20004], ecx')} ; never writable
      xor ax, ax
      mov fs, ax                          ; a null selector loads fine...
      ${faulting(4, 'mov eax, [fs:0]')}       ; ...but any access is #GP(0)
      ${faulting(5, 'push dword [fs:0]')}
      jmp ${SEL.EXEC_ONLY}:exec_only
    exec_only:
      mov ebx, 1
      ${faulting(6, 'mov eax, [cs:0x20004]')} ; execute-only: no reads through CS
      mov ebx, 2
      jmp ${SEL.CODE0}:back
    back:
      mov [0x20008], ebx
      mov [0x2000c], ecx
    `,
    );
    expect(m.read32(0x20000)).toBe(0);
    expect(m.read32(0x20008)).toBe(2);
    expect(records.map((r) => [r.vector, r.error, r.eip])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [13, 0, p.symbol(`f${n}`)]),
    );
    expect(records[5].cs).toBe(SEL.EXEC_ONLY);
  });

  it('raises #SS(0) for stack accesses: [EBP]/[ESP] forms, PUSH and POP past the limit', () => {
    const { p, records } = boot(
      backend,
      `
      push ${L.STACK3}
      push 0x1ff8
      pushfd
      push ${SEL.CODE3}
      push user
      iret
    user:
      mov ax, ${SEL.DATA3}
      mov ds, ax
      mov ebp, 0x1ffc
      mov eax, [ebp]                     ; the last dword: fine
      ${faulting(1, 'mov eax, [ebp + 1]', 'ds')}
      ${faulting(2, 'mov eax, [esp + 8]', 'ds')}   ; bytes 0x2000-0x2003: #SS(0)
      ${faulting(3, 'mov ecx, [ss:0x3000]', 'ds')}
      pop eax
      pop eax                            ; ESP = 0x2000, the end of the segment
      ${faulting(4, 'pop eax', 'ds')}
      ${faulting(5, 'ret', 'ds')}
      mov ax, ${L.DOWN3}
      mov ss, ax                         ; expand-down: 0x1000 and up
      mov esp, 0x1004
      push eax                           ; to 0x1000: fine
      ${faulting(6, 'push eax', 'ds')}             ; to 0xffc: stack overflow
      ${faulting(7, 'call near r7', 'ds')}
      int 0x81
    `,
    );
    expect(records.map((r) => [r.vector, r.error, r.eip])).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7].map((n) => [12, 0, p.symbol(`f${n}`)]),
      [0x81, 0, p.symbol('r7') + 2],
    ]);
    // ESP as it was before each faulting instruction.
    expect(records.map((r) => r.esp3)).toEqual([
      0x1ff8, 0x1ff8, 0x1ff8, 0x2000, 0x2000, 0x1000, 0x1000, 0x1000,
    ]);
  });

  it('stops a REP MOVS at the element that leaves the segment, with ESI/EDI/ECX exact', () => {
    const { m, p, records } = boot(
      backend,
      `
      mov edi, 0x200000
      mov ecx, 0x1000 / 4
      mov eax, 0x01010101
      rep stosd
      mov ax, ${L.SMALL}
      mov es, ax
      mov esi, 0x30000
      mov edi, 0xff0
      mov ecx, 32
      cld
      ${faulting(1, 'rep movsb')}
      mov [0x20000], ecx
      mov [0x20004], esi
      mov [0x20008], edi
      mov edi, 0xffc
      mov ecx, 2
      mov eax, 0xabcdabcd
      ${faulting(2, 'rep stosd')}
      mov [0x2000c], ecx
      mov [0x20010], edi
    `,
    );
    expect(records.map((r) => [r.vector, r.error, r.eip])).toEqual([
      [13, 0, p.symbol('f1')],
      [13, 0, p.symbol('f2')],
    ]);
    expect(m.read32(0x20000)).toBe(16);
    expect(m.read32(0x20004)).toBe(0x30010);
    expect(m.read32(0x20008)).toBe(0x1000);
    expect(m.read32(0x2000c)).toBe(1);
    expect(m.read32(0x20010)).toBe(0x1000);
    expect(m.read32(0x200ffc)).toBe(0xabcdabcd);
  });

  it('checks every part of a multi-part operand: CMPXCHG8B, LDS, far pointers, LGDT', () => {
    const { m, p, records } = boot(
      backend,
      `
      mov ax, ${L.SMALL}
      mov fs, ax
      mov dword [fs:0xff8], 5
      mov dword [fs:0xffc], 6
      xor eax, eax
      xor edx, edx
      ${faulting(1, 'cmpxchg8b [fs:0xffc]')}  ; the high dword is past the limit
      mov eax, 5
      mov edx, 6
      mov ebx, 7
      mov ecx, 8
      cmpxchg8b [fs:0xff8]
      ${faulting(2, 'lgs eax, [fs:0xffc]')}   ; the selector half is past the limit
      ${faulting(3, 'jmp far [fs:0xffc]')}
      ${faulting(4, 'lgdt [fs:0xffc]')}
    `,
    );
    expect(records.map((r) => [r.vector, r.error, r.eip])).toEqual(
      [1, 2, 3, 4].map((n) => [13, 0, p.symbol(`f${n}`)]),
    );
    expect(m.read32(0x200ff8)).toBe(7);
    expect(m.read32(0x200ffc)).toBe(8);
    expect(m.cpu.segSelector[5]).toBe(SEL.DATA0);
  });

  it('generates no check for flat segments, and one per access for the others', () => {
    const ops: string[] = [];
    const log: LogSink = {
      enabled: (item) => item === 'op',
      write: (_item, text) => {
        ops.push(text);
      },
    };
    const { p } = boot(
      backend,
      `
      mov esi, 0x20000
      mov edi, 0x21000
      mov ecx, 16
      jmp flat
    flat:
      mov eax, [0x20000]
      add [0x20004], eax
      push eax
      pop ebx
      mov ebp, esp
      mov edx, [ebp]
      rep movsb
      mov ax, ${L.SMALL}
      mov fs, ax
      jmp checked
    checked:
      mov eax, [fs:0x10]
      add [fs:0x14], eax
      hlt
    `,
      log,
    );
    const tbAt = (label: string) =>
      ops.find((t) => t.includes(` ---- 0x${p.symbol(label).toString(16)} `)) ?? '';
    const slot = `state${SEG_CHECK_ARRAY.id}[`;
    expect(tbAt('flat')).toContain('qemu_ld');
    expect(tbAt('flat')).not.toContain(slot);
    // Load, then read-modify-write: three checks, each reading lo and span.
    expect(tbAt('checked').split(slot).length - 1).toBe(6);
  });
});

describe.each(BACKENDS)('segment checks in real and virtual-8086 mode (%s)', (backend) => {
  it('faults on accesses past 64 KiB (#GP, #SS for SS) and allows them in unreal mode', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(`
      mov word [13 * 4], gp_handler
      mov word [13 * 4 + 2], 0
      mov word [12 * 4], ss_handler
      mov word [12 * 4 + 2], 0
      mov al, [0xffff]              ; the last byte: fine
      mov word [resume], r1
    f1: mov ax, [0xffff]            ; a word at 0xffff crosses the limit: #GP
    r1:
      mov bp, 0xfffe
      mov word [resume], r2
    f2: mov eax, [bp]               ; SS-relative: #SS
    r2:
      mov ebx, 0x10000
      mov word [resume], r3
    f3: mov cl, [ebx]               ; a 32-bit offset past the limit
    r3:
      mov word [resume], r4
    f4: mov [es:0xfffd], ebx
    r4:
      ; unreal mode: a 4 GiB limit loaded in protected mode survives the return
      cli
      lgdt [gdt_ptr]
      mov eax, cr0
      or al, 1
      mov cr0, eax
      mov ax, 8
      mov fs, ax
      mov eax, cr0
      and al, 0xfe
      mov cr0, eax
      xor ax, ax
      mov fs, ax
      mov ebx, 0x120000
      mov dword [fs:ebx], 0x4321
      hlt
    gp_handler:
      mov cx, 13
      jmp record
    ss_handler:
      mov cx, 12
    record:
      mov bp, sp
      mov di, [count]
      shl di, 2
      mov [log + di], cx
      mov ax, [bp]
      mov [log + di + 2], ax
      inc word [count]
      mov ax, [resume]
      mov [bp], ax
      iret
    align 8
    gdt:
      dd 0, 0
      dd 0x0000ffff, 0x00cf9200
    gdt_ptr:
      dw 15
      dd gdt
    resume: dw 0
    count: dw 0
    log: times 16 dw 0
    `);
    expect(m.run()).toBe('halted');
    const log = p.symbol('log');
    const n = m.read16(p.symbol('count'));
    const got = Array.from({ length: n }, (_, i) => [
      m.read16(log + 4 * i),
      m.read16(log + 4 * i + 2),
    ]);
    expect(got).toEqual([
      [13, p.symbol('f1')],
      [12, p.symbol('f2')],
      [13, p.symbol('f3')],
      [13, p.symbol('f4')],
    ]);
    expect(m.read32(0x120000)).toBe(0x4321);
  });

  it('raises #GP(0) in virtual-8086 mode for a word at offset 0xffff', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(
      pmProgram(`
      mov dword [${HALT_ON_FAULT}], 1
      push 0
      push 0
      push 0
      push 0
      push 0
      push 0x6000
      push 0x23002
      push 0
      push v86
      iretd
    bits 16
    v86:
      mov ax, 0x200
      mov ds, ax
      mov byte [0xffff], 1
    fault:
      mov [0xffff], ax
      int 0x81
    bits 32
    `),
    );
    expect(m.run()).toBe('halted');
    const records = readRecords((a) => m.read32(a));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ vector: 13, error: 0, eip: p.symbol('fault'), cs: 0 });
    expect(records[0].eflags & 0x20000).toBe(0x20000);
  });
});
