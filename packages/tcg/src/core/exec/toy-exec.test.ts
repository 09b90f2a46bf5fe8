import { describe, expect, it } from 'vitest';
import type { LogSink } from '../log.js';
import {
  CC_OP_SUB,
  EXC_DIV0,
  EXC_ILLEGAL,
  EXC_IRQ,
  EXC_PAGE_FAULT,
  EXC_SYSCALL,
  MODE_PAGING,
  MODE_USER,
  SYS,
} from '../testing/toy-frontend.js';
import { ToyAsm } from '../testing/toy-isa.js';
import { ToyMachine, type ToyMachineOptions } from '../testing/toy-machine.js';
import { CPU_INTERRUPT_HARD, EXCP_HALTED, EXCP_HLT, EXCP_INTERRUPT } from './cpu-state.js';

const CODE = 0x1000;
const BACKENDS = ['js', 'interpreter', 'tiered'] as const;

/** Assemble at CODE (exception vector at label 'handler' if there is one) and load it. */
function boot(
  program: (a: ToyAsm) => void,
  options: ToyMachineOptions = {},
): { m: ToyMachine; a: ToyAsm } {
  const a = new ToyAsm(CODE);
  program(a);
  const m = new ToyMachine(options);
  m.load(CODE, a.build());
  try {
    m.cpu.sys[SYS.EVEC] = a.addressOf('handler');
  } catch {
    // no handler in this program
  }
  return { m, a };
}

function regs(m: ToyMachine): number[] {
  return Array.from(m.cpu.regs);
}

/** Sum of 1..n computed by a counted loop; r1 holds the sum, r2 the counter. */
function sumLoop(a: ToyAsm, n: number): void {
  a.li(1, 0).li(2, n).li(3, 0);
  a.label('loop').add(1, 1, 2).addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop');
  a.halt();
}

describe('cpu_exec with the toy frontend', () => {
  it('runs straight-line code identically on every backend, optimized or not, single-stepped or not', () => {
    const program = (a: ToyAsm) => {
      a.li(1, 0x12345678).li(2, -3).li(3, 5).li(6, 0x8000);
      a.add(4, 1, 2).sub(5, 1, 3).mul(7, 2, 3).xor(4, 4, 7).shl(5, 5, 3).sar(7, 2, 3);
      a.mulhu(0, 1, 1).mulhs(3, 1, 2).setlt(2, 2, 1).extr(1, 1, 8, 12).dep(4, 5, 16, 8);
      a.stw(4, 6, 0).sth(5, 6, 4).stb(7, 6, 6).ldhs(5, 6, 0).ldbs(7, 6, 1).ldw(6, 6, 4);
      a.halt();
    };
    let reference: number[] | undefined;
    for (const backend of BACKENDS) {
      for (const optimize of [true, false]) {
        for (const singlestep of [false, true]) {
          const { m } = boot(program, { backend, optimize, singlestep, tierThreshold: 1 });
          expect(m.runUntilHalt()).toBe(EXCP_HLT);
          reference ??= regs(m);
          expect(regs(m)).toEqual(reference);
          if (singlestep) expect(m.engine.statistics().avgInsnsPerTb).toBe(1);
        }
      }
    }
    expect(reference![0]).toBe(Number((0x12345678n * 0x12345678n) >> 32n) | 0);
  });

  it('chains a hot loop instead of looking TBs up', () => {
    for (const backend of BACKENDS) {
      const { m } = boot((a) => sumLoop(a, 10000), { backend });
      m.runUntilHalt();
      expect(m.cpu.regs[1]).toBe(50005000);
      const s = m.engine.statistics();
      expect(s.chainedExecutions).toBeGreaterThan(9000);
      expect(s.lookups).toBeLessThan(20);
    }
  });

  it('chains between the TBs of a branchy loop and runs a bounded chain per call', () => {
    const { m } = boot(
      (a) => {
        a.li(1, 0).li(2, 3000).li(3, 0).li(4, 1).li(5, 0).li(6, 0);
        a.label('loop').and(5, 2, 4).cmp(5, 3).bcc('eq', 'even');
        a.addi(1, 1, 3).jmp('next');
        a.label('even').addi(6, 6, 1);
        a.label('next').addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop');
        a.halt();
      },
      { chainLimit: 64 },
    );
    let calls = 0;
    while (m.engine.cpuExec(500) === EXCP_INTERRUPT) calls++;
    expect([m.cpu.regs[1], m.cpu.regs[6]]).toEqual([4500, 1500]);
    expect(calls).toBeGreaterThan(5); // the 500-TB budget made cpuExec return
    const s = m.engine.statistics();
    expect(s.chainedExecutions / (s.chainedExecutions + s.tbEntries)).toBeGreaterThan(0.9);
  });

  it('follows indirect jumps through lookup_and_goto_ptr', () => {
    const { m } = boot((a) => {
      a.li(1, 0).li(2, 100).li(3, 0).li(7, 0);
      a.label('loop').la(6, 'ret').jmp('func');
      a.label('ret').addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop').halt();
      a.label('func').addi(1, 1, 2).jr(6);
    });
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(200);
    expect(m.engine.statistics().lookups).toBeGreaterThan(100);
  });

  it('a helper fault mid-block restores the exact PC, the registers and the lazy cc_op', () => {
    for (const [backend, optimize] of BACKENDS.flatMap((b) => [
      [b, true] as const,
      [b, false] as const,
    ])) {
      const { m, a } = boot(
        (a) => {
          a.li(1, 10).li(2, 0).li(3, 7);
          a.cmp(1, 3); // cc_op becomes SUB, but only in the translator's view
          a.addi(4, 3, 1);
          a.label('div').divu(5, 1, 2);
          a.addi(6, 3, 2); // must not run
          a.halt();
          a.label('handler').halt();
        },
        { backend, optimize, tierThreshold: 1 },
      );
      m.runUntilHalt();
      expect(m.cpu.sys[SYS.CAUSE]).toBe(EXC_DIV0);
      expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('div'));
      expect(m.cpu.sys[SYS.CC_OP]).toBe(CC_OP_SUB);
      expect(m.cpu.sys[SYS.CC_DST]).toBe(3);
      expect(regs(m).slice(1, 7)).toEqual([10, 0, 7, 8, 0, 0]);
    }
  });

  it('a page fault mid-block is precise and the faulting load can be restarted', () => {
    for (const backend of BACKENDS) {
      const PT = 0x10000;
      const { m, a } = boot(
        (a) => {
          a.li(6, PT).li(1, MODE_PAGING).setmode(1); // paging on (identity map below)
          a.li(2, 0x5000).li(3, 1);
          a.label('load').ldw(4, 2, 0); // page 5 is not present yet
          a.addi(3, 3, 1);
          a.halt();
          // Handler: map page 5 to physical 0x7000 and return to the load.
          a.label('handler')
            .li(5, 0x7003)
            .stw(5, 6, 5 * 4)
            .tlbflush()
            .iret();
        },
        { backend },
      );
      const pt = new DataView(m.memory.ram.buffer, PT, 4096);
      for (const page of [0, 1, 2, 3, 0x10]) pt.setUint32(page * 4, page * 0x1000 + 3, true);
      m.cpu.sys[SYS.PTBASE] = PT;
      new DataView(m.memory.ram.buffer).setUint32(0x7000, 0xabcdef, true);
      m.runUntilHalt();
      expect(m.cpu.sys[SYS.CAUSE]).toBe(EXC_PAGE_FAULT);
      expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('load'));
      expect(m.cpu.sys[SYS.BADADDR]).toBe(0x5000);
      expect(m.cpu.regs[4]).toBe(0xabcdef);
      expect(m.cpu.regs[3]).toBe(2); // the addi ran exactly once, after the retried load
    }
  });

  it('user mode is a separate TB flag and MMU index', () => {
    const PT = 0x10000;
    const { m, a } = boot((a) => {
      a.li(1, MODE_PAGING | MODE_USER)
        .li(2, 0x3000)
        .setmode(1);
      a.label('user').ldw(3, 2, 0); // kernel-only page: fault
      a.halt();
      a.label('handler').halt();
    });
    const pt = new DataView(m.memory.ram.buffer, PT, 4096);
    pt.setUint32(1 * 4, 0x1000 + 7, true); // code page: user
    pt.setUint32(3 * 4, 0x3000 + 3, true); // data page: kernel only
    m.cpu.sys[SYS.PTBASE] = PT;
    m.runUntilHalt();
    expect(m.cpu.sys[SYS.CAUSE]).toBe(EXC_PAGE_FAULT);
    expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('user'));
    expect(m.cpu.sys[SYS.PMODE]).toBe(MODE_PAGING | MODE_USER);
  });

  it('raises illegal-instruction and syscall exceptions at the right PC', () => {
    const { m, a } = boot((a) => {
      a.li(7, 0).label('sys').syscall().label('after').bad();
      a.label('handler').addi(7, 7, 1).cmp(7, 0);
      a.li(1, 2).cmp(7, 1).bcc('eq', 'stop').iret();
      a.label('stop').halt();
    });
    m.runUntilHalt();
    expect(m.cpu.sys[SYS.CAUSE]).toBe(EXC_ILLEGAL);
    expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('after'));
    expect(m.cpu.regs[7]).toBe(2);
    expect(EXC_SYSCALL).toBe(4);
  });

  it('self-modifying code: a loop that rewrites its next instruction runs the new one', () => {
    for (const [backend, optimize] of BACKENDS.flatMap((b) => [
      [b, true] as const,
      [b, false] as const,
    ])) {
      const { m } = boot(
        (a) => {
          // r5 = the word for "addi r1, r1, k"; each iteration bumps k and stores it over
          // the instruction right after the store.
          a.li(1, 0).li(2, 10).li(3, 0).li(4, 0x01000000).li(5, 0x0001010d).la(6, 'patch');
          a.label('loop').add(5, 5, 4).stw(5, 6, 0);
          a.label('patch').addi(1, 1, 0);
          a.addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop').halt();
        },
        { backend, optimize, tierThreshold: 2 },
      );
      m.runUntilHalt();
      // k = 1, 2, ..., 10: each iteration ran the instruction it had just written
      // (a stale translation would give 0 + 1 + ... + 9 = 45).
      expect(m.cpu.regs[1]).toBe(55);
      const s = m.engine.statistics();
      expect(s.smcRestarts).toBeGreaterThan(0);
      expect(s.tbInvalidated).toBeGreaterThan(0);
    }
  });

  it('a store into another TB on the same page invalidates it without a restart', () => {
    const { m } = boot((a) => {
      a.li(1, 0).li(2, 3).li(3, 0).li(5, 0x0501010d).la(6, 'patch'); // addi r1, r1, 5
      a.label('loop').jmp('body');
      a.label('body').label('patch').addi(1, 1, 1).jmp('tail');
      a.label('tail').stw(5, 6, 0).addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop').halt();
    });
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(1 + 5 + 5);
    expect(m.engine.statistics().smcRestarts).toBe(0);
    expect(m.engine.statistics().tbInvalidated).toBeGreaterThan(0);
  });

  it('a TB whose last instruction crosses a page is invalidated by writes to either page', () => {
    const { m } = boot((a) => {
      a.org(0x1ff0).li(1, 1).addi(2, 2, 1).li(3, 0x1111).addi(4, 4, 1).halt(); // li r3 spans 0x1ffc..0x2003
    });
    m.cpu.pc = 0x1ff0;
    m.runUntilHalt();
    expect(m.cpu.regs[3]).toBe(0x1111);
    const tbs = m.engine.statistics().tbCount;
    // A DMA write to the immediate on the second page.
    m.memory.load(0x2000, Uint8Array.of(0x22, 0x22, 0, 0));
    expect(m.engine.statistics().tbInvalidated).toBe(1);
    m.cpu.pc = 0x1ff0;
    m.cpu.halted = false;
    m.runUntilHalt();
    expect(m.cpu.regs[3]).toBe(0x2222);
    expect(m.engine.statistics().tbCount).toBe(tbs);
  });

  it('ends a TB before an instruction that crosses into an unmapped page, then faults precisely', () => {
    const PT = 0x10000;
    const { m, a } = boot((a) => {
      a.li(1, MODE_PAGING).setmode(1).jmp('tail');
      a.label('handler').halt();
      a.org(0x1ff8).label('tail').addi(2, 2, 1).label('cross').li(3, 0x3333).halt();
    });
    const pt = new DataView(m.memory.ram.buffer, PT, 4096);
    pt.setUint32(1 * 4, 0x1000 + 3, true); // page 2 is not mapped
    m.cpu.sys[SYS.PTBASE] = PT;
    m.runUntilHalt();
    expect(m.cpu.regs[2]).toBe(1);
    expect(m.cpu.sys[SYS.CAUSE]).toBe(EXC_PAGE_FAULT);
    expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('cross'));
    expect(m.cpu.sys[SYS.BADADDR]).toBe(0x2000);
  });

  it('a device that raises an interrupt while a loop runs stops the loop at a TB boundary', () => {
    for (const backend of BACKENDS) {
      let reads = 0;
      const memory = {
        ramSize: 1 << 20,
        mmio: [
          {
            base: 0x200000,
            size: 0x1000,
            device: {
              read: () => {
                if (++reads === 300) m.cpu.interrupt(CPU_INTERRUPT_HARD);
                return reads;
              },
              write: () => {},
            },
          },
        ],
      };
      const { m, a } = boot(
        (a) => {
          a.li(2, 0x200000).li(3, 0).sti();
          a.label('loop').ldw(1, 2, 0).addi(3, 3, 1).jmp('loop');
          a.label('handler').li(7, 0xdead).halt();
        },
        { backend, memory },
      );
      m.runUntilHalt();
      expect(m.cpu.regs[7]).toBe(0xdead);
      expect(m.cpu.sys[SYS.CAUSE]).toBe(EXC_IRQ);
      expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('loop'));
      expect(m.cpu.regs[3]).toBe(300);
    }
  });

  it('halts, returns EXCP_HALTED while idle, and wakes on an interrupt', () => {
    const { m, a } = boot((a) => {
      a.li(1, 1).sti().label('hlt').halt().li(1, 2).halt();
      a.label('handler').li(7, 0x77).iret();
    });
    expect(m.engine.cpuExec()).toBe(EXCP_HLT);
    expect(m.engine.cpuExec()).toBe(EXCP_HALTED);
    m.cpu.interrupt(CPU_INTERRUPT_HARD);
    expect(m.engine.cpuExec()).toBe(EXCP_HLT);
    expect(m.cpu.regs[7]).toBe(0x77);
    expect(m.cpu.regs[1]).toBe(2);
    expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('hlt') + 4);
  });

  it('cpu.exit() from a device makes cpuExec return', () => {
    const ports = { in: () => 0, out: () => m.cpu.exit() };
    const { m } = boot((a) => {
      a.li(1, 0).label('loop').addi(1, 1, 1).out_(0x10, 1).jmp('loop');
    });
    m.cpu.ports = ports;
    expect(m.engine.cpuExec(1_000_000)).toBe(EXCP_INTERRUPT);
    expect(m.cpu.regs[1]).toBe(1);
  });

  it('icount: exact instruction budgets and the same result in any slicing', () => {
    const program = (a: ToyAsm) => sumLoop(a, 100);
    const plain = boot(program).m;
    plain.runUntilHalt();
    for (const slice of [1, 7, 64]) {
      for (const backend of BACKENDS) {
        const { m } = boot(program, { icount: true, backend, tierThreshold: 3 });
        let calls = 0;
        while (m.engine.cpuExec(slice) === EXCP_INTERRUPT) {
          calls++;
          expect(m.cpu.icountExecuted).toBe(calls * slice);
        }
        expect(regs(m)).toEqual(regs(plain));
        // 3 li (+0), 4 per iteration, and the halt.
        expect(m.cpu.icountExecuted).toBe(3 + 4 * 100 + 1);
      }
    }
  });

  it('icount counts a faulting instruction as not executed', () => {
    const { m } = boot(
      (a) => {
        a.li(1, 1).li(2, 0).divu(3, 1, 2).li(4, 4);
        a.label('handler').halt();
      },
      { icount: true },
    );
    m.runUntilHalt(10, 1000);
    expect(m.cpu.icountExecuted).toBe(3); // li, li, halt
  });

  it('flushes the TB cache when it is full and keeps running correctly', () => {
    const { m } = boot(
      (a) => {
        a.li(1, 0).li(2, 50).li(3, 0);
        a.label('loop').addi(1, 1, 1).jmp('b1');
        a.label('b1').addi(1, 1, 1).jmp('b2');
        a.label('b2').addi(1, 1, 1).jmp('b3');
        a.label('b3').addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop').halt();
      },
      { maxTbs: 3 },
    );
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(150);
    expect(m.engine.statistics().tbFlushes).toBeGreaterThan(5);
  });

  it('a memory topology change flushes the TLB', () => {
    const { m } = boot(
      (a) => {
        a.li(2, 0x90000).ldw(1, 2, 0).halt();
      },
      { memory: { ramSize: 0x80000, extraRam: { base: 0x90000, size: 0x1000 } } },
    );
    m.memory.load(0x90000, Uint8Array.of(1, 0, 0, 0));
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(1);
    m.memory.moveExtraRam(0xa0000); // 0x90000 is unassigned now: reads all ones
    m.cpu.pc = CODE;
    m.cpu.halted = false;
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(-1);
  });

  it('-d in_asm,op,op_opt,out_asm,exec and info jit', () => {
    const out = new Map<string, string>();
    const log: LogSink = {
      enabled: () => true,
      write: (item, text) => out.set(item, (out.get(item) ?? '') + text),
    };
    const { m } = boot((a) => sumLoop(a, 3), { log, backend: 'js' });
    m.runUntilHalt();
    expect(out.get('in_asm')).toContain('0x00001018:  add 1, 1, 2');
    expect(out.get('op')).toContain(' ---- 0x1018 0xffffffff\n add_i32 r1,r1,r2');
    expect(out.get('op_opt')).toContain('OP after optimization');
    expect(out.get('out_asm')).toContain('return (function tb_1018()');
    expect(out.get('exec')).toContain('Trace: TB[pc=0x1018');
    const info = m.engine.formatStatistics();
    expect(info).toMatch(/TB count\s+\d+\/65536/);
    expect(info).toMatch(/TB lookups\s+\d+ \(jump cache/);
  });

  it('tiered: TBs are interpreted until hot, then compiled from a second translation', () => {
    const program = (a: ToyAsm) => {
      a.li(1, 0).li(2, 400).li(3, 0).li(4, 1).li(5, 0).li(6, 0);
      a.label('loop').and(5, 2, 4).cmp(5, 3).bcc('eq', 'even');
      a.addi(1, 1, 3).jmp('next');
      a.label('even').addi(6, 6, 1);
      a.label('next').addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop');
      a.halt();
    };
    const { m } = boot(program, { backend: 'tiered', tierThreshold: 50, regions: false });
    m.runUntilHalt();
    expect([m.cpu.regs[1], m.cpu.regs[6]]).toEqual([600, 200]);
    const s = m.engine.statistics();
    // The loop's TBs got hot and were compiled; the TBs before and after it never were.
    expect(s.jsCompiles).toBeGreaterThanOrEqual(3);
    expect(s.jsCompiles).toBeLessThan(s.tbTranslated);
    expect(s.regionCompiles).toBe(0);
    expect(s.interpretedExecutions).toBeGreaterThan(3 * 49);
    expect(s.interpretedExecutions).toBeLessThan(s.tbEntries + s.chainedExecutions);

    // With regions (the default), the first loop TB to get hot is compiled together with
    // the loop's other TBs, which it is linked to: one function runs the whole loop.
    const r = boot(program, { backend: 'tiered', tierThreshold: 50 }).m;
    r.runUntilHalt();
    expect([r.cpu.regs[1], r.cpu.regs[6]]).toEqual([600, 200]);
    const rs = r.engine.statistics();
    expect(rs.regionCompiles).toBe(1);
    expect(rs.regionMembers).toBeGreaterThanOrEqual(3);
    // Most of the 400 iterations ran inside the region, not through the interpreter.
    expect(rs.interpretedExecutions).toBeLessThan(s.interpretedExecutions);
  });

  it('tiered: a region leaves when a member TB is overwritten, and runs the new code', () => {
    const { m } = boot(
      (a) => {
        a.li(1, 0).li(2, 40).li(3, 0).li(7, 20).li(5, 0x0501010d).la(6, 'patch'); // addi r1, r1, 5
        a.label('loop').jmp('body');
        a.label('body').label('patch').addi(1, 1, 1).jmp('tail');
        a.label('tail').addi(2, 2, -1).cmp(2, 7).bcc('ne', 'skip');
        a.stw(5, 6, 0); // once, in the 20th iteration, long after the region was compiled
        a.label('skip').cmp(2, 3).bcc('ne', 'loop').halt();
      },
      { backend: 'tiered', tierThreshold: 5 },
    );
    m.runUntilHalt();
    // 20 iterations added 1, the 20 after the store added 5.
    expect(m.cpu.regs[1]).toBe(20 + 100);
    const s = m.engine.statistics();
    expect(s.regionCompiles).toBeGreaterThanOrEqual(1);
    expect(s.tbInvalidated).toBeGreaterThan(0);
  });

  it('tiered: a region takes in the code after a call, and a return stays in the region', () => {
    // A subroutine called with its return address in r8 and left with `jr r8`: `back`
    // is reached only through the indirect jump, never through a chaining slot.
    const out: string[] = [];
    const log: LogSink = {
      enabled: (item) => item === 'out_asm',
      write: (_item, text) => out.push(text),
    };
    const { m } = boot(
      (a) => {
        a.li(1, 0).li(2, 300).li(3, 0);
        a.label('loop').la(8, 'back').jmp('sub');
        a.label('back').addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop').halt();
        a.label('sub').addi(1, 1, 2).jr(8);
      },
      { backend: 'tiered', tierThreshold: 20, log },
    );
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(600);
    const s = m.engine.statistics();
    expect(s.regionCompiles).toBe(1);
    // loop, sub and back (the first to get hot is `sub`, which has no links, so it is
    // compiled alone; then `back`, linked to loop, which leads to sub and ends at back).
    expect(out.join('')).toMatch(/OUT: \[region of 3 TBs from TB\[pc=0x/);
    // In the region, the lookup after `jr r8` found `back` and went on there.
    expect(out.join('')).toMatch(/nx = LOOKUP\(\); if \(nx !== null && nx.regionId === 1 /);
    // Once compiled, no TB of the loop ran in the interpreter again.
    expect(s.interpretedExecutions).toBeLessThan(3 * 20 + 10);
  });

  it('tiered: a single-TB loop that spins inside one interpreted run still gets compiled', () => {
    // sumLoop's loop is one TB chained to itself: the interpreter runs it as a self-loop,
    // without returning to the trampoline that counts runs.
    const { m } = boot((a) => sumLoop(a, 100000), { backend: 'tiered', tierThreshold: 500 });
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(((100000 * 100001) / 2) | 0);
    const s = m.engine.statistics();
    expect(s.jsCompiles).toBe(1);
    // Interpreted: the first runs of each TB, and no more than the threshold of the loop's.
    expect(s.interpretedExecutions).toBeLessThan(10);
  });

  it('tiered: a hot TB is not compiled from IR that differs from what was interpreted', () => {
    const { m, a } = boot(
      (a) => {
        a.li(1, 0).li(2, 100).li(3, 0).li(6, 0x8000);
        a.label('loop').jmp('body');
        a.label('body').label('patch').addi(1, 1, 1).jmp('tail');
        a.label('tail').addi(2, 2, -1).cmp(2, 3).bcc('ne', 'loop').halt();
      },
      { backend: 'tiered', tierThreshold: 20 },
    );
    m.engine.cpuExec(30); // the loop runs a few times, interpreted
    // Change the code behind the engine's back (no code-write notification, so the TB
    // stays valid): translated again, it would hold a load, one more fault site.
    const load = new ToyAsm(0).ldw(7, 6, 0).build();
    m.memory.ram.set(load, a.addressOf('patch'));
    m.runUntilHalt();
    // Every iteration ran the instructions that were interpreted first.
    expect(m.cpu.regs[1]).toBe(100);
    expect(m.cpu.regs[7]).toBe(0);
  });

  it('a fault in a TB reached through a chain restores that TB, not the first of the chain', () => {
    for (const backend of BACKENDS) {
      const { m, a } = boot(
        (a) => {
          a.li(1, 1000).li(2, 30).li(3, 0).li(7, 0);
          a.label('loop').addi(7, 7, 1).jmp('body');
          a.label('body').addi(2, 2, -1);
          a.label('div').divu(5, 1, 2); // r2 reaches 0 in the 30th iteration
          a.cmp(2, 3).bcc('ne', 'loop').halt();
          a.label('handler').halt();
        },
        { backend, tierThreshold: 5 },
      );
      m.runUntilHalt();
      expect(m.cpu.sys[SYS.CAUSE]).toBe(EXC_DIV0);
      expect(m.cpu.sys[SYS.EPC]).toBe(a.addressOf('div'));
      expect([m.cpu.regs[2], m.cpu.regs[7]]).toEqual([0, 30]);
      expect(m.engine.statistics().chainedExecutions).toBeGreaterThan(40);
      // On the tiered backend the loop became a region: the fault came from inside it.
      if (backend === 'tiered') expect(m.engine.statistics().regionCompiles).toBe(1);
    }
  });

  it('tiered: a TB compiled when hot shows in out_asm, and its guest code is dumped once', () => {
    const out = new Map<string, string>();
    const log: LogSink = {
      enabled: (item) => item === 'in_asm' || item === 'out_asm',
      write: (item, text) => out.set(item, (out.get(item) ?? '') + text),
    };
    const { m } = boot((a) => sumLoop(a, 50), {
      log,
      backend: 'tiered',
      tierThreshold: 2,
      chainLimit: 4,
    });
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(1275);
    expect(out.get('out_asm')).toContain('return (function tb_1018()');
    // One dump per translation: compiling the hot TB translated it again, silently.
    expect(out.get('in_asm')!.match(/IN:/g)).toHaveLength(m.engine.statistics().tbTranslated);
    expect(m.engine.statistics().jsCompiles).toBeGreaterThan(0);
  });

  it('two machines run side by side without sharing state', () => {
    const one = boot((a) => sumLoop(a, 10)).m;
    const two = boot((a) => sumLoop(a, 20)).m;
    for (let i = 0; i < 3; i++) {
      one.engine.cpuExec(2);
      two.engine.cpuExec(2);
    }
    one.runUntilHalt();
    two.runUntilHalt();
    expect([one.cpu.regs[1], two.cpu.regs[1]]).toEqual([55, 210]);
  });

  it('code outside RAM runs one uncached instruction at a time', () => {
    const code = new ToyAsm(0x200000).li(1, 41).addi(1, 1, 1).halt().build();
    const device = {
      read: (offset: number, size: 1 | 2 | 4) => {
        let v = 0;
        for (let k = size - 1; k >= 0; k--) v = v * 256 + (code[offset + k] ?? 0);
        return v;
      },
      write: () => {},
    };
    const m = new ToyMachine({
      memory: { ramSize: 1 << 20, mmio: [{ base: 0x200000, size: 0x1000, device }] },
    });
    m.cpu.pc = 0x200000;
    m.runUntilHalt();
    expect(m.cpu.regs[1]).toBe(42);
    const s = m.engine.statistics();
    expect(s.tbTranslated).toBe(3);
    expect(s.tbCount).toBe(0);
  });
});
