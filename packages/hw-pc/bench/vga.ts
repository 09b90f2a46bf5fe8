/**
 * VGA display benchmarks: frames per second of the renderer on the paths a display refresh
 * takes. A full redraw converts every scanline (after a mode switch, a palette change or a
 * guest filling the screen); an idle frame only consults the dirty log. Each case runs
 * several rounds and keeps its best.
 */
import {
  setStdVgaMode,
  setVbeMode,
  testFont,
  vgaBiosInit,
  writeText,
} from '../src/display/testing/seabios-vga.js';
import { VGA_RIG_LFB, type VgaRig, vgaRig } from '../src/display/testing/vga-rig.js';

const ROUNDS = 5;

/** Best frames per second over the rounds, `frames` frames per round. */
function fps(frames: number, frame: () => void): number {
  let bestMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) frame();
    bestMs = Math.min(bestMs, (performance.now() - t0) / frames);
  }
  return 1000 / bestMs;
}

function vbe1080p(): VgaRig {
  const rig = vgaRig({ vramMb: 16 });
  vgaBiosInit(rig);
  setStdVgaMode(rig, 0x03, testFont());
  setVbeMode(rig, 1920, 1080, 32);
  // A picture that is not all one colour.
  const vram = rig.vga.vram.bytes;
  for (let i = 0; i < 1920 * 1080 * 4; i += 4) vram[i] = i & 0xff;
  rig.update();
  return rig;
}

function text80x25(): VgaRig {
  const rig = vgaRig();
  vgaBiosInit(rig);
  setStdVgaMode(rig, 0x03, testFont());
  for (let row = 0; row < 25; row++) {
    writeText(
      rig,
      0,
      row,
      `${row} The quick brown fox jumps over the lazy dog. 0123456789 ABCDEFGHIJKLMNOP`,
      0x17 + row,
    );
  }
  rig.update();
  return rig;
}

const results: Array<[string, string]> = [];
const f = (v: number) => `${v.toFixed(1)} fps`;

{
  const rig = vbe1080p();
  results.push([
    'VBE 1920x1080x32: full redraw (every line converted)',
    f(
      fps(20, () => {
        rig.renderer.invalidate();
        rig.renderer.updateDisplay();
      }),
    ),
  ]);
  const lfb = rig.vga.vram;
  results.push([
    'VBE 1920x1080x32: guest rewrites the whole framebuffer, then a dirty-log redraw',
    f(
      fps(10, () => {
        lfb.bytes.copyWithin(0, 4, 1920 * 1080 * 4);
        lfb.setDirty(0, 1920 * 1080 * 4);
        rig.renderer.updateDisplay();
      }),
    ),
  ]);
  results.push([
    'VBE 1920x1080x32: one pixel changed (dirty-log redraw of its lines)',
    f(
      fps(200, () => {
        rig.mem.write(VGA_RIG_LFB + 4 * (1920 * 500 + 7), 4, Math.random() * 0xffffff);
        rig.renderer.updateDisplay();
      }),
    ),
  ]);
  results.push([
    'VBE 1920x1080x32: idle frame (nothing changed)',
    f(fps(2000, () => rig.renderer.updateDisplay())),
  ]);
}

{
  const rig = text80x25();
  results.push([
    'text 80x25 (720x400): full redraw (every cell drawn)',
    f(
      fps(200, () => {
        rig.renderer.invalidate();
        rig.renderer.updateDisplay();
      }),
    ),
  ]);
  let n = 0;
  results.push([
    'text 80x25: one character changed',
    f(
      fps(2000, () => {
        writeText(rig, n % 80, 12, String.fromCharCode(0x41 + (n++ % 26)), 0x07);
        rig.renderer.updateDisplay();
      }),
    ),
  ]);
  results.push([
    'text 80x25: text-grid update for -display curses (no change)',
    f(fps(2000, () => rig.renderer.updateText())),
  ]);
}

const width = Math.max(...results.map(([name]) => name.length));
console.log(`\nVGA rendering (best of ${ROUNDS} rounds)`);
console.log(`| ${'case'.padEnd(width)} | result       |`);
console.log(`| ${'-'.repeat(width)} | ------------ |`);
for (const [name, value] of results) console.log(`| ${name.padEnd(width)} | ${value.padEnd(12)} |`);
