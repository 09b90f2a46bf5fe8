import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CursesDisplay } from './backends/curses-display.js';
import { DisplayConsole } from './console.js';
import { connectTerminal, ESCAPE_DELAY_MS, nodeInflate, writeScreendump } from './node.js';
import { decodePng } from './png/png-decoder.js';
import { rgbPixel } from './surface.js';

describe('writeScreendump', () => {
  it('writes a PNG file of the console', () => {
    const console = new DisplayConsole('vga', 3, 3);
    console.setHardware({ gfxUpdate: () => console.surface.fill(0, 0, 3, 3, rgbPixel(1, 2, 3)) });
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-ui-'));
    try {
      const path = join(dir, 'screen.png');
      const written = writeScreendump(console, path);
      const png = readFileSync(path);
      expect(png.length).toBe(written);
      const decoded = decodePng(new Uint8Array(png), nodeInflate);
      expect([...decoded.data.subarray(0, 4)]).toEqual([1, 2, 3, 255]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connectTerminal', () => {
  it('puts the terminal in raw mode, forwards keys, flushes a lone ESC, follows resizes', () => {
    vi.useFakeTimers();
    try {
      const input = Object.assign(new EventEmitter(), {
        isTTY: true,
        raw: false,
        setRawMode(raw: boolean) {
          input.raw = raw;
        },
        resume() {},
        pause() {},
      });
      const output = Object.assign(new EventEmitter(), { columns: 100, rows: 30 });
      const keys: string[] = [];
      const display = new CursesDisplay({
        output: { write: () => {} },
        keys: { keyDown: (k) => keys.push(`+${k}`), keyUp: (k) => keys.push(`-${k}`) },
      });
      const resize = vi.spyOn(display, 'resizeTerminal');
      const release = connectTerminal(display, { input, output });
      expect(input.raw).toBe(true);
      expect(resize).toHaveBeenLastCalledWith(100, 30);
      input.emit('data', new TextEncoder().encode('q'));
      expect(keys).toEqual(['+q', '-q']);
      input.emit('data', Uint8Array.of(0x1b));
      expect(keys).toHaveLength(2);
      vi.advanceTimersByTime(ESCAPE_DELAY_MS);
      expect(keys.slice(2)).toEqual(['+esc', '-esc']);
      output.columns = 132;
      output.emit('resize');
      expect(resize).toHaveBeenLastCalledWith(132, 30);
      release();
      expect(input.raw).toBe(false);
      input.emit('data', new TextEncoder().encode('z'));
      expect(keys).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
