import { MemoryCore } from '@tsemu/memory';
import { assemble } from '@tsemu/x86asm';
import { expect, it } from 'vitest';
import { X86Vcpu } from '../../src/i386/index.js';

it('runs the i386 example of the README', () => {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 32n);
  system.addSubregion(0, core.ram('ram', 1 << 20));
  const ports = core.container('io', 0x10000);
  let text = '';
  ports.addSubregion(
    0xe9,
    core.io('debugcon', 1, {
      write: (_offset, value) => {
        text += String.fromCharCode(value);
      },
    }),
  );
  const memory = core.addressSpace('memory', system);
  const vcpu = new X86Vcpu({ memory, io: core.addressSpace('io', ports), icount: true });

  // After RESET the CPU is in real mode at F000:FFF0; run a program at 0:7C00 instead.
  const program = assemble(
    `
    mov si, msg
  next:
    lodsb
    test al, al
    jz done
    out 0xe9, al
    jmp next
  done:
    hlt
  msg: db 'hello', 0
  `,
    { bits: 16, org: 0x7c00 },
  );
  memory.writeBytes(0x7c00, program.bytes);
  vcpu.cpu.loadRealModeSegment(1, 0); // CS = 0
  vcpu.cpu.eip = 0x7c00;

  expect(vcpu.run({ instructionLimit: 10_000 })).toBe('halted');
  expect(text).toBe('hello');
  expect(vcpu.instructionsExecuted).toBe(30);
});
