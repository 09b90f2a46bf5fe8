import type { IrqTrigger, LogSink } from '../device-env.js';
import { UNCONNECTED_IRQ } from '../device-env.js';
import type { ExtIntSource } from './cpu-interrupts.js';
import { CASCADE_IRQ, I8259, type I8259State, SPURIOUS_IRQ } from './i8259.js';

/** Both controllers of the PC's cascade, as plain data. */
export interface I8259PairState {
  master: I8259State;
  slave: I8259State;
}

export interface I8259PairOptions {
  /** The master's INT output: the CPU's INTR pin, or the local APICs' LINT0. */
  output?: IrqTrigger;
  log?: LogSink;
}

/**
 * The PC's two 8259As: the slave's INT output drives the master's IRQ2, ISA IRQs 0-7 go to
 * the master and 8-15 to the slave. This object also performs the CPU's interrupt-acknowledge
 * cycle ({@link acknowledge}), which is how an 8259 hands over a vector.
 *
 * The register ports stay on the chips: map `pair.master` at 0x20 and `pair.slave` at 0xa0,
 * and their ELCRs at 0x4d0 and 0x4d1.
 *
 * @example
 * const pics = new I8259Pair({ output: cpuIntr });
 * pics.setIrq(14, true);          // the IDE disk interrupts
 * const vector = pics.acknowledge(); // the CPU's INTA cycle
 */
export class I8259Pair implements ExtIntSource {
  readonly master: I8259;
  readonly slave: I8259;

  constructor(options: I8259PairOptions = {}) {
    this.master = new I8259({
      master: true,
      output: options.output ?? UNCONNECTED_IRQ,
      log: options.log,
    });
    const master = this.master;
    this.slave = new I8259({
      master: false,
      output: { set: (level) => master.setIrq(CASCADE_IRQ, level) },
      log: options.log,
    });
  }

  /** Drive ISA IRQ `irq` (0-15) to `level`. */
  setIrq(irq: number, level: boolean): void {
    if (!Number.isInteger(irq) || irq < 0 || irq > 15) {
      throw new Error(`i8259 pair: ISA IRQ ${irq} does not exist (0-15)`);
    }
    if (irq < 8) this.master.setIrq(irq, level);
    else this.slave.setIrq(irq - 8, level);
  }

  /** The level of the master's INT output (the CPU's INTR). */
  get interruptOutput(): boolean {
    return this.master.interruptOutput;
  }

  /**
   * The interrupt-acknowledge cycle (QEMU's pic_read_irq): returns the vector of the
   * highest-priority pending request and marks it in service. With nothing pending (the
   * request went away before INTA), the chip answers with its IRQ7 vector, the spurious
   * interrupt; the slave does the same with IRQ15 when the master saw a cascade request.
   */
  acknowledge(): number {
    return interruptAcknowledge(this.master, this.slave);
  }

  /** QEMU's `info pic`. */
  info(): string {
    return `${this.master.info()}\n${this.slave.info()}\n`;
  }

  reset(): void {
    this.slave.reset();
    this.master.reset();
  }

  state(): I8259PairState {
    return { master: this.master.state(), slave: this.slave.state() };
  }

  /** Load both chips; the slave first, so that the cascade line is right when the master loads. */
  loadState(state: I8259PairState): void {
    this.slave.loadState(state.slave);
    this.master.loadState(state.master);
  }

  static fromState(state: I8259PairState, options: I8259PairOptions = {}): I8259Pair {
    const pair = new I8259Pair(options);
    pair.loadState(state);
    return pair;
  }
}

/**
 * The INTA cycle of a master/slave pair whose cascade is wired elsewhere (two qdev
 * `isa-i8259` devices): QEMU's pic_read_irq. {@link I8259Pair.acknowledge} uses it too.
 */
export function interruptAcknowledge(master: I8259, slave: I8259): number {
  const irq = master.pendingIrq();
  if (irq < 0) return master.vectorBase + SPURIOUS_IRQ;
  let vector: number;
  if (irq === CASCADE_IRQ) {
    const slaveIrq = slave.pendingIrq();
    if (slaveIrq >= 0) {
      slave.acknowledgeIrq(slaveIrq);
      vector = slave.vectorBase + slaveIrq;
    } else {
      vector = slave.vectorBase + SPURIOUS_IRQ;
    }
  } else {
    vector = master.vectorBase + irq;
  }
  master.acknowledgeIrq(irq);
  return vector;
}
