/**
 * Instruction counting (`-icount`): the virtual clock advances by executed guest
 * instructions, `2^shift` nanoseconds each, instead of following host time. The same guest
 * run then sees the same virtual times, whatever the speed of the host.
 */

export interface IcountOptions {
  /** Each instruction lasts 2^shift ns (0..10, as in QEMU). */
  readonly shift: number;
  /**
   * What happens while every vCPU is halted, waiting for a virtual timer. `true` (QEMU's
   * default, `sleep=on`): the host waits in real time for as long as the guest waits, so
   * guest time follows the wall clock. `false` (`sleep=off`): virtual time jumps straight
   * to the next timer deadline.
   */
  readonly sleep?: boolean;
}

/** QEMU's upper bound for `shift`. */
export const MAX_ICOUNT_SHIFT = 10;

/**
 * Parses the `-icount` argument: `N`, `shift=N`, optionally `,sleep=on|off`. Throws an Error
 * naming the bad part; adaptive mode (`shift=auto`) and `align`/`rr` are not supported.
 */
export function parseIcountOptions(spec: string): IcountOptions {
  let shift: number | undefined;
  let sleep = true;
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const key = eq === -1 ? (shift === undefined ? 'shift' : part) : part.slice(0, eq);
    const value = eq === -1 ? part : part.slice(eq + 1);
    if (key === 'shift') {
      if (value === 'auto') throw new Error('-icount shift=auto (adaptive mode) is not supported');
      if (!/^\d+$/.test(value) || Number(value) > MAX_ICOUNT_SHIFT) {
        throw new Error(
          `-icount shift must be a number from 0 to ${MAX_ICOUNT_SHIFT}, got '${value}'`,
        );
      }
      shift = Number(value);
    } else if (key === 'sleep') {
      if (value !== 'on' && value !== 'off') {
        throw new Error(`-icount sleep must be 'on' or 'off', got '${value}'`);
      }
      sleep = value === 'on';
    } else {
      throw new Error(`-icount: unsupported option '${part}'`);
    }
  }
  if (shift === undefined) throw new Error('-icount needs shift=N');
  return { shift, sleep };
}

/** The instruction counter behind the virtual clock in icount mode. */
export class Icount {
  readonly shift: number;
  readonly sleep: boolean;
  /** Nanoseconds per instruction. */
  readonly nsPerInstruction: number;
  /**
   * While a vCPU runs: how many instructions it executed since its run began, so that a
   * device reading the clock in the middle of a run sees the exact time.
   */
  inFlight: (() => number) | undefined;
  /** Virtual nanoseconds added while the vCPUs were idle (QEMU's qemu_icount_bias). */
  private bias = 0;
  /** Instructions executed by all vCPUs in finished runs. */
  private retired = 0;

  constructor(options: IcountOptions) {
    if (!Number.isInteger(options.shift) || options.shift < 0 || options.shift > MAX_ICOUNT_SHIFT) {
      throw new Error(`icount shift must be an integer from 0 to ${MAX_ICOUNT_SHIFT}`);
    }
    this.shift = options.shift;
    this.sleep = options.sleep ?? true;
    this.nsPerInstruction = 2 ** this.shift;
  }

  now(): number {
    const executed = this.retired + (this.inFlight ? this.inFlight() : 0);
    return this.bias + executed * this.nsPerInstruction;
  }

  /** Instructions executed by all vCPUs so far. */
  get instructions(): number {
    return this.retired + (this.inFlight ? this.inFlight() : 0);
  }

  /** Accounts the instructions of a finished run. */
  retire(instructions: number): void {
    this.retired += instructions;
  }

  /** Moves virtual time forward without instructions (idle vCPUs waiting for a timer). */
  warp(ns: number): void {
    if (ns > 0) this.bias += ns;
  }

  /** Instructions to execute to reach a deadline `deadlineNs` away (rounded up, as QEMU does). */
  instructionsUntil(deadlineNs: number): number {
    return Math.ceil(deadlineNs / this.nsPerInstruction);
  }
}
