/**
 * Whole-system reset (QEMU's qemu_register_reset and qemu_system_reset).
 *
 * A system reset runs every device reset handler, in registration order, and then every
 * CPU reset handler, in registration order: devices come out of reset before any CPU
 * fetches its first instruction. The machine registers one device handler that walks the
 * QOM device tree, then one CPU handler per CPU.
 */
import type { Notifier } from '../notifier.js';
import type { ShutdownCause } from './shutdown-cause.js';

export type ResetHandler = (cause: ShutdownCause) => void;

interface Entry {
  readonly handler: ResetHandler;
  active: boolean;
}

class HandlerList {
  private entries: Entry[] = [];

  add(handler: ResetHandler): Notifier {
    const entry: Entry = { handler, active: true };
    this.entries = [...this.entries, entry];
    return {
      remove: () => {
        entry.active = false;
        this.entries = this.entries.filter((e) => e !== entry);
      },
    };
  }

  run(cause: ShutdownCause): void {
    for (const entry of this.entries) {
      if (entry.active) entry.handler(cause);
    }
  }
}

export class ResetHandlers {
  private readonly devices = new HandlerList();
  private readonly cpus = new HandlerList();

  /** A handler run in the device phase of every system reset (registration order). */
  addDeviceReset(handler: ResetHandler): Notifier {
    return this.devices.add(handler);
  }

  /** A handler run in the CPU phase, after every device handler (registration order). */
  addCpuReset(handler: ResetHandler): Notifier {
    return this.cpus.add(handler);
  }

  /** Resets the whole system: devices first, then CPUs. */
  resetAll(cause: ShutdownCause): void {
    this.devices.run(cause);
    this.cpus.run(cause);
  }
}
