import { describe, expect, it } from 'vitest';
import { type DisplayChangeListener, DisplayConsole } from './console.js';
import { nodeDeflate, nodeInflate } from './node.js';
import { decodePng } from './png/png-decoder.js';
import { DisplayRefreshTimer } from './refresh-timer.js';
import { screendumpPng } from './screendump.js';
import { rgbPixel } from './surface.js';
import { ManualClock } from './testing/manual-clock.js';

/** Records what a display hears. */
function recorder(): DisplayChangeListener & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    gfxSwitch: (s) => log.push(`switch ${s.width}x${s.height}`),
    gfxUpdate: (x, y, w, h) => log.push(`gfx ${x},${y} ${w}x${h}`),
    textResize: (c, r) => log.push(`text-resize ${c}x${r}`),
    textCursor: (x, y) => log.push(`cursor ${x},${y}`),
    textUpdate: (x, y, w, h) => log.push(`text ${x},${y} ${w}x${h}`),
    refresh: (console) => {
      log.push('refresh');
      console.updateGraphics();
    },
  };
}

describe('DisplayConsole', () => {
  it('passes device changes to every listener', () => {
    const console = new DisplayConsole('vga', 8, 8);
    const a = recorder();
    const b = recorder();
    console.addListener(a);
    console.addListener(b);
    const s = console.resize(16, 4);
    expect(console.resize(16, 4)).toBe(s);
    console.gfxUpdate(0, 1, 16, 2);
    console.gfxUpdate(0, 0, 0, 5); // empty: not reported
    console.textResize(40, 25);
    console.textCursor(3, 4);
    console.textCursor(40, 0); // off the grid: hidden
    console.textUpdate(0, 0, 40, 1);
    const expected = [
      'switch 16x4',
      'gfx 0,1 16x2',
      'text-resize 40x25',
      'cursor 3,4',
      'cursor -1,-1',
      'text 0,0 40x1',
    ];
    expect(a.log).toEqual(expected);
    expect(b.log).toEqual(expected);
    console.removeListener(b);
    console.gfxUpdate(1, 1, 1, 1);
    expect(b.log).toHaveLength(expected.length);
    expect(() => console.addListener(a)).toThrow(/twice/);
  });

  it('accumulates the damaged rectangle until taken', () => {
    const console = new DisplayConsole('vga', 100, 100);
    console.gfxUpdate(10, 10, 5, 5);
    console.gfxUpdate(50, 2, 10, 1);
    expect(console.takeDamage()).toEqual({ x: 10, y: 2, w: 50, h: 13 });
    expect(console.takeDamage()).toBeUndefined();
  });

  it('asks the device for updates through its hardware ops', () => {
    const console = new DisplayConsole();
    const calls: string[] = [];
    console.setHardware({
      gfxUpdate: () => calls.push('gfx'),
      textUpdate: () => calls.push('text'),
      invalidate: () => calls.push('invalidate'),
    });
    console.updateGraphics();
    console.updateText();
    console.invalidate();
    expect(calls).toEqual(['gfx', 'text', 'invalidate']);
  });
});

describe('DisplayRefreshTimer', () => {
  it('refreshes every interval while running', () => {
    const clock = new ManualClock();
    const console = new DisplayConsole();
    const listener = recorder();
    console.addListener(listener);
    let updates = 0;
    console.setHardware({ gfxUpdate: () => updates++ });
    const timer = new DisplayRefreshTimer(console, clock, 30);
    timer.start();
    clock.advanceMs(100);
    expect(timer.ticks).toBe(3);
    expect(updates).toBe(3);
    timer.stop();
    clock.advanceMs(100);
    expect(timer.ticks).toBe(3);
    expect(() => new DisplayRefreshTimer(console, clock, 0)).toThrow(/positive/);
  });
});

describe('screendumpPng', () => {
  it('updates the surface first and encodes what the device drew', () => {
    const console = new DisplayConsole('vga', 4, 2);
    console.setHardware({
      gfxUpdate: () => {
        const s = console.resize(3, 2);
        s.fill(0, 0, 3, 2, rgbPixel(0, 0, 0xaa));
        s.pixels[4] = rgbPixel(0xff, 0xff, 0x55);
      },
    });
    const png = decodePng(screendumpPng(console, nodeDeflate), nodeInflate);
    expect([png.width, png.height]).toEqual([3, 2]);
    expect([...png.data.subarray(0, 4)]).toEqual([0, 0, 0xaa, 0xff]);
    expect([...png.data.subarray(16, 20)]).toEqual([0xff, 0xff, 0x55, 0xff]);
  });

  it('refuses an empty picture', () => {
    const console = new DisplayConsole('vga', 0, 0);
    expect(() => screendumpPng(console)).toThrow(/no picture/);
  });
});
