/**
 * An i386 vCPU for a machine's main loop: the CPU, its TCG engine, and an adapter with the
 * shape of `@tsemu/system`'s VcpuRunner (declared here structurally, so the JIT does not
 * depend on the system package).
 */
import {
  CPU_INTERRUPT_HARD,
  EXCP_DEBUG,
  EXCP_HALTED,
  EXCP_HLT,
  EXCP_INTERRUPT,
} from '../core/exec/cpu-state.js';
import { type BackendKind, TcgEngine } from '../core/exec/engine.js';
import { type LogSink, nullLogSink } from '../core/log.js';
import { EXCP_RESET_REQUEST, EXCP_SHUTDOWN_REQUEST } from './cpu/constants.js';
import { X86Cpu, type X86CpuOptions } from './cpu/x86-cpu.js';
import { x86Frontend } from './frontend.js';

/** Why run() returned (the values of `@tsemu/system`'s VcpuExitReason). */
export type X86VcpuExitReason =
  | 'budget-used'
  | 'exit-request'
  | 'halted'
  | 'debug'
  | 'reset-request'
  | 'shutdown-request';

export interface X86VcpuBudget {
  readonly instructionLimit: number;
}

export interface X86VcpuOptions extends X86CpuOptions {
  /** Name for messages (`cpu0`). */
  name?: string;
  backend?: BackendKind;
  /** Count instructions exactly (-icount): budgets and instructionsExecuted are exact. */
  icount?: boolean;
  /** One guest instruction per TB (-singlestep). */
  singlestep?: boolean;
  optimize?: boolean;
  tierThreshold?: number;
  maxTbs?: number;
}

/**
 * One i386 vCPU driven by budgets (QEMU's accel ops + cpu_exec for TCG).
 *
 * ```ts
 * const vcpu = new X86Vcpu({ memory: systemAddressSpace, io: ioAddressSpace, icount: true });
 * system.addVcpu(vcpu); // any VcpuRunner consumer
 * ```
 *
 * With icount, instruction counts are exact. Without it the engine counts translation
 * blocks, and `instructionsExecuted` is an estimate (TB executions times the average
 * guest instructions per TB); the budget is converted the same way.
 */
export class X86Vcpu {
  readonly name: string;
  readonly cpu: X86Cpu;
  readonly engine: TcgEngine<X86Cpu>;
  private readonly icount: boolean;
  private executed = 0;
  private exitRequested = false;
  private inRun = false;

  constructor(options: X86VcpuOptions) {
    this.name = options.name ?? 'cpu0';
    this.cpu = new X86Cpu(options);
    this.icount = options.icount ?? false;
    const log: LogSink = options.log ?? nullLogSink;
    this.engine = new TcgEngine({
      cpu: this.cpu,
      frontend: x86Frontend,
      backend: options.backend,
      icount: this.icount,
      singlestep: options.singlestep,
      optimize: options.optimize,
      tierThreshold: options.tierThreshold,
      maxTbs: options.maxTbs,
      log,
    });
  }

  /** Guest instructions executed so far (exact with icount, estimated otherwise). */
  get instructionsExecuted(): number {
    return this.icount ? this.cpu.icountExecuted : this.executed;
  }

  run(budget: X86VcpuBudget): X86VcpuExitReason {
    const cpu = this.cpu;
    this.exitRequested = false;
    cpu.exitRequest = false;
    // Poll the interrupt lines once: a controller that changed without a kick is seen too.
    if (cpu.interrupts !== null && cpu.interrupts.pending() !== 0)
      cpu.interrupt(CPU_INTERRUPT_HARD);
    if (cpu.resetRequested) return 'reset-request';
    const limit = Math.max(1, Math.floor(budget.instructionLimit));
    let r: number;
    this.inRun = true;
    try {
      if (this.icount) {
        r = this.engine.cpuExec(limit);
      } else {
        const stats = this.engine.statistics();
        const perTb = Math.max(1, stats.avgInsnsPerTb);
        const before = stats.tbEntries + stats.chainedExecutions;
        r = this.engine.cpuExec(Math.max(1, Math.floor(limit / perTb)));
        const after = this.engine.statistics();
        const estimate = Math.round(
          (after.tbEntries + after.chainedExecutions - before) * Math.max(1, after.avgInsnsPerTb),
        );
        // The estimate can overshoot (TBs are longer than the average), but the run stayed
        // within its TB budget, which stands for `limit` instructions: never report more.
        this.executed += Math.min(estimate, limit);
      }
    } finally {
      this.inRun = false;
    }
    switch (r) {
      case EXCP_RESET_REQUEST:
        return 'reset-request';
      case EXCP_SHUTDOWN_REQUEST:
        return 'shutdown-request';
      case EXCP_HLT:
      case EXCP_HALTED:
        return 'halted';
      case EXCP_DEBUG:
        return 'debug';
      case EXCP_INTERRUPT:
        return this.exitRequested ? 'exit-request' : 'budget-used';
      default:
        throw new Error(`${this.name}: unexpected cpu_exec exit 0x${r.toString(16)}`);
    }
  }

  /** Halted with nothing it can take (QEMU's cpu_thread_is_idle). */
  isIdle(): boolean {
    return this.cpu.halted && !x86Frontend.hasWork(this.cpu);
  }

  /** Leave run() soon (QEMU's cpu_exit). No effect outside run(). */
  exitRequest(): void {
    if (!this.inRun) return;
    this.exitRequested = true;
    this.cpu.exit();
  }

  /** After a reset request was handled by the machine: back to the RESET state. */
  reset(): void {
    this.cpu.reset();
    this.engine.tbFlush();
  }

  dumpState(): string {
    return this.cpu.dumpState({ ccop: true });
  }
}
