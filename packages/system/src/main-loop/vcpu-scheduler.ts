/**
 * Runs the vCPUs in turn (QEMU's round-robin TCG mode): each runnable vCPU gets one budget
 * per pass, sized so that it returns before the next timer is due and within the loop's
 * host-time slice.
 */
import type { Notifier } from '../notifier.js';
import type { Clocks } from '../timer/clocks.js';
import type { VcpuBudget, VcpuExitReason, VcpuRunner } from './vcpu.js';

/** What the scheduler needs from the rest of the system. */
export interface VcpuSchedulerHost {
  /** False when a request must be handled before any vCPU runs again. */
  mayContinue(): boolean;
  /** Called after each run with the reason it returned. */
  handleExit(runner: VcpuRunner, reason: VcpuExitReason): void;
  /** Called when `run` throws: an emulator bug. */
  handleError(runner: VcpuRunner, error: unknown): void;
}

/** Budgets stay below 2^31 so that a JIT can count them in 32-bit integers. */
const MAX_INSTRUCTION_LIMIT = 0x7fff_ffff;
/** First guess of vCPU speed (instructions per host ns): 10 MIPS; corrected after each run. */
const INITIAL_RATE = 0.01;
/** Bounds of the speed estimate: 0.1 to 10 000 MIPS. */
const MIN_RATE = 0.0001;
const MAX_RATE = 10;

export class VcpuScheduler {
  /** The vCPU inside `run`, if any (QEMU's current_cpu). */
  current: VcpuRunner | undefined;
  /** Measured speed, instructions per host nanosecond (a moving average). */
  rate = INITIAL_RATE;
  private runners: readonly VcpuRunner[] = [];
  private readonly budget = { instructionLimit: 0 };
  private runStartCount = 0;

  constructor(
    private readonly clocks: Clocks,
    private readonly host: VcpuSchedulerHost,
  ) {
    const icount = clocks.icount;
    if (icount) {
      icount.inFlight = () =>
        this.current ? this.current.instructionsExecuted - this.runStartCount : 0;
    }
  }

  /** Adds a vCPU; it runs after the ones added before it. */
  add(runner: VcpuRunner): Notifier {
    this.runners = [...this.runners, runner];
    return {
      remove: () => {
        this.runners = this.runners.filter((r) => r !== runner);
      },
    };
  }

  get list(): readonly VcpuRunner[] {
    return this.runners;
  }

  /** True if no vCPU can run (all halted with nothing to do, or there are none). */
  allIdle(): boolean {
    return this.runners.every((runner) => runner.isIdle());
  }

  /** Makes the running vCPU, if any, return from `run` (QEMU's cpu_exit(current_cpu)). */
  kickCurrent(): boolean {
    if (!this.current) return false;
    this.current.exitRequest();
    return true;
  }

  /**
   * Gives each runnable vCPU one run. `hostBudgetNs` bounds the host time of each run (the
   * rest of the loop's slice). Returns true if some vCPU was runnable. Stops early when a
   * request is pending or when a virtual timer is due.
   */
  runPass(hostBudgetNs: number): boolean {
    let anyRunnable = false;
    for (const runner of this.runners) {
      if (!this.host.mayContinue()) break;
      if (runner.isIdle()) continue;
      anyRunnable = true;
      const limit = this.instructionLimit(hostBudgetNs);
      if (limit === 0) break; // a virtual timer is due: run it before any more guest code
      this.runOne(runner, limit);
    }
    return anyRunnable;
  }

  private instructionLimit(hostBudgetNs: number): number {
    const hostNs = Math.min(hostBudgetNs, this.clocks.hostDeadlineNs());
    if (hostNs <= 0) return 0; // a timer is due, or the slice is over
    let limit = Math.max(1, Math.floor(this.rate * hostNs));
    const icount = this.clocks.icount;
    if (icount) limit = Math.min(limit, icount.instructionsUntil(this.clocks.virtual.deadlineNs()));
    return Math.min(limit, MAX_INSTRUCTION_LIMIT);
  }

  private runOne(runner: VcpuRunner, limit: number): void {
    const budget: VcpuBudget = this.budget;
    this.budget.instructionLimit = limit;
    const before = runner.instructionsExecuted;
    const startNs = this.clocks.hostTime.monotonicNs();
    this.runStartCount = before;
    this.current = runner;
    let reason: VcpuExitReason | undefined;
    let failure: { error: unknown } | undefined;
    try {
      reason = runner.run(budget);
    } catch (error) {
      failure = { error };
    } finally {
      this.current = undefined;
    }
    const executed = runner.instructionsExecuted - before;
    this.clocks.icount?.retire(executed);
    if (failure) {
      this.host.handleError(runner, failure.error);
      return;
    }
    if (!(executed >= 0 && executed <= limit)) {
      throw new Error(
        `vCPU ${runner.name} executed ${executed} instructions with a budget of ${limit}`,
      );
    }
    this.updateRate(executed, limit, this.clocks.hostTime.monotonicNs() - startNs);
    this.host.handleExit(runner, reason!);
  }

  /**
   * Learns the vCPU speed from runs that used their whole budget (a run that stopped early,
   * on HLT or an exit request, says nothing about speed). Slow-downs are believed faster than
   * speed-ups, so that a slice rarely overruns; a run stretched by host preemption only
   * halves the estimate, which the next full runs restore.
   */
  private updateRate(executed: number, limit: number, elapsedNs: number): void {
    if (executed !== limit || executed === 0) return;
    const measured = executed / Math.max(elapsedNs, 1_000); // below 1 µs the clock is noise
    const weight = measured < this.rate ? 0.5 : 0.3;
    const rate = (1 - weight) * this.rate + weight * measured;
    this.rate = Math.min(Math.max(rate, MIN_RATE), MAX_RATE);
  }
}
