/**
 * Ties a System to the Node process: exit notifiers run when the process ends, and
 * SIGINT, SIGTERM and SIGHUP shut the VM down cleanly (QEMU's atexit(qemu_run_exit_notifiers)
 * and termsig_handler).
 */
import type { Notifier } from './notifier.js';
import type { System } from './system.js';

/** The terminating signals QEMU handles, with their numbers (the same on every Unix). */
const TERMINATING_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/** The part of Node's `process` used here (injectable for tests). */
export interface ProcessLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  exit(code?: number): never;
}

/**
 * From now on: when the process exits (normally, by `process.exit`, or after an uncaught
 * exception), the system's exit notifiers run; a terminating signal files a shutdown request
 * with cause `host-signal`, so the main loop exits with status 0 and the caller's exit then
 * runs the notifiers. If the main loop is not running, the signal ends the process at once
 * (exit notifiers included). Returns a handle that detaches the hooks.
 */
export function attachToProcess(system: System, proc: ProcessLike = process): Notifier {
  const onExit = () => system.runExitNotifiers();
  const onSignal = (signal: keyof typeof TERMINATING_SIGNALS) => {
    const number = TERMINATING_SIGNALS[signal];
    if (system.mainLoop.running) {
      system.requests.killed(number);
    } else {
      system.reportError(`terminating on signal ${number}`);
      proc.exit(0);
    }
  };
  const signalListener = onSignal as (...args: unknown[]) => void;
  proc.on('exit', onExit);
  for (const signal of Object.keys(TERMINATING_SIGNALS)) proc.on(signal, signalListener);
  return {
    remove: () => {
      proc.off('exit', onExit);
      for (const signal of Object.keys(TERMINATING_SIGNALS)) proc.off(signal, signalListener);
    },
  };
}
