/**
 * Debug registers: instruction breakpoints (faults, suppressed by RF), data breakpoints
 * (traps after the access, precise even inside a block or a REP), I/O breakpoints, and the
 * DR6 status bits B0-B3, BS, BT and BD.
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { BACKENDS, TestMachine } from './machine.js';
import { IDT, PF_FIX, pmProgram, RESUME, readRecords, SEL, TSS2 } from './pm-kernel.js';

/** DR7 bits of breakpoint n: enabled (local), type RW (0 exec, 1 write, 2 I/O, 3 rw), LEN. */
function dr7(n: number, rw: number, len: number): number {
  return ((1 << (2 * n)) | (rw << (16 + 4 * n)) | (len << (18 + 4 * n))) >>> 0;
}
const LEN1 = 0;
const LEN2 = 1;
const LEN4 = 3;

/**
 * A #DB handler that logs [DR6, pushed EIP, EBX, pushed EFLAGS, DR7] per trap, clears DR6,
 * sets RF and clears TF in the pushed EFLAGS, and returns.
 */
const DB_HANDLER = `
db_handler:
    push eax
    push ecx
    mov ecx, [db_count]
    imul ecx, ecx, 20
    mov eax, dr6
    mov [db_log + ecx], eax
    mov eax, [esp + 8]
    mov [db_log + ecx + 4], eax
    mov [db_log + ecx + 8], ebx
    mov eax, [esp + 16]
    mov [db_log + ecx + 12], eax
    mov eax, dr7
    mov [db_log + ecx + 16], eax
    inc dword [db_count]
    or dword [esp + 16], 0x10000
    and dword [esp + 16], ~0x100
    mov eax, 0xffff0ff0
    mov dr6, eax
    pop ecx
    pop eax
    iret
align 4
db_count: dd 0
db_log: times 100 dd 0
align 16
watched: times 16 db 0
`;

const INSTALL_DB = `
      mov eax, db_handler
      mov [${IDT + 8}], ax
      shr eax, 16
      mov [${IDT + 14}], ax
`;

interface DbRecord {
  dr6: number;
  eip: number;
  ebx: number;
  eflags: number;
  dr7: number;
}

function run(backend: BackendKind, body: string) {
  const m = new TestMachine({ backend, ramSize: 8 << 20 });
  const p = m.loadReal(pmProgram(INSTALL_DB + body, DB_HANDLER));
  const result = m.run();
  const base = p.symbol('db_log');
  const traps: DbRecord[] = [];
  for (let i = 0; i < m.read32(p.symbol('db_count')); i++) {
    const w = (k: number) => m.read32(base + 20 * i + 4 * k);
    traps.push({ dr6: w(0), eip: w(1), ebx: w(2), eflags: w(3), dr7: w(4) });
  }
  return { m, p, result, traps, records: readRecords((a) => m.read32(a)) };
}

describe.each(BACKENDS)('debug registers (%s)', (backend) => {
  it('raises an instruction breakpoint before the instruction, each time, RF letting it run', () => {
    const { m, p, traps, result } = run(
      backend,
      `
      mov eax, target
      mov dr0, eax
      mov eax, ${dr7(0, 0, LEN1)}
      mov dr7, eax
      mov ecx, 3
    top:
      xor ebx, ebx
    target:
      mov ebx, 0x5a
      add [0x20000], ebx
      loop top
      xor eax, eax
      mov dr7, eax
      mov eax, cr0        ; DR0 still points at target, but nothing is enabled
      jmp target2
    target2:
    `,
    );
    expect(result).toBe('halted');
    expect(m.read32(0x20000)).toBe(3 * 0x5a);
    expect(traps).toHaveLength(3);
    for (const t of traps) {
      expect(t.eip).toBe(p.symbol('target'));
      expect(t.ebx).toBe(0); // the breakpointed instruction had not run yet
      expect(t.dr6).toBe(0xffff0ff1); // B0
      expect(t.eflags & 0x10000).toBe(0); // an instruction breakpoint pushes RF as it was
    }
  });

  it('raises a breakpoint on a long REP once, although the REP runs in chunks', () => {
    const { m, p, traps } = run(
      backend,
      `
      mov eax, copy
      mov dr0, eax
      mov eax, ${dr7(0, 0, LEN1)}
      mov dr7, eax
      mov esi, 0x100000
      mov edi, 0x200000
      mov ecx, 0x30000
      cld
    copy:
      rep movsb
      mov [0x20000], ecx
      xor eax, eax
      mov dr7, eax
    `,
    );
    expect(traps.map((t) => t.eip)).toEqual([p.symbol('copy')]);
    expect(m.read32(0x20000)).toBe(0);
  });

  it('pushes RF with a fault, so that the retried instruction does not hit its breakpoint again', () => {
    const { m, p, traps, records } = run(
      backend,
      `
      mov edi, 0x100000                   ; page tables: 0-4 MiB identity, 4-8 MiB empty
      mov ecx, 1024 * 3
      xor eax, eax
      cld
      rep stosd
      mov edi, 0x101000
      mov eax, 7
      mov ecx, 1024
    fill:
      stosd
      add eax, 0x1000
      loop fill
      mov dword [0x100000], 0x101007
      mov dword [0x100004], 0x102007
      mov dword [0x102000], 0x200006      ; 0x400000 -> 0x200000, not present yet
      mov eax, 0x100000
      mov cr3, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov dword [${PF_FIX}], 0x102000     ; the #PF handler sets P and retries
      mov eax, target
      mov dr0, eax
      mov eax, ${dr7(0, 0, LEN1)}
      mov dr7, eax
      mov ebx, 0x66
    target:
      mov [0x400010], ebx                 ; #DB, then #PF, then it runs
      xor eax, eax
      mov dr7, eax
    `,
    );
    expect(traps.map((t) => t.eip)).toEqual([p.symbol('target')]);
    expect(records.map((r) => [r.vector, r.eip, r.eflags & 0x10000])).toEqual([
      [14, p.symbol('target'), 0x10000],
    ]);
    expect(m.read32(0x200010)).toBe(0x66);
  });

  it('raises data breakpoints as traps after the access, by type and length', () => {
    const { m, p, traps } = run(
      backend,
      `
      mov eax, watched
      mov dr1, eax
      mov eax, watched + 9          ; a 2-byte breakpoint: the low bit is ignored
      mov dr2, eax
      mov eax, ${dr7(1, 1, LEN4) | dr7(2, 3, LEN2)}
      mov dr7, eax
      mov eax, [watched]            ; a read of a write breakpoint: nothing
      mov ebx, 0x77
      mov [watched + 4], ebx        ; outside: nothing
      mov [watched + 2], bx         ; overlaps bytes 2-3: a trap after it
    after_w1:
      mov ecx, [watched + 12]       ; the same page, nothing
      mov bl, [watched + 7]         ; the byte before the 2-byte one (8-9): nothing
      mov ebx, 0x99
      mov al, [watched + 9]         ; read/write breakpoint, read: a trap
    after_r2:
      xor eax, eax
      mov dr7, eax
      mov [watched], al             ; disabled: nothing
    `,
    );
    expect(traps.map((t) => [t.dr6 >>> 0, t.eip, t.ebx])).toEqual([
      [0xffff0ff2, p.symbol('after_w1'), 0x77], // B1
      [0xffff0ff4, p.symbol('after_r2'), 0x99], // B2
    ]);
    expect(m.read16(p.symbol('watched') + 2)).toBe(0x77);
    expect(traps[0].eflags & 0x10000).toBe(0); // a trap pushes RF clear
  });

  it('traps after the element of a REP MOVSD and after the push of a CALL', () => {
    const { m, p, traps } = run(
      backend,
      `
      mov eax, 0x30000 + 8
      mov dr3, eax
      mov eax, 0x80000 - 4          ; the slot a CALL pushes its return address to
      mov dr0, eax
      mov eax, ${dr7(3, 1, LEN4) | dr7(0, 1, LEN4)}
      mov dr7, eax
      mov esi, 0x31000
      mov edi, 0x30000
      mov ecx, 8
      cld
      mov ebx, 1
    copy:
      rep movsd                     ; the 3rd dword lands on the breakpoint
      mov [0x20000], ecx
      mov esp, 0x80000
      mov ebx, 2
      call func
      jmp done
    func:
      mov ebx, 3
      ret
    done:
      xor eax, eax
      mov dr7, eax
    `,
    );
    expect(traps.map((t) => [t.dr6 >>> 0, t.eip, t.ebx])).toEqual([
      [0xffff0ff8, p.symbol('copy'), 1], // after the iteration: ECX = 5 left, EIP at the REP
      [0xffff0ff1, p.symbol('func'), 2], // after the CALL
    ]);
    expect(m.read32(0x20000)).toBe(0);
  });

  it('reports BS with the data breakpoints of a single-stepped instruction, and BD', () => {
    const { p, traps, records } = run(
      backend,
      `
      mov eax, watched
      mov dr1, eax
      mov eax, ${dr7(1, 1, LEN4)}
      mov dr7, eax
      mov ebx, 5
      pushfd
      or dword [esp], 0x100
      popfd
      mov [watched], ebx            ; single-stepped, and meets breakpoint 1
    after_tf:
      mov eax, ${dr7(1, 1, LEN4) | 0x2000}
      mov dr7, eax                  ; DR7.GD: the next debug register access is a #DB
      mov ebx, 6
    gd:
      mov eax, dr0
      mov [0x20000], eax
      mov eax, 0x2000
      mov dr7, eax                  ; GD again, and now DR4 with CR4.DE...
      mov eax, cr4
      or eax, 8
      mov cr4, eax
      mov dword [${RESUME}], r1
    f1:
      mov eax, dr4                  ; #UD comes before general detect
    r1:
    `,
    );
    expect(traps.map((t) => [t.dr6 >>> 0, t.eip, t.ebx, t.dr7 & 0x2000])).toEqual([
      [0xffff4ff2, p.symbol('after_tf'), 5, 0], // BS and B1 in one #DB
      [0xffff2ff0, p.symbol('gd'), 6, 0], // BD, a fault; GD cleared for the handler
    ]);
    expect(records.map((r) => [r.vector, r.eip])).toEqual([[6, p.symbol('f1')]]);
  });

  it('reports BT after a task switch to a TSS with the T bit, and clears local enables', () => {
    const { m, p, traps } = run(
      backend,
      `
      mov dword [${TSS2 + 0x20}], task2
      mov dword [${TSS2 + 0x24}], 0x2
      mov dword [${TSS2 + 0x38}], 0x60000
      mov word [${TSS2 + 0x4c}], ${SEL.CODE0}
      mov word [${TSS2 + 0x50}], ${SEL.DATA0}
      mov word [${TSS2 + 0x54}], ${SEL.DATA0}
      mov word [${TSS2 + 0x48}], ${SEL.DATA0}
      mov word [${TSS2 + 0x64}], 1           ; T: debug trap on entry
      mov eax, 0x1000
      mov dr0, eax
      mov dr1, eax
      mov eax, ${dr7(0, 1, LEN4) | ((dr7(1, 1, LEN4) & ~4) | 8)} ; L0 and G1
      mov dr7, eax
      mov ebx, 0x7
      call ${SEL.TSS2}:0
      jmp done
    task2:
      mov eax, dr7
      mov [0x20000], eax
      iret
    done:
    `,
    );
    expect(traps.map((t) => [t.dr6 >>> 0, t.eip])).toEqual([[0xffff8ff0, p.symbol('task2')]]);
    expect(m.read32(0x20000) & 0xff).toBe(8); // L0 cleared, G1 kept
  });

  it('raises I/O breakpoints with CR4.DE after IN/OUT/OUTS, and ignores RW=10 without it', () => {
    const { m, p, traps } = run(
      backend,
      `
      mov eax, 0xe9
      mov dr2, eax
      mov eax, ${dr7(2, 2, LEN1)}
      mov dr7, eax
      mov al, 'a'
      out 0xe9, al                  ; no CR4.DE: RW=10 is not an I/O breakpoint
      mov eax, cr4
      or eax, 8
      mov cr4, eax
      mov ebx, 1
      mov al, 'b'
      out 0xe9, al
    after_out:
      mov ebx, 2
      mov dx, 0xe9
      mov esi, text
      cld
      outsb
    after_outs:
      mov ebx, 3
      in al, dx
    after_in:
      mov dx, 0x80
      out dx, al                    ; a port the breakpoint does not cover
      xor eax, eax
      mov dr7, eax
      jmp done
    text: db 'c'
    done:
    `,
    );
    expect(m.text).toBe('abc');
    expect(traps.map((t) => [t.dr6 >>> 0, t.eip, t.ebx])).toEqual([
      [0xffff0ff4, p.symbol('after_out'), 1],
      [0xffff0ff4, p.symbol('after_outs'), 2],
      [0xffff0ff4, p.symbol('after_in'), 3],
    ]);
  });
});
