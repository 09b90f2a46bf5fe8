import { describe, expect, it } from 'vitest';
import { BACKENDS, TestMachine } from './machine.js';

/** 32-bit flat code exercising memory operand forms, prefixes and the stack. */
describe.each(BACKENDS)('32-bit memory forms (%s)', (backend) => {
  it('read-modify-write, exchanges and compare-exchanges on memory', () => {
    const m = new TestMachine({ backend });
    const p = m.loadFlat32(`
      mov ebx, data
      add dword [ebx], 5               ; 100 + 5
      sub word [ebx + 4], 1            ; 0x0000 - 1 = 0xffff
      setc byte [ebx + 6]              ; borrow
      mov eax, 7
      xchg [ebx + 8], eax              ; swap with 0x11111111
      mov [ebx + 12], eax
      mov ecx, 3
      xadd [ebx + 16], ecx             ; [16] = 10 + 3, ecx = 10
      mov [ebx + 20], ecx
      mov eax, 42
      mov edx, 99
      cmpxchg [ebx + 24], edx          ; equal: [24] = 99, ZF
      setz byte [ebx + 28]
      cmpxchg [ebx + 24], edx          ; now unequal: EAX = 99
      mov [ebx + 32], eax
      mov eax, 0x11111111
      mov edx, 0x22222222
      mov ebx, 0x33333333
      mov ecx, 0x44444444
      cmpxchg8b [qword]                ; equal: stores ECX:EBX
      setz byte [flags8]
      cmpxchg8b [qword]                ; unequal: loads EDX:EAX
      mov [loaded], eax
      mov [loaded + 4], edx
      not dword [qword]
      neg byte [byte1]
      inc word [word1]
      shl dword [shiftme], 4
      sar byte [shiftme + 4], 1
      bts dword [bits], 33             ; register-like offset via imm: bit 1
      mov eax, 70
      bts [bits], eax                  ; memory bit string: dword 2, bit 6
      hlt
    data: dd 100, 0, 0x11111111, 0, 10, 0, 42, 0, 0
    qword: dd 0x11111111, 0x22222222
    flags8: db 0
    loaded: dd 0, 0
    byte1: db 5
    word1: dw 0xffff
    shiftme: dd 0x0fffffff
             db 0x80
    bits: dd 0, 0, 0
    `);
    expect(m.run()).toBe('halted');
    const d = p.symbol('data');
    expect(m.read32(d)).toBe(105);
    expect(m.read16(d + 4)).toBe(0xffff);
    expect(m.read(d + 6, 1)[0]).toBe(1);
    expect(m.read32(d + 8)).toBe(7);
    expect(m.read32(d + 12)).toBe(0x11111111);
    expect(m.read32(d + 16)).toBe(13);
    expect(m.read32(d + 20)).toBe(10);
    expect(m.read32(d + 24)).toBe(99);
    expect(m.read(d + 28, 1)[0]).toBe(1);
    expect(m.read32(d + 32)).toBe(99);
    expect(m.read(p.symbol('flags8'), 1)[0]).toBe(1);
    expect(m.read32(p.symbol('loaded'))).toBe(0x33333333);
    expect(m.read32(p.symbol('loaded') + 4)).toBe(0x44444444);
    expect(m.read32(p.symbol('qword'))).toBe(~0x33333333 >>> 0);
    expect(m.read(p.symbol('byte1'), 1)[0]).toBe(0xfb);
    expect(m.read16(p.symbol('word1'))).toBe(0);
    expect(m.read32(p.symbol('shiftme'))).toBe(0xfffffff0);
    expect(m.read(p.symbol('shiftme') + 4, 1)[0]).toBe(0xc0);
    expect(m.read32(p.symbol('bits'))).toBe(2);
    expect(m.read32(p.symbol('bits') + 8)).toBe(1 << 6);
  });

  it('string instructions with overrides, DF, 16-bit addressing, and the stack forms', () => {
    const m = new TestMachine({ backend });
    const p = m.loadFlat32(`
      lgdt [gdtr]
      std
      mov esi, src + 7
      mov edi, dst + 7
      mov ecx, 2
      rep movsd                        ; backwards, dwords: the last 8 bytes... of 8
      cld
      mov esi, src
      fs lodsd                         ; FS override on the source
      mov [got], eax
      mov edi, 0x00030000              ; only DI counts with a 16-bit address size
      mov ecx, 0x00010003
      mov al, 0xee
      a16 rep stosb                    ; CX = 3, writes at ES:DI = 0..2
      mov [cx_after], ecx
      mov [di_after], edi
      push dword 0x12345678
      push word 0xabcd
      pop ax
      pop ebx
      mov [popped], ax
      mov [popped + 2], ebx
      mov ebp, esp
      push ebp
      mov ebp, 0x5000
      enter 12, 2                      ; nested frame: copies one pointer from [ebp - 4]
      mov [frame], ebp
      mov [frame + 4], esp
      leave
      pop ebp
      mov ebx, table
      mov al, 3
      xlatb
      mov [xl], al
      lds ecx, [farptr]
      mov [ldsv], ecx
      mov ax, ds
      mov [ldsv + 4], ax
      mov ax, 0x10
      mov ds, ax
      hlt
    src: db 1, 2, 3, 4, 5, 6, 7, 8
    dst: times 8 db 0
    got: dd 0
    cx_after: dd 0
    di_after: dd 0
    popped: dd 0, 0
    frame: dd 0, 0
    table: db 10, 11, 12, 13
    xl: db 0
    farptr: dd 0x1234
            dw 0x10
    ldsv: dd 0, 0
    gdt: dq 0, 0x00cf9a000000ffff, 0x00cf92000000ffff
    gdtr: dw 23
          dd gdt
    `);
    m.cpu.regs[4] = 0x80000;
    m.load(0x5000 - 4, new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd]));
    expect(m.run()).toBe('halted');
    // Backwards REP MOVSD of two dwords from src+7 to dst+7: bytes src[7..10] then src[3..6].
    expect([...m.read(p.symbol('dst'), 8)]).toEqual([0, 0, 0, 4, 5, 6, 7, 8]);
    expect(m.read32(p.symbol('got'))).toBe(0x04030201);
    expect(m.read32(p.symbol('cx_after'))).toBe(0x00010000);
    expect(m.read32(p.symbol('di_after'))).toBe(0x00030003);
    expect([...m.read(0, 3)]).toEqual([0xee, 0xee, 0xee]);
    expect(m.read16(p.symbol('popped'))).toBe(0xabcd);
    expect(m.read32(p.symbol('popped') + 2)).toBe(0x12345678);
    const esp0 = 0x80000 - 4; // after PUSH EBP
    expect(m.read32(p.symbol('frame'))).toBe(esp0 - 4);
    expect(m.read32(p.symbol('frame') + 4)).toBe(esp0 - 4 - 8 - 12);
    expect(m.read32(esp0 - 4)).toBe(0x5000); // pushed EBP
    expect(m.read32(esp0 - 8)).toBe(0xddccbbaa); // copied from [old EBP - 4]
    expect(m.read32(esp0 - 12)).toBe(esp0 - 4); // the new frame pointer
    expect(m.read(p.symbol('xl'), 1)[0]).toBe(13);
    expect(m.read32(p.symbol('ldsv'))).toBe(0x1234);
    expect(m.read16(p.symbol('ldsv') + 4)).toBe(0x10);
  });
});
