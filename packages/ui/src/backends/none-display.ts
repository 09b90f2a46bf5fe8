/**
 * `-display none` (also what `-nographic` implies): nothing is shown. No listener is
 * registered, so no refresh tick ever asks the VGA to draw; a screendump still works,
 * because it asks the console for an update itself.
 */
import type { DisplayConsole } from '../console.js';
import type { DisplayBackend } from './display-backend.js';

export class NoneDisplay implements DisplayBackend {
  readonly name = 'none';
  private console: DisplayConsole | undefined;

  attach(console: DisplayConsole): void {
    this.console = console;
  }

  /** The console attached, if any (for a monitor's screendump). */
  get attached(): DisplayConsole | undefined {
    return this.console;
  }

  close(): void {
    this.console = undefined;
  }
}
