import { assemble } from '@tsemu/x86asm';
import { describe, expect, it } from 'vitest';
import { PF_R, PF_W, PF_X, writeElf32 } from '../elf.js';
import { LinuxUserMachine, type LinuxUserMachineOptions } from './machine.js';

const CODE = 0x08048000;
const DATA = 0x0a000000;

/** A static program: `source` at CODE, a zeroed RW page at DATA (symbol DATA). */
function run(source: string, options: LinuxUserMachineOptions = {}) {
  const program = assemble(source, { bits: 32, org: CODE, symbols: { DATA } });
  const { bytes } = writeElf32({
    entry: CODE,
    segments: [
      { vaddr: CODE, bytes: program.bytes, flags: PF_R | PF_X },
      { vaddr: DATA, bytes: new Uint8Array(0x1000), flags: PF_R | PF_W },
    ],
  });
  const outcome = new LinuxUserMachine(bytes, options).run();
  return { ...outcome, text: new TextDecoder().decode(outcome.stdout) };
}

const exit = (status: number | string) => `mov eax, 1\nmov ebx, ${status}\nint 0x80`;
/** write(1, DATA, 4) of the dword in EAX, as four bytes. */
const writeEax = `
  mov [DATA], eax
  mov eax, 4
  mov ebx, 1
  mov ecx, DATA
  mov edx, 4
  int 0x80`;

function dwords(bytes: Uint8Array): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 4 }, (_, i) => v.getUint32(4 * i, true));
}

describe('LinuxUserMachine', () => {
  it('runs a program that writes to stdout and exits with a status', () => {
    const r = run(`
      mov dword [DATA], 'hi!' | (10 << 24)
      mov eax, 4
      mov ebx, 1
      mov ecx, DATA
      mov edx, 4
      int 0x80
      ${exit(7)}`);
    expect(r.text).toBe('hi!\n');
    expect(r.end).toEqual({ kind: 'exited', status: 7 });
  });

  it('runs at CPL 3: privileged instructions are #GP, and the process is killed without a handler', () => {
    for (const insn of ['hlt', 'cli', 'in al, dx', 'mov eax, cr0', 'int 0x21']) {
      expect(run(insn).end, insn).toEqual({ kind: 'killed', signal: 11 });
    }
    expect(run('ud2').end).toEqual({ kind: 'killed', signal: 4 });
    expect(run('xor ecx, ecx\ndiv ecx').end).toEqual({ kind: 'killed', signal: 8 });
    expect(run('int3').end).toEqual({ kind: 'killed', signal: 5 });
  });

  it('returns Linux errors from system calls: ENOSYS, EFAULT, EBADF', () => {
    const r = run(`
      mov eax, 9999
      int 0x80
      ${writeEax}
      mov eax, 4
      mov ebx, 1
      mov ecx, 0x100
      mov edx, 4
      int 0x80
      ${writeEax}
      mov eax, 4
      mov ebx, 5
      mov ecx, DATA
      mov edx, 4
      int 0x80
      ${writeEax}
      ${exit(0)}`);
    expect(dwords(r.stdout).map((v) => v | 0)).toEqual([-38, -14, -9]);
  });

  it('maps code read-only and data not executable, with the #PF error codes of the host', () => {
    // The handler writes sigcontext's trapno, err and cr2, then exits.
    const handler = (trigger: string) => `
      mov dword [DATA+0x100], handler
      mov dword [DATA+0x104], 0x04000004
      mov dword [DATA+0x108], 0
      mov eax, 174
      mov ebx, 11
      mov ecx, DATA+0x100
      xor edx, edx
      mov esi, 8
      int 0x80
      ${trigger}
    handler:
      mov esi, [esp+12]
      mov eax, [esi+20+48]
      mov [DATA], eax
      mov eax, [esi+20+52]
      mov [DATA+4], eax
      mov eax, [esi+20+84]
      mov [DATA+8], eax
      mov eax, 4
      mov ebx, 1
      mov ecx, DATA
      mov edx, 12
      int 0x80
      ${exit(0)}`;
    expect(dwords(run(handler(`mov dword [${CODE}], 0`)).stdout)).toEqual([14, 7, CODE]);
    expect(dwords(run(handler(`mov eax, ${DATA}\njmp eax`)).stdout)).toEqual([14, 0x15, DATA]);
    expect(dwords(run(handler('mov eax, [0x1000]')).stdout)).toEqual([14, 4, 0x1000]);
    expect(dwords(run(handler('int 0x21')).stdout)).toEqual([13, 0x21 * 8 + 2, 0]);
  });

  it('delivers a signal on the alternate stack and returns through rt_sigreturn', () => {
    // SIGILL handler: skips the 2-byte ud2 by editing sigcontext.eip, returns via the restorer.
    const r = run(`
      mov dword [DATA+0x200], DATA+0x800
      mov dword [DATA+0x204], 0
      mov dword [DATA+0x208], 0x800
      mov eax, 186
      mov ebx, DATA+0x200
      xor ecx, ecx
      int 0x80
      mov dword [DATA+0x100], handler
      mov dword [DATA+0x104], 0x0c000004
      mov dword [DATA+0x108], restorer
      mov eax, 174
      mov ebx, 4
      mov ecx, DATA+0x100
      xor edx, edx
      mov esi, 8
      int 0x80
      mov ebx, 0x12345678
      mov ebp, esp
      ud2
      mov eax, esp
      sub eax, ebp
      or eax, ebx
      ${writeEax}
      mov eax, [DATA+0x300]
      ${writeEax}
      ${exit(0)}
    handler:
      mov [DATA+0x300], esp
      mov eax, [esp+12]
      add dword [eax+20+56], 2
      mov ebx, 0
      ret
    restorer:
      mov eax, 173
      int 0x80`);
    expect(r.end).toEqual({ kind: 'exited', status: 0 });
    const [restored, handlerEsp] = dwords(r.stdout);
    // EBX and ESP came back from the sigcontext; the handler ran on the alternate stack.
    expect(restored).toBe(0x12345678);
    expect(handlerEsp).toBeGreaterThan(DATA + 0x800);
    expect(handlerEsp).toBeLessThan(DATA + 0x1000);
  });

  it("gives a handler the FPU state in the frame's fpstate, a clean FPU, and restores it", () => {
    // fldcw [DATA+0x400] (0x0c7f); ud2. The SIGILL handler stores the control word of the
    // frame's FXSAVE image, the header's magic, and its own FPU's control word; it changes
    // the header's control word to 0x027f and skips the ud2. After rt_sigreturn: fnstcw.
    const fldcw = (address: string) => `db 0xd9, 0x2d\n      dd ${address}`;
    const fnstcw = (address: string) => `db 0xd9, 0x3d\n      dd ${address}`;
    const r = run(`
      mov dword [DATA+0x100], handler
      mov dword [DATA+0x104], 0x04000004
      mov dword [DATA+0x108], restorer
      mov eax, 174
      mov ebx, 4
      mov ecx, DATA+0x100
      xor edx, edx
      mov esi, 8
      int 0x80
      mov word [DATA+0x400], 0x0c7f
      ${fldcw('DATA+0x400')}
      ud2
      ${fnstcw('DATA+0x40c')}
      mov eax, 4
      mov ebx, 1
      mov ecx, DATA+0x400
      mov edx, 16
      int 0x80
      ${exit(0)}
    handler:
      mov eax, [esp+12]
      add dword [eax+20+56], 2
      mov esi, [eax+20+76]
      movzx ecx, word [esi+112]
      mov [DATA+0x400], ecx
      movzx ecx, word [esi+110]
      mov [DATA+0x404], ecx
      mov word [esi], 0x027f
      ${fnstcw('DATA+0x408')}
      ret
    restorer:
      mov eax, 173
      int 0x80`);
    expect(r.end).toEqual({ kind: 'exited', status: 0 });
    const [frameFcw, magic, handlerFcw, afterFcw] = dwords(r.stdout);
    expect(frameFcw).toBe(0x0c7f);
    expect(magic).toBe(0); // an FXSAVE image follows the header
    expect((handlerFcw as number) & 0xffff).toBe(0x037f);
    expect((afterFcw as number) & 0xffff).toBe(0x027f);
  });

  it('reports a program that never enters the kernel as hung', () => {
    const r = run('spin: jmp spin', { maxSlicesWithoutKernelEntry: 3, sliceTbs: 1000 });
    expect(r.end).toEqual({ kind: 'hung' });
  });
});
