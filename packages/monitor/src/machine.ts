import type { System } from '@tsemu/system';

/**
 * One `info` sub-command that the machine provides (`info mtree`, `info qtree`,
 * `info qom-tree`, `info pic`, `info pci`, `info jit` ...). The monitor lists it
 * in `info` and `help info`, sorted with the built-in ones.
 */
export interface MonitorInfoCommand {
  /** The one-line help, as in QEMU's hmp-commands-info.hx (`show memory tree`). */
  readonly help: string;
  /**
   * The argument synopsis shown by `help info` (`[-f][-d][-o][-D]`). Without it
   * the sub-command takes no arguments, and extra words are refused as QEMU
   * refuses them ("mtree: extraneous characters at the end of line").
   */
  readonly params?: string;
  /**
   * The text to print (lines ending in "\n"). `args` are the words after the
   * sub-command name (quotes allowed as in QEMU). Throw a `MonitorError` for a
   * user mistake; its message is printed as "Error: MESSAGE".
   */
  run(args: readonly string[]): string;
}

/** One disassembled instruction for `x /i` and `xp /i`. */
export interface DisassembledInstruction {
  readonly address: number;
  /** The instruction text (`mov    %eax,%ebx`); the monitor adds the address column. */
  readonly text: string;
}

export interface ScreendumpOptions {
  /** `-f ppm|png`; ppm when not given, as in QEMU. */
  readonly format: 'ppm' | 'png';
  /** The display device id, when given. */
  readonly device?: string;
  /** The head of that device (0 when not given). */
  readonly head: number;
}

/**
 * What the monitor needs from a machine. The machine implements it with its
 * own parts (the CPU, the memory API, the QOM tree); the monitor imports none
 * of them, only `@tsemu/system` for the run state and the requests.
 */
export interface MonitorMachine {
  /** Run state (`info status`, `stop`, `cont`) and the reset/powerdown/shutdown requests. */
  readonly system: System;
  /** Number of CPUs (default 1): `info registers -a` and `info registers N`. */
  readonly cpuCount?: number;
  /**
   * Width of the guest's virtual addresses and registers (QEMU's TARGET_LONG_BITS;
   * default 32, as qemu-system-i386). `x` prints 8 or 16 address digits, and
   * `$reg` values are sign-extended from this width as QEMU's target_long is.
   */
  readonly targetBits?: 32 | 64;
  /** `info registers`: the CPU's state as QEMU's cpu_dump_state prints it (lines ending in "\n"). */
  registersText(cpuIndex: number): string;
  /** `xp`: guest physical memory, or null if the range cannot be read (nothing mapped there). */
  readPhysical(address: number, length: number): Uint8Array | null;
  /** `x`: memory through the current CPU's page tables, or null where a page is not mapped. */
  readVirtual(address: number, length: number): Uint8Array | null;
  /** `$name` in expressions (`$eax`, `$eip`, `$pc`); undefined for an unknown register. */
  readRegister?(name: string): number | undefined;
  /** `x /Ni` and `xp /Ni`: N instructions from `address`. */
  disassemble?(
    address: number,
    count: number,
    physical: boolean,
  ): readonly DisassembledInstruction[];
  /**
   * `screendump FILE [-f ppm|png] [device [head]]`. Throw an Error with QEMU's text for
   * failures (e.g. "failed to open file 'x': No such file or directory"); the monitor
   * prints "Error: " and the message. The monitor waits for a returned promise before
   * it shows the next prompt.
   */
  screendump?(file: string, options: ScreendumpOptions): void | Promise<void>;
  /** The machine's `info` sub-commands, by name. */
  readonly info?: Readonly<Record<string, MonitorInfoCommand>>;
}

/**
 * A mistake in a monitor command that the user should read, printed as
 * "Error: MESSAGE" (QEMU's hmp_handle_error).
 */
export class MonitorError extends Error {
  override readonly name = 'MonitorError';
}
