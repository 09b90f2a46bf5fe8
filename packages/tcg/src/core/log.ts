/**
 * The structural log sink of tsemu's `-d ITEMS` logging (QEMU's qemu_log).
 *
 * `@tsemu/system` owns the real `Log`; this package only needs something with this
 * shape, so it declares the interface itself. Items are QEMU's names: the JIT core writes
 * `op` (IR as generated), `op_opt` (IR after the optimizer), `out_asm` (the generated
 * JavaScript) and `exec` (each TB looked up by cpu_exec); a frontend writes `in_asm`.
 */
export interface LogSink {
  enabled(item: string): boolean;
  write(item: string, text: string): void;
}

/** A sink that logs nothing: the default everywhere. */
export const nullLogSink: LogSink = Object.freeze({
  enabled: () => false,
  write: () => {},
});
