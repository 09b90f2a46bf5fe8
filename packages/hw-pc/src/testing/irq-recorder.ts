import type { IrqTrigger } from '../device-env.js';

/** Records every level an IRQ line is driven to; device tests assert on it. */
export class IrqRecorder implements IrqTrigger {
  level = false;
  /** Number of 0 -> 1 transitions seen (what an edge-triggered sink counts). */
  risingEdges = 0;
  readonly history: boolean[] = [];

  set(level: boolean): void {
    if (level && !this.level) this.risingEdges++;
    this.level = level;
    this.history.push(level);
  }
}
