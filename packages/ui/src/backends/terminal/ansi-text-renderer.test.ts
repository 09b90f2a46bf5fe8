import { describe, expect, it } from 'vitest';
import { TextGrid } from '../../text-grid.js';
import { AnsiTextRenderer } from './ansi-text-renderer.js';
import { attributeSgr } from './vga-ansi.js';

/** Makes escape sequences readable in failure messages and expectations. */
const show = (s: string) => s.replaceAll('\x1b', '⎋');

function grid(lines: string[], attribute = 0x07): TextGrid {
  const g = new TextGrid(lines[0].length, lines.length);
  lines.forEach((line, y) => {
    [...line].forEach((ch, x) => {
      g.setCell(x, y, ch.charCodeAt(0), attribute);
    });
  });
  return g;
}

describe('attributeSgr', () => {
  it('maps the PC colours to ANSI ones, with blink or bright backgrounds', () => {
    expect(show(attributeSgr(0x07, true))).toBe('⎋[0;37;40m'); // light grey on black
    expect(show(attributeSgr(0x1f, true))).toBe('⎋[0;97;44m'); // white on blue
    expect(show(attributeSgr(0x4e, true))).toBe('⎋[0;93;41m'); // yellow on red
    expect(show(attributeSgr(0x06, true))).toBe('⎋[0;33;40m'); // brown is dark yellow
    expect(show(attributeSgr(0x81, true))).toBe('⎋[0;34;40;5m'); // blinking blue
    expect(show(attributeSgr(0x81, false))).toBe('⎋[0;34;100m'); // blue on dark grey
  });
});

describe('AnsiTextRenderer', () => {
  it('paints a small screen in full the first time, with the cursor', () => {
    const g = grid(['Hi ', 'ok!'], 0x1f);
    g.setCell(0, 1, 0xdb, 0x4e); // a full block, yellow on red
    g.cursorX = 2;
    g.cursorY = 1;
    const r = new AnsiTextRenderer(80, 25);
    expect(show(r.render(g))).toBe(
      '⎋[0m⎋[2J' + '⎋[1;1H⎋[0;97;44mHi ' + '⎋[2;1H⎋[0;93;41m█⎋[0;97;44mk!' + '⎋[0m⎋[2;3H⎋[?25h',
    );
    expect(r.cellsWritten).toBe(6);
  });

  it('then writes only the cells that changed, and nothing when nothing did', () => {
    const g = grid(['abcdef', 'ghijkl']);
    const r = new AnsiTextRenderer(80, 25);
    r.render(g);
    expect(r.render(g)).toBe('');
    g.setCell(4, 1, 'X'.charCodeAt(0), 0x07);
    g.setCell(5, 1, 'Y'.charCodeAt(0), 0x07);
    expect(show(r.render(g))).toBe('⎋[2;5H⎋[0;37;40mXY⎋[0m⎋[?25l');
    expect(r.cellsWritten).toBe(2);
    g.setCell(0, 0, 'Z'.charCodeAt(0), 0x07);
    g.setCell(3, 0, 'W'.charCodeAt(0), 0x07);
    expect(show(r.render(g))).toBe('⎋[1;1H⎋[0;37;40mZ⎋[1;4HW⎋[0m⎋[?25l');
  });

  it('moves the cursor alone when only the cursor moved', () => {
    const g = grid(['ab']);
    const r = new AnsiTextRenderer();
    r.render(g);
    g.cursorX = 1;
    g.cursorY = 0;
    expect(show(r.render(g))).toBe('⎋[1;2H⎋[?25h');
    g.cursorX = -1;
    expect(show(r.render(g))).toBe('⎋[?25l');
  });

  it('clips to the terminal and repaints after a terminal resize', () => {
    const g = grid(['abcd', 'efgh', 'ijkl']);
    const r = new AnsiTextRenderer(2, 2);
    expect(show(r.render(g))).toBe('⎋[0m⎋[2J⎋[1;1H⎋[0;37;40mab⎋[2;1Hef⎋[0m⎋[?25l');
    r.setTerminalSize(3, 1);
    expect(show(r.render(g))).toBe('⎋[0m⎋[2J⎋[1;1H⎋[0;37;40mabc⎋[0m⎋[?25l');
  });

  it('shows CP437 graphics as Unicode and NUL as a blank', () => {
    const g = new TextGrid(3, 1);
    g.setCell(0, 0, 0xc9, 0x07);
    g.setCell(1, 0, 0x00, 0x07);
    g.setCell(2, 0, 0x03, 0x07);
    expect(new AnsiTextRenderer().render(g)).toContain('╔ ♥');
  });
});
