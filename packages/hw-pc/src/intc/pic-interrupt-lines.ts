import type { IrqTrigger } from '../device-env.js';
import {
  CPU_INTERRUPT_HARD,
  CPU_INTERRUPT_NMI,
  type CpuInterruptLines,
  type CpuKick,
  type ExtIntSource,
} from './cpu-interrupts.js';

/**
 * The CPU's INTR and NMI pins in a machine without local APICs (QEMU's `isapc`): INTR comes
 * from the 8259 master, and the INTA cycle goes to the 8259 pair.
 *
 * @example
 * const lines = new PicInterruptLines({ kick: () => cpu.exitRequest() });
 * const pics = new I8259Pair({ output: lines.intr });
 * lines.connectPic(pics);
 */
export class PicInterruptLines implements CpuInterruptLines {
  /** The INTR pin: connect the 8259 master's output here. */
  readonly intr: IrqTrigger;
  /** The NMI pin (edge-triggered): a rising edge latches an NMI. */
  readonly nmi: IrqTrigger;
  private intrLevel = false;
  private nmiLevel = false;
  private nmiLatched = false;
  private pic: ExtIntSource | undefined;
  private readonly kick: CpuKick;

  constructor(options: { kick?: CpuKick; pic?: ExtIntSource } = {}) {
    this.kick = options.kick ?? (() => {});
    this.pic = options.pic;
    this.intr = {
      set: (level) => {
        this.intrLevel = level;
        if (level) this.kick();
      },
    };
    this.nmi = {
      set: (level) => {
        if (level && !this.nmiLevel) {
          this.nmiLatched = true;
          this.kick();
        }
        this.nmiLevel = level;
      },
    };
  }

  /** Name the 8259 pair that answers INTA cycles. */
  connectPic(pic: ExtIntSource): void {
    this.pic = pic;
  }

  pending(): number {
    return (this.intrLevel ? CPU_INTERRUPT_HARD : 0) | (this.nmiLatched ? CPU_INTERRUPT_NMI : 0);
  }

  hasInterrupt(): boolean {
    return this.intrLevel;
  }

  acknowledge(): number {
    if (!this.pic) throw new Error('PicInterruptLines: no 8259 connected (call connectPic)');
    if (!this.intrLevel) return -1;
    return this.pic.acknowledge();
  }

  acknowledgeNmi(): void {
    this.nmiLatched = false;
  }

  /** There is no INIT without an APIC: nothing to take. */
  acknowledgeInit(): void {}

  /** There is no SIPI without an APIC. */
  acknowledgeSipi(): number {
    return 0;
  }

  acknowledgeSmi(): void {}
}
