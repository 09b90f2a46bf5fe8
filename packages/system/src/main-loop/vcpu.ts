/**
 * The contract between the main loop and an accelerator's virtual CPU (QEMU's AccelOpsClass
 * and cpu_exec, reduced to what a single-threaded host needs).
 *
 * The main loop calls {@link VcpuRunner.run} with a budget; the vCPU executes guest
 * instructions until the budget is used or something makes it stop, and returns why.
 * Nothing can interrupt JavaScript from outside, so the budget is counted in instructions:
 * under icount it is exactly the count that reaches the next virtual timer deadline; without
 * icount the loop converts the time to the next deadline (and its few-ms slice) into a count
 * using the measured speed of the vCPU.
 */

/** Why {@link VcpuRunner.run} returned. */
export type VcpuExitReason =
  /** `instructionLimit` instructions were executed. */
  | 'budget-used'
  /** {@link VcpuRunner.exitRequest} was called (an interrupt, a request, a timer to recompute). */
  | 'exit-request'
  /** The vCPU halted (x86 HLT) and {@link VcpuRunner.isIdle} now says whether it can go on. */
  | 'halted'
  /** A breakpoint, watchpoint or single step: the VM stops in the `debug` state. */
  | 'debug'
  /** The guest asked for a reset (e.g. an x86 triple fault): a `guest-reset` request. */
  | 'reset-request'
  /** The guest asked to power off: a `guest-shutdown` request. */
  | 'shutdown-request';

/** How much a vCPU may run in one call. The object is reused: read it, do not keep it. */
export interface VcpuBudget {
  /**
   * The most instructions to execute in this call (at least 1). The vCPU may stop earlier;
   * it must never execute more, or icount runs stop being reproducible.
   */
  readonly instructionLimit: number;
}

/** What an accelerator implements for each virtual CPU. */
export interface VcpuRunner {
  /** For messages (e.g. `cpu0`). */
  readonly name: string;
  /**
   * Total guest instructions executed since the vCPU was created; never goes down (not even
   * at reset). It must be up to date whenever the vCPU calls out to device code (MMIO,
   * port I/O, helpers that read the clock) and when `run` returns: under icount the virtual
   * clock is computed from it.
   */
  readonly instructionsExecuted: number;
  /** Executes guest code within the budget and says why it stopped. */
  run(budget: VcpuBudget): VcpuExitReason;
  /**
   * True while the vCPU has nothing to do: halted with no interrupt it can take (QEMU's
   * cpu_thread_is_idle). The loop does not call `run` then, and sleeps if every vCPU is idle.
   */
  isIdle(): boolean;
  /**
   * Makes the vCPU return from `run` as soon as possible, after the current instruction
   * (QEMU's cpu_exit). Device code calls it, through the loop's `notify`, when it raises an
   * interrupt or files a request during a run. Outside `run` it has no effect: `run` forgets
   * any earlier request when it starts.
   */
  exitRequest(): void;
  /** The vCPU state as text, printed when the vCPU fails with an emulator bug. */
  dumpState?(): string;
}
