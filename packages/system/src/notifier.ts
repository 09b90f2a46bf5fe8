/**
 * Notifier lists (QEMU's NotifierList): callbacks told about one kind of event.
 *
 * A notifier may remove itself, or any other notifier, while the list is being notified: a
 * removed notifier that has not been called yet is skipped. A notifier added while the list
 * is being notified is first called at the next notification. As in QEMU, the most recently
 * added notifier runs first (teardown order, like `atexit`).
 */

/** The handle returned when a notifier is added. */
export interface Notifier {
  /** Takes the notifier off its list. Calling it twice is harmless. */
  remove(): void;
}

interface Entry<T> {
  readonly callback: (data: T) => void;
  active: boolean;
}

export class NotifierList<T = void> {
  private entries: Entry<T>[] = [];

  /** Adds `callback`; it runs before the notifiers added earlier. */
  add(callback: (data: T) => void): Notifier {
    const entry: Entry<T> = { callback, active: true };
    // Copy on write: a notification in progress keeps iterating over the array it started with.
    this.entries = [entry, ...this.entries];
    return {
      remove: () => {
        if (!entry.active) return;
        entry.active = false;
        this.entries = this.entries.filter((e) => e !== entry);
      },
    };
  }

  /** Calls every notifier with `data`, newest first. */
  notify(data: T): void {
    for (const entry of this.entries) {
      if (entry.active) entry.callback(data);
    }
  }

  get size(): number {
    return this.entries.length;
  }
}
