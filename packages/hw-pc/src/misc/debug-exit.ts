/** isa-debug-exit's default port and size (QEMU's `iobase` and `iosize` properties). */
export const DEBUG_EXIT_IOBASE = 0x501;
export const DEBUG_EXIT_IOSIZE = 0x02;

export interface DebugExitEnv {
  /**
   * The guest asked to end the emulator with `status` = (value << 1) | 1
   * (QEMU's shutdown request with an exit code). The status is always odd, so
   * a test harness can tell it from a clean exit (0) or an emulator error (1).
   */
  exitRequest: (status: number) => void;
}

/**
 * isa-debug-exit (QEMU's hw/misc/debugexit.c): writing value N, of 1, 2 or 4
 * bytes, to its port ends the emulator with exit status (N << 1) | 1, which
 * lets a test kernel report pass or fail. Reads return 0. The port is
 * stateless.
 */
export class DebugExit {
  private readonly exitRequest: (status: number) => void;

  constructor(env: DebugExitEnv) {
    this.exitRequest = env.exitRequest;
  }

  read(_offset = 0, _size = 1): number {
    return 0;
  }

  /** `size` is the access width in bytes (1, 2 or 4); only that many bytes of `value` count. */
  write(_offset: number, value: number, size = 1): void {
    const mask = size >= 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const n = (value & mask) >>> 0;
    // Arithmetic rather than a shift: N may use all 32 bits.
    this.exitRequest(n * 2 + 1);
  }
}
