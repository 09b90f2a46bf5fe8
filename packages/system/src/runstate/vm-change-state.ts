/**
 * VM change-state handlers (QEMU's qemu_add_vm_change_state_handler): told when the VM
 * starts or stops running. Devices use them to stop DMA, flush queues, or re-raise state.
 *
 * Handlers run in ascending priority order when the VM starts and in the reverse order when
 * it stops, so that what was started last is stopped first. Handlers of equal priority keep
 * their registration order. Each handler may have a `prepare` callback; all prepares run
 * before any main callback.
 */
import type { Notifier } from '../notifier.js';
import type { RunState } from './runstate.js';

/** `running` is true when the VM starts; `state` is the state it enters. */
export type VmChangeStateCallback = (running: boolean, state: RunState) => void;

export interface VmChangeStateOptions {
  /** Lower priorities run first on start and last on stop. Default 0. */
  readonly priority?: number;
  /** Runs, for every handler, before the first main callback. */
  readonly prepare?: VmChangeStateCallback;
}

interface Entry {
  readonly callback: VmChangeStateCallback;
  readonly prepare: VmChangeStateCallback | undefined;
  readonly priority: number;
  active: boolean;
}

export class VmChangeStateHandlers {
  private entries: Entry[] = [];

  add(callback: VmChangeStateCallback, options: VmChangeStateOptions = {}): Notifier {
    const entry: Entry = {
      callback,
      prepare: options.prepare,
      priority: options.priority ?? 0,
      active: true,
    };
    const at = this.entries.findIndex((other) => entry.priority < other.priority);
    const entries = [...this.entries];
    entries.splice(at === -1 ? entries.length : at, 0, entry);
    this.entries = entries;
    return {
      remove: () => {
        if (!entry.active) return;
        entry.active = false;
        this.entries = this.entries.filter((e) => e !== entry);
      },
    };
  }

  /** QEMU's vm_state_notify. Handlers removed during the call and not yet run are skipped. */
  notify(running: boolean, state: RunState): void {
    const ordered = running ? this.entries : [...this.entries].reverse();
    for (const entry of ordered) {
      if (entry.active && entry.prepare) entry.prepare(running, state);
    }
    for (const entry of ordered) {
      if (entry.active) entry.callback(running, state);
    }
  }
}
