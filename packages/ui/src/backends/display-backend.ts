/**
 * A display backend: what `-display TYPE` picks (QEMU's ui/ backends: none, curses, gtk...).
 * It attaches to the console it shows and lets go of it on close.
 */
import type { DisplayConsole } from '../console.js';

export interface DisplayBackend {
  /** The `-display` name: 'none', 'curses'. */
  readonly name: string;
  /** Starts showing `console`. */
  attach(console: DisplayConsole): void;
  /** Stops showing it and gives back whatever it holds (the terminal, timers). */
  close(): void;
}
