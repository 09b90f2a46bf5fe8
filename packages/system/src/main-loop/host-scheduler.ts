/**
 * The host event-loop primitives the main loop uses, injected so that the loop runs the same
 * in Node (setImmediate) and in a browser (MessageChannel), and so that tests can watch it.
 */

export interface HostScheduler {
  /** Runs `callback` after `ms` milliseconds, keeping the process alive meanwhile. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `callback` as soon as pending I/O callbacks have had their turn. */
  setImmediate(callback: () => void): unknown;
  clearImmediate(handle: unknown): void;
}

type TimeoutHandle = ReturnType<typeof setTimeout>;

/** The host's own primitives; falls back to `setTimeout(0)` where setImmediate is missing. */
export function defaultHostScheduler(): HostScheduler {
  const hasImmediate = typeof globalThis.setImmediate === 'function';
  return {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as TimeoutHandle),
    setImmediate: hasImmediate
      ? (callback) => setImmediate(callback)
      : (callback) => setTimeout(callback, 0),
    clearImmediate: hasImmediate
      ? (handle) => clearImmediate(handle as ReturnType<typeof setImmediate>)
      : (handle) => clearTimeout(handle as TimeoutHandle),
  };
}
