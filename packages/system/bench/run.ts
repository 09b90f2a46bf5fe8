/**
 * Benchmarks of @tsemu/system: timer throughput and main-loop overhead.
 * Run with `pnpm --filter @tsemu/system bench`. Figures go to bench/RESULTS.md.
 */
import { ManualClock, SyntheticVcpu, System, type VcpuRunner } from '../src/index.js';

function format(n: number): string {
  return n >= 1e6
    ? `${(n / 1e6).toFixed(2)} M`
    : n >= 1e3
      ? `${(n / 1e3).toFixed(1)} k`
      : n.toFixed(0);
}

/** Timers fired per second by a bare TimerList, each re-arming itself with its own period. */
function timerListThroughput(timerCount: number, fires: number): number {
  const clock = new ManualClock();
  let fired = 0;
  for (let i = 0; i < timerCount; i++) {
    const period = 1_000 + ((i * 7919) % 9_000);
    const timer = clock.timers.newTimer((t) => {
      fired++;
      t.modNs(clock.now() + period);
    });
    timer.modNs(period);
  }
  const start = performance.now();
  while (fired < fires) clock.advance(1_000_000);
  return fired / ((performance.now() - start) / 1000);
}

/** Timers fired per second through the main loop (icount, idle vCPU: virtual time warps). */
async function mainLoopTimerThroughput(timerCount: number, fires: number): Promise<number> {
  const system = new System({ icount: 'shift=0,sleep=off', reportError: () => {} });
  const cpu = new SyntheticVcpu('cpu0', (self) => self.hlt());
  cpu.interruptsEnabled = false;
  system.addVcpu(cpu);
  let fired = 0;
  const virtual = system.clocks.virtual;
  for (let i = 0; i < timerCount; i++) {
    const period = 1_000 + ((i * 7919) % 9_000);
    virtual
      .newTimer((t) => {
        if (++fired === fires) system.requests.shutdown('host-qmp-quit');
        t.modNs(virtual.now() + period);
      })
      .modNs(period);
  }
  system.vmStart();
  const start = performance.now();
  await system.mainLoop.run();
  return fired / ((performance.now() - start) / 1000);
}

/**
 * Cost of one pass of the loop (requests, timers, bottom halves, one vCPU run): the vCPU
 * executes one instruction per run, so nearly all the time is loop overhead.
 */
async function mainLoopPassCost(
  durationMs: number,
): Promise<{ nsPerPass: number; passes: number }> {
  const system = new System({ reportError: () => {} });
  system.addVcpu(new SyntheticVcpu('cpu0', () => 'exit-request'));
  system.clocks
    .newTimer('realtime', () => system.requests.shutdown('host-qmp-quit'))
    .modNs(system.clocks.now('realtime') + durationMs * 1e6);
  system.vmStart();
  const start = performance.now();
  await system.mainLoop.run();
  const elapsedNs = (performance.now() - start) * 1e6;
  return { nsPerPass: elapsedNs / system.mainLoop.passes, passes: system.mainLoop.passes };
}

/**
 * Share of host time a busy vCPU does NOT spend inside `run()` under the main loop: the cost
 * of the loop and of yielding to Node every slice.
 */
async function busyOverhead(durationMs: number): Promise<{ outside: number; runs: number }> {
  const cpu = new SyntheticVcpu('cpu0', () => undefined);
  let insideMs = 0;
  const timed: VcpuRunner = {
    name: cpu.name,
    get instructionsExecuted() {
      return cpu.instructionsExecuted;
    },
    run(budget) {
      const start = performance.now();
      const reason = cpu.run(budget);
      insideMs += performance.now() - start;
      return reason;
    },
    isIdle: () => cpu.isIdle(),
    exitRequest: () => cpu.exitRequest(),
  };
  const system = new System({ reportError: () => {} });
  system.addVcpu(timed);
  system.clocks
    .newTimer('realtime', () => system.requests.shutdown('host-qmp-quit'))
    .modNs(system.clocks.now('realtime') + durationMs * 1e6);
  system.vmStart();
  const start = performance.now();
  await system.mainLoop.run();
  return { outside: 1 - insideMs / (performance.now() - start), runs: cpu.runs };
}

// Warm up the JIT once, then measure.
timerListThroughput(100, 200_000);
await mainLoopTimerThroughput(100, 100_000);
await busyOverhead(200);

console.log('@tsemu/system benchmarks');
console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log('');
console.log('timer throughput (TimerList + ManualClock, periodic timers re-arming themselves)');
for (const count of [10, 1_000, 100_000]) {
  const rate = timerListThroughput(count, 2_000_000);
  console.log(`  ${String(count).padStart(7)} armed timers: ${format(rate)} timers fired/s`);
}
console.log('timer throughput through the main loop (icount sleep=off, idle vCPU, warps)');
for (const count of [10, 1_000]) {
  const rate = await mainLoopTimerThroughput(count, 1_000_000);
  console.log(`  ${String(count).padStart(7)} armed timers: ${format(rate)} timers fired/s`);
}
const pass = await mainLoopPassCost(1000);
console.log(
  `main-loop overhead: ${pass.nsPerPass.toFixed(0)} ns per pass (${format(pass.passes)} passes in 1 s, one vCPU run each)`,
);
const busy = await busyOverhead(1000);
console.log(
  `busy vCPU for 1 s: ${(100 * busy.outside).toFixed(2)}% of host time outside vCPU runs (${format(busy.runs)} runs)`,
);
