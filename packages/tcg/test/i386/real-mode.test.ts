import { assemble } from '@tsemu/x86asm';
import { describe, expect, it } from 'vitest';
import { SYS } from '../../src/i386/cpu/state-layout.js';
import { BACKENDS, TestMachine } from './machine.js';

const AX = (m: TestMachine) => m.cpu.regs[0] & 0xffff;

describe.each(BACKENDS)('real mode (%s)', (backend) => {
  it('comes out of reset at F000:FFF0 with the architectural state', () => {
    const rom = new Uint8Array(0x10000);
    // At the reset vector: jmp far 0xf000:0xe05b; there: mov ax, 0x1234; hlt.
    rom.set(assemble('jmp 0xf000:0xe05b', { bits: 16 }).bytes, 0xfff0);
    rom.set(assemble('mov ax, 0x1234\nhlt', { bits: 16 }).bytes, 0xe05b);
    const m = new TestMachine({ backend, rom });
    expect(m.cpu.dumpState()).toBe(
      [
        'EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000663',
        'ESI=00000000 EDI=00000000 EBP=00000000 ESP=00000000',
        'EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0',
        'ES =0000 00000000 0000ffff 00009300',
        'CS =f000 ffff0000 0000ffff 00009b00',
        'SS =0000 00000000 0000ffff 00009300',
        'DS =0000 00000000 0000ffff 00009300',
        'FS =0000 00000000 0000ffff 00009300',
        'GS =0000 00000000 0000ffff 00009300',
        'LDT=0000 00000000 0000ffff 00008200',
        'TR =0000 00000000 0000ffff 00008b00',
        'GDT=     00000000 0000ffff',
        'IDT=     00000000 0000ffff',
        'CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000',
        'DR0=00000000 DR1=00000000 DR2=00000000 DR3=00000000 ',
        'DR6=ffff0ff0 DR7=00000400',
        'EFER=0000000000000000',
        '',
      ].join('\n'),
    );
    expect(m.run()).toBe('halted');
    expect(AX(m)).toBe(0x1234);
    expect(m.cpu.segSelector[1]).toBe(0xf000);
    expect(m.cpu.segBase[1]).toBe(0xf0000);
    expect(m.cpu.eip).toBe(0xe05b + 4);
  });

  it('pushes and pops every kind of operand, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(`
      mov ax, 0x1111
      mov bx, 0x2222
      push ax
      push bx
      push word [data]
      push 0x7f
      push -2
      pop cx          ; 0xfffe
      pop dx          ; 0x007f
      pop word [out]  ; 0xbeef
      pop si          ; 0x2222
      pop di          ; 0x1111
      mov bp, 0x5555
      pusha
      mov ax, 0
      mov cx, 0
      mov bp, 0
      popa
      mov [out+2], cx
      mov [out+4], bp
      stc
      std
      pushf
      clc
      cld
      popf
      setc byte [out+6]
      pushf
      pop word [out+8]
      cld
      mov bp, 0x7000
      enter 8, 0
      mov [out+10], bp
      mov [out+12], sp
      leave
      mov [out+14], bp
      mov [out+16], sp
      push ds
      push 0x1234
      pop es
      pop fs
      mov [out+18], es
      hlt
    data: dw 0xbeef
    out: times 20 db 0
    `);
    expect(m.run()).toBe('halted');
    const r = m.cpu.regs;
    expect(r[1] & 0xffff).toBe(0xfffe);
    expect(r[2] & 0xffff).toBe(0x007f);
    expect(r[6] & 0xffff).toBe(0x2222);
    expect(r[7] & 0xffff).toBe(0x1111);
    const base = p.symbol('out');
    expect(m.read16(base)).toBe(0xbeef);
    expect(m.read16(base + 2)).toBe(0xfffe); // CX after POPA
    expect(m.read16(base + 4)).toBe(0x5555); // BP after POPA
    expect(m.read(base + 6, 1)[0]).toBe(1); // CF restored by POPF
    expect(m.read16(base + 8) & 0x401).toBe(0x401); // CF and DF pushed
    expect(m.read16(base + 10)).toBe(0x7ffe - 0); // BP = frame pointer after ENTER (SP - 2)
    expect(m.read16(base + 12)).toBe(0x7ffe - 8);
    expect(m.read16(base + 14)).toBe(0x7000);
    expect(m.read16(base + 16)).toBe(0x8000);
    expect(m.read16(base + 18)).toBe(0x1234);
    expect(r[4] & 0xffff).toBe(0x8000);
  });

  it('calls and returns near and far, and loops', () => {
    const m = new TestMachine({ backend });
    m.loadReal(`
      mov cx, 5
      xor ax, ax
    next:
      call add3
      loop next
      call 0x0000:farproc
      mov bx, table
      mov al, 2
      xlatb
      mov dx, ax
      xor cx, cx
      jcxz done
      mov dx, 0xdead
    done:
      hlt
    add3:
      add ax, 3
      ret
    farproc:
      add ax, 100
      retf
    table: db 10, 20, 30, 40
    `);
    expect(m.run()).toBe('halted');
    expect(m.cpu.regs[2] & 0xffff).toBe(((115 & 0xff00) | 30) & 0xffff);
  });

  it('delivers INT n through the IVT and returns with IRET', () => {
    const m = new TestMachine({ backend });
    m.loadReal(`
      mov word [0x80 * 4], handler
      mov word [0x80 * 4 + 2], 0
      mov ax, 7
      stc
      int 0x80
      setc bl
      hlt
    handler:
      push bp
      mov bp, sp
      add ax, 1
      mov cx, [bp + 6]   ; the pushed FLAGS
      pushf
      pop dx             ; FLAGS inside the handler: IF and TF clear
      pop bp
      iret
    `);
    m.cpu.sys[SYS.EFLAGS] |= 0x200; // IF on before the INT
    expect(m.run()).toBe('halted');
    const r = m.cpu.regs;
    expect(r[0] & 0xffff).toBe(8);
    expect(r[1] & 0x201).toBe(0x201); // pushed flags: IF and CF
    expect(r[2] & 0x200).toBe(0);
    expect(r[3] & 0xff).toBe(1); // CF preserved across the INT/IRET
    expect(m.cpu.eflags & 0x200).toBe(0x200);
  });

  it('raises #DE, #UD and #BR through the IVT at the faulting instruction', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(`
      mov word [0 * 4], de_handler
      mov word [0 * 4 + 2], 0
      mov word [6 * 4], ud_handler
      mov word [6 * 4 + 2], 0
      mov word [5 * 4], br_handler
      mov word [5 * 4 + 2], 0
      mov ax, 100
      xor bl, bl
    de_at:
      div bl
      mov si, 1
    ud_at:
      ud2
      mov si, 2
      mov ax, 9
    br_at:
      bound ax, [bounds]
      mov si, 3
      hlt
    de_handler:
      pop di            ; return IP = the DIV
      mov [faults], di
      add di, 2         ; skip it
      push di
      iret
    ud_handler:
      pop di
      mov [faults + 2], di
      add di, 2
      push di
      iret
    br_handler:
      pop di
      mov [faults + 4], di
      add di, 4
      push di
      iret
    bounds: dw 1, 5
    faults: dw 0, 0, 0
    `);
    expect(m.run()).toBe('halted');
    const f = p.symbol('faults');
    expect(m.read16(f)).toBe(p.symbol('de_at'));
    expect(m.read16(f + 2)).toBe(p.symbol('ud_at'));
    expect(m.read16(f + 4)).toBe(p.symbol('br_at'));
    expect(m.cpu.regs[6] & 0xffff).toBe(3);
    expect(m.cpu.regs[0] & 0xffff).toBe(9); // AX untouched by the faulting DIV
  });

  it('copies and scans strings with REP, forwards and backwards, 16-bit addressing', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(`
      cld
      mov si, src
      mov di, dst
      mov cx, 5
      rep movsb
      mov [r_si], si
      mov [r_di], di
      mov [r_cx], cx
      std
      mov si, src + 4
      mov di, dst2 + 4
      mov cx, 5
      rep movsb
      cld
      mov di, fill
      mov ax, 0xabcd
      mov cx, 3
      rep stosw
      mov si, src
      mov di, cmp2
      mov cx, 5
      repe cmpsb
      mov [r_cx2], cx
      setz byte [r_z]
      mov di, src
      mov al, 'l'
      mov cx, 5
      repne scasb
      mov [r_di2], di
      mov si, src + 1
      lodsb
      mov [r_al], al
      hlt
    src: db 'hello'
    cmp2: db 'helps'
    dst: times 5 db 0
    dst2: times 5 db 0
    fill: times 6 db 0
    r_si: dw 0
    r_di: dw 0
    r_cx: dw 0
    r_cx2: dw 0
    r_z: db 0
    r_di2: dw 0
    r_al: db 0
    `);
    expect(m.run()).toBe('halted');
    const text = (a: number, n: number) => String.fromCharCode(...m.read(a, n));
    expect(text(p.symbol('dst'), 5)).toBe('hello');
    expect(text(p.symbol('dst2'), 5)).toBe('hello');
    expect(m.read16(p.symbol('r_si'))).toBe(p.symbol('src') + 5);
    expect(m.read16(p.symbol('r_di'))).toBe(p.symbol('dst') + 5);
    expect(m.read16(p.symbol('r_cx'))).toBe(0);
    expect([...m.read(p.symbol('fill'), 6)]).toEqual([0xcd, 0xab, 0xcd, 0xab, 0xcd, 0xab]);
    // 'hello' vs 'helps' differ at index 3: four comparisons, one left.
    expect(m.read16(p.symbol('r_cx2'))).toBe(1);
    expect(m.read(p.symbol('r_z'), 1)[0]).toBe(0);
    expect(m.read16(p.symbol('r_di2'))).toBe(p.symbol('src') + 3);
    expect(m.read(p.symbol('r_al'), 1)[0]).toBe('e'.charCodeAt(0));
  });

  it('does port I/O, CPUID and segment arithmetic', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(`
      mov al, 'O'
      out 0xe9, al
      mov dx, 0xe9
      mov al, 'K'
      out dx, al
      in al, dx
      mov [inval], al
      xor eax, eax
      cpuid
      mov [vendor], ebx
      mov [vendor + 4], edx
      mov [vendor + 8], ecx
      mov eax, 1
      cpuid
      mov [features], edx
      mov ax, 0x200
      mov ds, ax
      mov word [0x10], 0x4242   ; linear 0x2010
      xor ax, ax
      mov ds, ax
      hlt
    vendor: times 12 db 0
    features: dd 0
    inval: db 0
    `);
    expect(m.run()).toBe('halted');
    expect(m.text).toBe('OK');
    expect(m.read(p.symbol('inval'), 1)[0]).toBe(0xe9);
    expect(String.fromCharCode(...m.read(p.symbol('vendor'), 12))).toBe('GenuineIntel');
    // qemu32's features: fpu, tsc, cx8, pge, cmov, mmx, fxsr, sse, sse2 among them; no
    // vme (implemented but not claimed, as QEMU) and no sse3 (ECX bit 0, not implemented).
    const features = m.read32(p.symbol('features'));
    const claimed = [0, 4, 8, 13, 15, 23, 24, 25, 26].reduce((bits, bit) => bits | (1 << bit), 0);
    expect(features & claimed).toBe(claimed);
    expect(features & (1 << 1)).toBe(0);
    expect(m.read16(0x2010)).toBe(0x4242);
  });

  it('takes external interrupts only with IF set, after the STI shadow, and wakes from HLT', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(`
      mov word [0x20 * 4], irq
      mov word [0x20 * 4 + 2], 0
      cli
      mov al, 0x20
      out 0xf0, al          ; the test PIC raises vector 0x20
      mov cx, 1000
    spin:
      loop spin             ; IF = 0: the interrupt waits
      mov ax, [count]
      mov [before], ax
      sti
      mov byte [shadow], 1  ; runs before the interrupt (STI shadow)
      nop
      nop
      mov ax, [count]
      mov [after], ax
      hlt                   ; sleeps until the next interrupt
      mov byte [woke], 1
      cli
      hlt
    irq:
      inc word [count]
      mov al, [shadow]
      mov [seen], al
      iret
    count: dw 0
    before: dw 0xffff
    after: dw 0xffff
    shadow: db 0
    seen: db 0xff
    woke: db 0
    `);
    expect(m.run()).toBe('halted');
    expect(m.read16(p.symbol('before'))).toBe(0);
    expect(m.read16(p.symbol('after'))).toBe(1);
    expect(m.read(p.symbol('seen'), 1)[0]).toBe(1);
    expect(m.read(p.symbol('woke'), 1)[0]).toBe(0);
    expect(m.cpu.halted).toBe(true);
    m.pic.raise(0x20);
    expect(m.run()).toBe('halted');
    expect(m.read16(p.symbol('count'))).toBe(2);
    expect(m.read(p.symbol('woke'), 1)[0]).toBe(1);
    expect(m.pic.acknowledged).toEqual([0x20, 0x20]);
  });

  it('ends the run through the exit port', () => {
    const m = new TestMachine({ backend });
    m.loadReal(`
      mov al, 'x'
      out 0xe9, al
      mov ax, 42
      out 0xf4, ax
    forever:
      jmp forever
    `);
    expect(m.run()).toBe('exit');
    expect(m.exitCode).toBe(42);
    expect(m.text).toBe('x');
  });
});

describe.each(BACKENDS)('traps and interrupt shadows (%s)', (backend) => {
  it('single-steps with EFLAGS.TF: a #DB after each instruction, starting after the POPF that sets it', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(`
      mov word [1 * 4], db
      mov word [1 * 4 + 2], 0
      pushf
      pop ax
      or ax, 0x100
      push ax
      popf
    s1: mov bx, 1
    s2: mov bx, 2
    s3: pushf
    s4: pop ax
    s5: and ax, 0xfeff
    s6: push ax
    s7: popf
    s8: mov bx, 3
      hlt
    db:
      push bp
      mov bp, sp
      mov si, [count]
      shl si, 1
      mov ax, [bp + 2]
      mov [log + si], ax
      inc word [count]
      pop bp
      iret
    count: dw 0
    log: times 16 dw 0
    `);
    expect(m.run()).toBe('halted');
    const n = m.read16(p.symbol('count'));
    const log = Array.from({ length: n }, (_, i) => m.read16(p.symbol('log') + 2 * i));
    expect(log).toEqual(['s2', 's3', 's4', 's5', 's6', 's7', 's8'].map((s) => p.symbol(s)));
    expect(m.cpu.sys[SYS.DR0 + 6] & 0x4000).toBe(0x4000);
  });
});
