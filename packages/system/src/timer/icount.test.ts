import { describe, expect, it } from 'vitest';
import { busyVcpu } from '../../test/helpers.js';
import { System } from '../system.js';
import { SyntheticVcpu } from '../testing/synthetic-vcpu.js';

interface GuestRun {
  readonly icount: string;
  readonly maxSliceMs?: number;
  /** The run ends at the guest's `interrupts`-th interrupt. */
  readonly interrupts: number;
}

/**
 * A guest that programs a one-shot "device" timer at pseudo-random intervals, sometimes
 * halts to wait for its interrupt, and logs every event with the virtual time and the
 * instruction count.
 */
async function runGuest(
  options: GuestRun,
): Promise<{ log: string[]; late: number[]; halts: number }> {
  const system = new System({
    icount: options.icount,
    maxSliceMs: options.maxSliceMs,
    reportError: () => {},
  });
  const virtual = system.clocks.virtual;
  const nsPerInstruction = system.clocks.icount!.nsPerInstruction;
  const log: string[] = [];
  const late: number[] = [];
  let armedFor = -1;
  let interrupts = 0;
  let halts = 0;
  const cpu = new SyntheticVcpu(
    'cpu0',
    (self) => {
      const i = self.instructionsExecuted;
      if (i % 997 !== 0) return undefined;
      const delay = 1_000 + ((i * 7919) % 50_000);
      armedFor = virtual.now() + delay;
      deviceTimer.modNs(armedFor);
      log.push(`arm t=${virtual.now()} +${delay}`);
      if ((i / 997) % 3 !== 0) return undefined;
      halts++;
      return self.hlt();
    },
    (self) => {
      log.push(`irq t=${virtual.now()} i=${self.instructionsExecuted}`);
      if (++interrupts === options.interrupts) system.requests.shutdown('guest-shutdown');
    },
  );
  const deviceTimer = virtual.newTimer(() => {
    late.push(virtual.now() - armedFor);
    log.push(`timer t=${virtual.now()} i=${cpu.instructionsExecuted}`);
    cpu.raiseInterrupt();
  });
  expect(nsPerInstruction).toBeGreaterThan(0);
  system.addVcpu(cpu);
  system.vmStart();
  await system.mainLoop.run();
  return { log, late: late.map((ns) => ns / nsPerInstruction), halts };
}

describe('icount', () => {
  it('makes virtual time exactly instructions << shift', async () => {
    const system = new System({ icount: 'shift=2', reportError: () => {} });
    const cpu = busyVcpu();
    let seen = -1;
    system.clocks
      .newTimer('virtual', () => {
        seen = cpu.instructionsExecuted;
        system.requests.shutdown('guest-shutdown');
      })
      .modNs(4_000_000);
    system.addVcpu(cpu);
    system.vmStart();
    await system.mainLoop.run();
    expect(seen).toBe(1_000_000);
    expect(system.clocks.now('virtual')).toBe(4 * cpu.instructionsExecuted);
  });

  it('reproduces a guest run event for event, whatever the host slicing', async () => {
    const first = await runGuest({ icount: 'shift=2,sleep=off', interrupts: 200 });
    const second = await runGuest({ icount: 'shift=2,sleep=off', interrupts: 200 });
    const sliced = await runGuest({
      icount: 'shift=2,sleep=off',
      maxSliceMs: 0.05,
      interrupts: 200,
    });
    expect(first.log.filter((line) => line.startsWith('irq'))).toHaveLength(200);
    expect(first.log.length).toBeGreaterThan(400);
    expect(second.log).toEqual(first.log);
    expect(sliced.log).toEqual(first.log);
    // Every timer fired in the instruction that reached its deadline.
    for (const instructionsLate of first.late) {
      expect(instructionsLate).toBeGreaterThanOrEqual(0);
      expect(instructionsLate).toBeLessThan(1);
    }
  });

  it('with sleep=on waits in host time but gives the same virtual times', async () => {
    const reference = await runGuest({ icount: 'shift=2,sleep=off', interrupts: 20 });
    const start = performance.now();
    const sleeping = await runGuest({ icount: 'shift=2,sleep=on', interrupts: 20 });
    const waitedMs = performance.now() - start;
    expect(sleeping.log).toEqual(reference.log);
    // Each halt slept (at least 1 ms, the host timer granularity) instead of jumping.
    expect(sleeping.halts).toBeGreaterThan(3);
    expect(waitedMs).toBeGreaterThan(sleeping.halts * 0.9);
  });
});
