// The JIT on @tsemu/memory's real AddressSpace (the other tests use a small TestMemory):
// the PhysicalMemory contract between the two packages, exercised end to end.
import { DirtyClient, MemoryCore } from '@tsemu/memory';
import { describe, expect, it } from 'vitest';
import { ToyCpu, toyFrontend } from '../testing/toy-frontend.js';
import { ToyAsm } from '../testing/toy-isa.js';
import { EXCP_HALTED, EXCP_HLT } from './cpu-state.js';
import { TcgEngine } from './engine.js';

const CODE = 0x1000;
const FRAMEBUFFER = 0xa0000;

function machine(program: (a: ToyAsm) => void, backend: 'js' | 'interpreter') {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 32n);
  const ram = core.ram('pc.ram', 0x100000);
  system.addSubregion(0, ram);
  const vram = core.ram('vga.vram', 0x10000);
  system.addSubregionOverlap(FRAMEBUFFER, vram, 1);
  vram.setLog(true, DirtyClient.VGA);
  vram.resetDirty(0, 0x10000, DirtyClient.VGA);
  const memory = core.addressSpace('memory', system);

  const a = new ToyAsm(CODE);
  program(a);
  memory.writeBytes(CODE, a.build());
  const cpu = new ToyCpu(memory);
  cpu.pc = CODE;
  const engine = new TcgEngine({ cpu, frontend: toyFrontend, backend });
  const run = () => {
    for (let slice = 0; slice < 100; slice++) {
      const exit = engine.cpuExec(100_000);
      if (exit === EXCP_HLT || exit === EXCP_HALTED) return;
    }
    throw new Error('guest did not halt');
  };
  return { core, memory, vram, cpu, engine, run, a };
}

describe('the JIT on a real AddressSpace', () => {
  for (const backend of ['js', 'interpreter'] as const) {
    it(`${backend}: runs a chained loop out of RAM`, () => {
      const m = machine((a) => {
        a.li(1, 0).li(2, 100).li(3, 0);
        a.label('loop').add(1, 1, 2).addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop');
        a.halt();
      }, backend);
      m.run();
      expect(m.cpu.regs[1]).toBe(5050);
    });

    it(`${backend}: self-modifying code through the memory API's CODE dirty client`, () => {
      const m = machine((a) => {
        // Each iteration rewrites the "addi r1, r1, k" right after the store with k+1.
        a.li(1, 0).li(2, 10).li(3, 0).li(4, 0x01000000).li(5, 0x0001010d).la(6, 'patch');
        a.label('loop').add(5, 5, 4).stw(5, 6, 0);
        a.label('patch').addi(1, 1, 0);
        a.addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop').halt();
      }, backend);
      m.run();
      expect(m.cpu.regs[1]).toBe(55); // 1 + 2 + ... + 10; stale code would give 45
      expect(m.engine.statistics().tbInvalidated).toBeGreaterThan(0);
    });

    it(`${backend}: guest stores to the framebuffer mark its pages dirty for the VGA client`, () => {
      const m = machine((a) => {
        a.li(1, 0x41)
          .li(2, FRAMEBUFFER + 0x3000)
          .stb(1, 2, 0)
          .halt();
      }, backend);
      m.run();
      expect(m.vram.testAndClearDirty(0x3000, 0x1000, DirtyClient.VGA)).toBe(true);
      expect(m.vram.testAndClearDirty(0x0000, 0x3000, DirtyClient.VGA)).toBe(false);
      expect(m.memory.read(FRAMEBUFFER + 0x3000, 1)).toBe(0x41);
    });
  }

  it('a DMA write over translated code invalidates it before it runs again', () => {
    const m = machine((a) => {
      a.label('body').addi(1, 1, 1).halt();
    }, 'js');
    m.run();
    expect(m.cpu.regs[1]).toBe(1);
    // A device writes "addi r1, r1, 7" over the first instruction, as a disk DMA would.
    const patched = new ToyAsm(CODE);
    patched.addi(1, 1, 7);
    m.memory.writeBytes(CODE, patched.build());
    m.cpu.pc = CODE;
    m.cpu.halted = false;
    m.run();
    expect(m.cpu.regs[1]).toBe(8);
  });
});
