// @tsemu/ui/node: the parts of the display layer that need Node: zlib for PNG files,
// writing a screendump, and the process's terminal for `-display curses`.
import { writeFileSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import type { CursesDisplay } from './backends/curses-display.js';
import type { DisplayConsole } from './console.js';
import type { ZlibInflate } from './png/png-decoder.js';
import type { ZlibDeflate } from './png/png-encoder.js';
import { screendumpPng } from './screendump.js';

/** zlib compression with Node's zlib (what QEMU's PNG screendump uses through libpng). */
export const nodeDeflate: ZlibDeflate = (data) => new Uint8Array(deflateSync(data));

/** zlib decompression with Node's zlib. */
export const nodeInflate: ZlibInflate = (data) => new Uint8Array(inflateSync(data));

/** `screendump FILE`: writes the console's picture to `path` as PNG; returns the bytes written. */
export function writeScreendump(console: DisplayConsole, path: string): number {
  const png = screendumpPng(console, nodeDeflate);
  writeFileSync(path, png);
  return png.length;
}

/** The streams of a terminal: Node's process.stdin / process.stdout or test doubles. */
export interface TerminalStreams {
  input: {
    on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
    off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
    setRawMode?(raw: boolean): unknown;
    resume?(): unknown;
    pause?(): unknown;
    isTTY?: boolean;
  };
  output: {
    columns?: number;
    rows?: number;
    on(event: 'resize', listener: () => void): unknown;
    off(event: 'resize', listener: () => void): unknown;
  };
}

/** How long a lone ESC waits for the rest of an escape sequence (curses's ESCDELAY). */
export const ESCAPE_DELAY_MS = 25;

/**
 * Connects a curses display to a terminal: raw-mode input goes to the display's keyboard,
 * the terminal's size follows resizes. Returns a function that gives the terminal back.
 *
 * @example
 * const display = new CursesDisplay({ output: process.stdout, keys: i8042.keyboard, clock });
 * display.attach(console);
 * const release = connectTerminal(display, { input: process.stdin, output: process.stdout });
 */
export function connectTerminal(display: CursesDisplay, streams: TerminalStreams): () => void {
  const { input, output } = streams;
  let escTimer: ReturnType<typeof setTimeout> | undefined;
  const onData = (chunk: Uint8Array) => {
    if (escTimer !== undefined) clearTimeout(escTimer);
    escTimer = undefined;
    display.input(chunk);
    if (display.inputPending) {
      escTimer = setTimeout(() => {
        escTimer = undefined;
        display.flushInput();
      }, ESCAPE_DELAY_MS);
    }
  };
  const onResize = () => display.resizeTerminal(output.columns ?? 80, output.rows ?? 25);
  if (input.isTTY) input.setRawMode?.(true);
  input.on('data', onData);
  input.resume?.();
  output.on('resize', onResize);
  onResize();
  return () => {
    if (escTimer !== undefined) clearTimeout(escTimer);
    input.off('data', onData);
    output.off('resize', onResize);
    if (input.isTTY) input.setRawMode?.(false);
    input.pause?.();
  };
}
