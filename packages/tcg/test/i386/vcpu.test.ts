import { MemoryCore } from '@tsemu/memory';
import { assemble } from '@tsemu/x86asm';
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { CORE } from '../../src/i386/cpu/state-layout.js';
import { X86Vcpu } from '../../src/i386/vcpu.js';
import { BACKENDS, TestInterruptLines, TestMachine } from './machine.js';

/** A vCPU over plain RAM with a debug port, starting at 0:1000 in real mode. */
function vcpuWith(source: string, options: { icount?: boolean; backend?: BackendKind } = {}) {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 32n);
  system.addSubregion(0, core.ram('ram', 1 << 20));
  const io = core.container('io', 0x10000);
  const out: number[] = [];
  let vcpu: X86Vcpu | null = null;
  io.addSubregion(
    0xe9,
    core.io('debugcon', 1, {
      write: (_o, v) => {
        out.push(v);
        vcpu?.exitRequest();
      },
    }),
  );
  const memory = core.addressSpace('memory', system);
  const lines = new TestInterruptLines(() => vcpu?.cpu.kick());
  vcpu = new X86Vcpu({
    memory,
    io: core.addressSpace('io', io),
    interrupts: lines,
    icount: options.icount,
    backend: options.backend,
  });
  const program = assemble(source, { bits: 16, org: 0x1000 });
  memory.writeBytes(0x1000, program.bytes);
  const cpu = vcpu.cpu;
  for (let s = 0; s < 6; s++) cpu.loadRealModeSegment(s, 0);
  cpu.core[CORE.EIP] = 0x1000;
  cpu.regs[4] = 0x8000;
  return { vcpu, out, lines, memory };
}

describe.each(BACKENDS)('X86Vcpu as a VcpuRunner (%s)', (backend) => {
  it('counts instructions exactly with icount and never exceeds the budget', () => {
    const { vcpu } = vcpuWith(
      `
      mov cx, 1000
    l: dec cx
      jnz l
      hlt
    `,
      { icount: true, backend },
    );
    expect(vcpu.run({ instructionLimit: 101 })).toBe('budget-used');
    expect(vcpu.instructionsExecuted).toBe(101);
    expect(vcpu.run({ instructionLimit: 10_000 })).toBe('halted');
    // mov, 1000 x (dec, jnz), hlt
    expect(vcpu.instructionsExecuted).toBe(1 + 2000 + 1);
    expect(vcpu.isIdle()).toBe(true);
    expect(vcpu.run({ instructionLimit: 10 })).toBe('halted');
  });

  it('wakes from HLT on an interrupt, and leaves run() on an exit request', () => {
    const { vcpu, out, lines } = vcpuWith(
      `
      mov word [0x21 * 4], irq
      mov word [0x21 * 4 + 2], 0
      sti
      hlt
      mov al, 'b'
      out 0xe9, al          ; the device asks the vCPU to return
      jmp $
    irq:
      mov al, 'a'
      out 0xe9, al
      iret
    `,
      { backend },
    );
    expect(vcpu.run({ instructionLimit: 1000 })).toBe('halted');
    expect(vcpu.isIdle()).toBe(true);
    lines.raise(0x21);
    expect(vcpu.isIdle()).toBe(false);
    expect(vcpu.run({ instructionLimit: 1000 })).toBe('exit-request');
    expect(String.fromCharCode(...out)).toBe('a');
    expect(vcpu.run({ instructionLimit: 1000 })).toBe('exit-request');
    expect(String.fromCharCode(...out)).toBe('ab');
    expect(vcpu.instructionsExecuted).toBeGreaterThan(0);
    expect(vcpu.run({ instructionLimit: 1000 })).toBe('budget-used');
    expect(vcpu.dumpState()).toContain('CCO=');
  });

  it('reports a triple fault as a reset request, and resets', () => {
    // An empty IDT limit in real mode: INT 3 faults, and so does every delivery after it.
    const { vcpu } = vcpuWith(
      `
      lidt [idt]
      int3
      hlt
    idt: dw 0
         dd 0
    `,
      { backend },
    );
    expect(vcpu.run({ instructionLimit: 100 })).toBe('reset-request');
    vcpu.reset();
    expect(vcpu.cpu.eip).toBe(0xfff0);
    expect(vcpu.cpu.segSelector[1]).toBe(0xf000);
  });
});

describe('-d logging', () => {
  it('writes in_asm, op, op_opt, out_asm, exec, int and cpu in QEMU-like formats', () => {
    const logs: Record<string, string> = {};
    const items = new Set(['in_asm', 'op', 'op_opt', 'out_asm', 'exec', 'int', 'cpu']);
    const log = {
      enabled: (i: string) => items.has(i),
      write: (i: string, t: string) => {
        logs[i] = (logs[i] ?? '') + t;
      },
    };
    const m = new TestMachine({ log });
    m.loadReal(`
      mov word [0x80 * 4], h
      mov word [0x80 * 4 + 2], 0
      mov ax, 1
      int 0x80
      hlt
    h:
      iret
    `);
    expect(m.run()).toBe('halted');
    expect(logs.in_asm).toContain('IN: \n0x00001000:  mov    WORD PTR ds:0x200,');
    expect(logs.in_asm).toContain('int    0x80');
    expect(logs.op).toContain(' ---- 0x1000 ');
    expect(logs.op).toContain('qemu_st_i32');
    expect(logs.op_opt).toContain('OP after optimization');
    expect(logs.out_asm).toContain('OUT: [TB[pc=0x1000');
    expect(logs.exec).toContain('Trace: TB[pc=0x1000');
    expect(logs.int).toMatch(
      / {5}0: v=80 e=0000 i=1 cpl=0 IP=0000:0000100f pc=0000100f SP=0000:00008000/,
    );
    expect(logs.int).toContain('EAX=00000001');
    expect(logs.cpu).toContain('EIP=00001000');
    expect(logs.cpu).toContain('CCO=');
  });
});
