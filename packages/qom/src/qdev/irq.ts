/**
 * GPIO and IRQ lines (QEMU's qemu_irq and qdev GPIOs).
 *
 * An {@link IrqLine} is an input: a level arriving on it calls its handler
 * (an interrupt controller's pin, a device's reset input). An
 * {@link OutputLine} is a device's output pin: it drives at most one input it
 * was connected to, and driving an unconnected output does nothing, as in
 * QEMU. To drive several inputs from one output, connect it to a splitter
 * ({@link splitIrq} or the `split-irq` device).
 *
 * Levels are 0 or 1; `true`/`false` and other numbers are normalized.
 */
import { QomError } from '../errors.js';

export type IrqLevel = number | boolean;

/** Anything a level can be driven into: an IrqLine, an OutputLine, a test recorder. */
export interface Irq {
  set(level: IrqLevel): void;
}

/** Drive helpers shared by inputs and outputs. */
abstract class LevelDriver implements Irq {
  abstract set(level: IrqLevel): void;

  raise(): void {
    this.set(1);
  }

  lower(): void {
    this.set(0);
  }

  /** Raise then lower: an edge for edge-triggered inputs. */
  pulse(): void {
    this.set(1);
    this.set(0);
  }
}

/** An input line: setting its level runs its handler (QEMU's qemu_irq). */
export class IrqLine extends LevelDriver {
  #level = 0;

  constructor(
    private readonly handler: (level: number) => void,
    /** A name for messages and debugging, e.g. `i8259/irq[4]`. */
    readonly name = 'irq',
  ) {
    super();
  }

  /** The last level set on the line. */
  get level(): number {
    return this.#level;
  }

  set(level: IrqLevel): void {
    const normalized = level ? 1 : 0;
    this.#level = normalized;
    this.handler(normalized);
  }
}

/** A device's output pin; connect it to one input (QEMU's qdev GPIO out). */
export class OutputLine extends LevelDriver {
  #target: Irq | undefined;
  #level = 0;

  constructor(
    /** e.g. `irq`; indexed outputs share a name. */
    readonly name: string,
    readonly index: number,
    /** Who owns the pin, for messages (a device path or type). */
    private readonly describeOwner: () => string = () => 'device',
  ) {
    super();
  }

  get level(): number {
    return this.#level;
  }

  get connected(): boolean {
    return this.#target !== undefined;
  }

  get target(): Irq | undefined {
    return this.#target;
  }

  /**
   * Wire the output to an input. An output drives one input; connecting a
   * second time is a wiring mistake (use a splitter to fan out), so it throws.
   */
  connect(target: Irq): void {
    if (this.#target !== undefined) {
      throw new QomError(
        `Output line '${this.name}[${this.index}]' of ${this.describeOwner()} is already connected; use splitIrq or a split-irq device to drive several inputs`,
      );
    }
    this.#target = target;
  }

  disconnect(): void {
    this.#target = undefined;
  }

  set(level: IrqLevel): void {
    const normalized = level ? 1 : 0;
    this.#level = normalized;
    this.#target?.set(normalized);
  }
}

/**
 * One input that repeats every level to all `targets` (QEMU's qemu_irq_split,
 * generalized to any number of targets).
 */
export function splitIrq(targets: readonly Irq[], name = 'split-irq'): IrqLine {
  const fanOut = [...targets];
  return new IrqLine((level) => {
    for (const target of fanOut) {
      target.set(level);
    }
  }, name);
}
