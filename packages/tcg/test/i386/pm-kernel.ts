/**
 * A tiny protected-mode "kernel" for the i386 guest tests, in assembly: it starts in real
 * mode, loads a GDT and an IDT, switches to 32-bit protected mode with a far jump, loads
 * the task register, and runs the test body at CPL 0 with interrupts off.
 *
 * Every vector 0-47 and 0x80/0x81 has a handler that appends a record to RECORDS
 * (vector, error code, pushed EIP/CS/EFLAGS, CR2, the general registers, and the pushed
 * ESP/SS when it came from ring 3) and then:
 * - for #PF with [PF_FIX] set: sets the present bit of the PTE at [PF_FIX] and retries;
 * - for INT 0x81, or any vector when [HALT_ON_FAULT] is set: halts (how user code ends a test);
 * - otherwise: resumes at [RESUME] if set, else returns to the pushed EIP.
 */
import { Desc, makeDescriptor, SystemType } from '../../src/i386/mmu/descriptor.js';

export const TSS = 0x7000;
/** A second 32-bit TSS (GDT selector 0x80) for task-switch tests. */
export const TSS2 = 0x7200;
export const LDT = 0x7800;
export const IDT = 0x8000;
export const VARS = 0x8f00;
export const RESUME = VARS;
export const NREC = VARS + 4;
export const PF_FIX = VARS + 8;
/** When non-zero, the handler halts after recording any exception. */
export const HALT_ON_FAULT = VARS + 12;
export const RECORDS = 0x9000;
export const RECORD_SIZE = 56;
export const KERNEL_STACK = 0x90000;
export const USER_STACK = 0x70000;

export const SEL = {
  CODE0: 0x08,
  DATA0: 0x10,
  CODE3: 0x1b,
  DATA3: 0x23,
  TSS: 0x28,
  NOT_PRESENT: 0x30,
  CODE16: 0x38,
  DATA16: 0x40,
  LDT: 0x48,
  READ_ONLY: 0x50,
  EXEC_ONLY: 0x58,
  CALL_GATE3: 0x6b,
  BASED: 0x70,
  CONFORMING: 0x78,
  TSS2: 0x80,
  LDT_DATA: 0x04,
} as const;

const P = Desc.P;
const S = Desc.S;
const CODE = Desc.CS | Desc.R | Desc.A;
const DATA = Desc.W | Desc.A;
const DPL3 = 3 << 13;
const BIG = Desc.B;

function desc(base: number, limit: number, flags: number): string {
  const [lo, hi] = makeDescriptor(base, limit, flags);
  return `dd 0x${lo.toString(16)}, 0x${hi.toString(16)}`;
}

/** A call gate descriptor: target selector:offset, DPL, 32-bit. */
function callGate(selector: number, offsetLabel: string, dpl: number, params = 0): string {
  // low: offset 15..0 | selector << 16 ; high: offset 31..16 | P | DPL | type 12 | params
  const high = P | (dpl << 13) | (SystemType.CallGate32 << 8) | params;
  return `dw ${offsetLabel} & 0xffff, 0x${selector.toString(16)}\n    dw 0x${high.toString(16)}, ${offsetLabel} >> 16`;
}

const GDT = `
gdt:
    dd 0, 0
    ${desc(0, 0xffffffff, P | S | CODE | BIG)}
    ${desc(0, 0xffffffff, P | S | DATA | BIG)}
    ${desc(0, 0xffffffff, P | S | CODE | BIG | DPL3)}
    ${desc(0, 0xffffffff, P | S | DATA | BIG | DPL3)}
    ${desc(TSS, 0x68 + 0x20, P | (SystemType.Tss32Available << 8))}
    ${desc(0, 0xffffffff, S | DATA | BIG)}
    ${desc(0, 0xffff, P | S | CODE)}
    ${desc(0, 0xffff, P | S | DATA)}
    ${desc(LDT, 0x17, P | (SystemType.Ldt << 8))}
    ${desc(0, 0xffffffff, P | S | Desc.A | BIG)}
    ${desc(0, 0xffffffff, P | S | Desc.CS | Desc.A | BIG)}
    ${desc(0, 0xffffffff, P | S | DATA | BIG | DPL3)}
    ${callGate(0x08, 'call_gate_target', 3)}
    ${desc(0x100000, 0xfff, P | S | DATA | BIG)}
    ${desc(0, 0xffffffff, P | S | CODE | Desc.C | BIG)}
    ${desc(TSS2, 0x67, P | (SystemType.Tss32Available << 8))}
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt
idt_ptr:
    dw 0x7ff
    dd ${IDT}
`;

const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17]);
const VECTORS = [...Array.from({ length: 48 }, (_, i) => i), 0x80, 0x81];

function stubs(): string {
  return VECTORS.map(
    (v) =>
      `isr_${v}:\n${ERROR_CODE_VECTORS.has(v) ? '' : '    push 0\n'}    push ${v}\n    jmp isr_common`,
  ).join('\n');
}

function idtSetup(): string {
  return VECTORS.map((v) => {
    const attr = v === 0x80 ? 0xef00 : v === 0x81 ? 0xee00 : 0x8e00;
    return [
      `    mov eax, isr_${v}`,
      `    mov [${IDT + v * 8}], ax`,
      `    mov word [${IDT + v * 8 + 2}], 0x08`,
      `    mov word [${IDT + v * 8 + 4}], 0x${attr.toString(16)}`,
      '    shr eax, 16',
      `    mov [${IDT + v * 8 + 6}], ax`,
    ].join('\n');
  }).join('\n');
}

// The frame: pushad (32 bytes), ES, DS, then vector, error code, EIP, CS, EFLAGS, and
// ESP, SS (and ES DS FS GS from virtual-8086 mode) when the interrupt changed rings.
const COMMON = `
isr_common:
    push ds
    push es
    pushad
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ebx, [${NREC}]
    imul ebx, ebx, ${RECORD_SIZE}
    add ebx, ${RECORDS}
    mov eax, [esp+40]
    mov [ebx], eax
    mov eax, [esp+44]
    mov [ebx+4], eax
    mov eax, [esp+48]
    mov [ebx+8], eax
    mov eax, [esp+52]
    mov [ebx+12], eax
    mov eax, [esp+56]
    mov [ebx+16], eax
    mov eax, cr2
    mov [ebx+20], eax
    mov eax, [esp+28]
    mov [ebx+24], eax
    mov eax, [esp+24]
    mov [ebx+28], eax
    mov eax, [esp+20]
    mov [ebx+32], eax
    mov eax, [esp+16]
    mov [ebx+36], eax
    mov eax, [esp+4]
    mov [ebx+40], eax
    mov eax, [esp]
    mov [ebx+44], eax
    test dword [esp+56], 0x20000
    jnz .outer
    test dword [esp+52], 3
    jz .kernel
.outer:
    mov eax, [esp+60]
    mov [ebx+48], eax
    mov eax, [esp+64]
    mov [ebx+52], eax
.kernel:
    inc dword [${NREC}]
    cmp dword [esp+40], 14
    jne .not_pf
    mov eax, [${PF_FIX}]
    test eax, eax
    jz .not_pf
    or dword [eax], 1
    mov dword [${PF_FIX}], 0
    mov eax, cr2
    invlpg [eax]
    jmp .out
.not_pf:
    cmp dword [${HALT_ON_FAULT}], 0
    jne .halt
    cmp dword [esp+40], 0x81
    jne .resume
.halt:
    cli
    hlt
.resume:
    mov eax, [${RESUME}]
    test eax, eax
    jz .out
    mov [esp+48], eax
    mov dword [${RESUME}], 0
.out:
    popad
    pop es
    pop ds
    add esp, 8
    iret
`;

/**
 * Enter ring 3 at `label` with the user stack (an IRET to CPL 3). DS and ES get the ring-3
 * data selector first, as an OS does: the IRET would null DPL-0 data selectors, and a null
 * selector raises #GP(0) when used. (The handlers save and restore DS/ES.)
 */
export function toUser(label: string): string {
  return `
    push eax
    mov ax, ${SEL.DATA3}
    mov ds, ax
    mov es, ax
    pop eax
    push ${SEL.DATA3}
    push ${USER_STACK}
    pushfd
    push ${SEL.CODE3}
    push ${label}
    iret`;
}

/**
 * The whole program (load it with TestMachine.loadReal at 0x1000): real-mode start, protected-mode setup, then `body` (32-bit,
 * CPL 0, IF = 0, flat segments), then `hlt`. `data` goes after the code.
 */
export function pmProgram(body: string, data = ''): string {
  return `
bits 16
    cli
    xor ax, ax
    mov ds, ax
    lgdt [gdt_ptr]
    lidt [idt_ptr]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp 0x08:pm_entry
bits 32
pm_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, ${KERNEL_STACK}
${idtSetup()}
    mov dword [${TSS + 4}], ${KERNEL_STACK}
    mov dword [${TSS + 8}], 0x10
    mov word [${TSS + 0x66}], 0x68
    ; I/O bitmap: ports 0-255 denied except 0xe9 and 0xf4-0xf7 (the bitmap's last byte 0xff ends it)
    mov edi, ${TSS + 0x68}
    mov ecx, 8
    mov eax, 0xffffffff
    rep stosd
    and byte [${TSS + 0x68 + (0xe9 >> 3)}], 0x${(~(1 << (0xe9 & 7)) & 0xff).toString(16)}
    and byte [${TSS + 0x68 + (0xf4 >> 3)}], 0x${(~(0xf << (0xf4 & 7)) & 0xff).toString(16)}
    mov byte [${TSS + 0x68 + 0x20}], 0xff
    mov ax, 0x28
    ltr ax
    mov dword [${VARS}], 0
    mov dword [${NREC}], 0
    mov dword [${PF_FIX}], 0
    mov dword [${HALT_ON_FAULT}], 0
test_body:
${body}
    hlt
call_gate_target:
    mov ebp, 0xca11
    retf
${COMMON}
${stubs()}
${GDT}
${data}
`;
}

/** One handler record. */
export interface ExceptionRecord {
  vector: number;
  error: number;
  eip: number;
  cs: number;
  eflags: number;
  cr2: number;
  eax: number;
  ecx: number;
  edx: number;
  ebx: number;
  esi: number;
  edi: number;
  esp3: number;
  ss3: number;
}

export function readRecords(read32: (a: number) => number): ExceptionRecord[] {
  const n = read32(NREC);
  const out: ExceptionRecord[] = [];
  for (let i = 0; i < n; i++) {
    const b = RECORDS + i * RECORD_SIZE;
    const w = (k: number) => read32(b + 4 * k);
    out.push({
      vector: w(0),
      error: w(1),
      eip: w(2),
      cs: w(3) & 0xffff,
      eflags: w(4),
      cr2: w(5),
      eax: w(6),
      ecx: w(7),
      edx: w(8),
      ebx: w(9),
      esi: w(10),
      edi: w(11),
      esp3: w(12),
      ss3: w(13) & 0xffff,
    });
  }
  return out;
}
