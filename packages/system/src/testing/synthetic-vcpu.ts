/**
 * A stand-in vCPU for tests and benchmarks of anything that drives vCPUs: it "executes" one
 * call of a program function per instruction, can halt, and takes interrupts.
 *
 * ```ts
 * const cpu = new SyntheticVcpu('cpu0', (cpu) => {
 *   if (cpu.instructionsExecuted === 1000) return cpu.hlt(); // HLT after 1000 instructions
 *   return undefined;
 * });
 * system.addVcpu(cpu);
 * ```
 */
import type { VcpuBudget, VcpuExitReason, VcpuRunner } from '../main-loop/vcpu.js';

/**
 * One instruction: called after `instructionsExecuted` was incremented. Return an exit
 * reason to leave `run` after this instruction (`cpu.hlt()` returns 'halted').
 */
export type SyntheticInstruction = (cpu: SyntheticVcpu) => VcpuExitReason | undefined;

export class SyntheticVcpu implements VcpuRunner {
  instructionsExecuted = 0;
  halted = false;
  /** The x86 IF flag: a halted vCPU with interrupts off sleeps until reset. */
  interruptsEnabled = true;
  /** Calls of `run`, for tests that count loop passes. */
  runs = 0;
  private interruptPending = false;
  private exitRequested = false;

  /**
   * @param onInterrupt called when the vCPU takes a pending interrupt (before the next
   *   instruction)
   */
  constructor(
    readonly name: string,
    private readonly instruction: SyntheticInstruction,
    private readonly onInterrupt?: (cpu: SyntheticVcpu) => void,
  ) {}

  run(budget: VcpuBudget): VcpuExitReason {
    this.runs++;
    this.exitRequested = false;
    for (let left = budget.instructionLimit; left > 0; left--) {
      if (this.interruptPending && this.interruptsEnabled) {
        this.interruptPending = false;
        this.halted = false;
        this.onInterrupt?.(this);
      }
      if (this.halted) return 'halted';
      this.instructionsExecuted++;
      const exit = this.instruction(this);
      if (exit !== undefined) return exit;
      if (this.exitRequested) return 'exit-request';
    }
    return 'budget-used';
  }

  /** Executes HLT: use as `return cpu.hlt()` in the instruction function. */
  hlt(): VcpuExitReason {
    this.halted = true;
    return 'halted';
  }

  /** Raises the interrupt line (a device model or a test does this). */
  raiseInterrupt(): void {
    this.interruptPending = true;
    this.exitRequest();
  }

  isIdle(): boolean {
    return this.halted && !(this.interruptPending && this.interruptsEnabled);
  }

  exitRequest(): void {
    this.exitRequested = true;
  }

  /** Back to the reset state (not halted, interrupts on, nothing pending). */
  reset(): void {
    this.halted = false;
    this.interruptsEnabled = true;
    this.interruptPending = false;
  }

  dumpState(): string {
    return `${this.name}: instructions=${this.instructionsExecuted} halted=${this.halted} if=${this.interruptsEnabled}`;
  }
}
