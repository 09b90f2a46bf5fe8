import { describe, expect, it } from 'vitest';
import { BACKENDS, TestMachine } from './machine.js';

describe.each(BACKENDS)('i386 smoke (%s)', (backend) => {
  it('runs a real-mode loop and halts', () => {
    const m = new TestMachine({ backend });
    m.loadReal(`
      mov cx, 10
      xor ax, ax
    again:
      add ax, cx
      loop again
      mov [0x2000], ax
      mov al, 'A'
      out 0xe9, al
      hlt
    `);
    expect(m.run()).toBe('halted');
    expect(m.cpu.regs[0] & 0xffff).toBe(0x41);
    expect(m.read16(0x2000)).toBe(55);
    expect(m.text).toBe('A');
  });
});
