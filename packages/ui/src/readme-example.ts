import {
  CursesDisplay,
  DisplayConsole,
  decodePng,
  rgbPixel,
  screendumpPng,
  type ZlibInflate,
} from './index.js';

/** `inflate` is only needed to read the PNG back (Node: `@tsemu/ui/node`'s nodeInflate). */
export function main(print: (line: string) => void, inflate: ZlibInflate): void {
  // A console, and a stand-in for a display device: a 4x2 picture and two lines of text.
  const console = new DisplayConsole('vga');
  console.setHardware({
    gfxUpdate: () => {
      const surface = console.resize(4, 2);
      surface.fill(0, 0, 4, 2, rgbPixel(0, 0, 0xaa));
      surface.pixels[5] = rgbPixel(0xff, 0xff, 0x55);
      console.gfxUpdate(0, 0, 4, 2);
    },
    textUpdate: () => {
      console.textResize(8, 2);
      for (const [x, ch] of [...'Hi!'].entries())
        console.textGrid.setCell(x, 0, ch.charCodeAt(0), 0x1f);
      console.textGrid.setCell(0, 1, 0xc9, 0x07); // CP437 '╔'
      console.textCursor(3, 0);
    },
  });

  // screendump: the device draws, the surface becomes a PNG (stored, uncompressed here).
  const png = screendumpPng(console);
  const decoded = decodePng(png, inflate);
  print(
    `PNG ${decoded.width}x${decoded.height}, pixel (1, 1) = ${[...decoded.data.subarray(20, 23)]}`,
  );

  // -display curses: the text screen as ANSI escapes; a second refresh writes nothing new.
  let out = '';
  const curses = new CursesDisplay({ output: { write: (s) => (out += s) }, columns: 8, rows: 2 });
  curses.attach(console);
  out = '';
  console.refresh();
  print(JSON.stringify(out.replaceAll('\x1b', 'ESC')));
  out = '';
  console.refresh();
  print(`second refresh: ${out.length} bytes`);
  print(console.textGrid.text());

  // Keys typed on the terminal, as the i8042's keyboard takes them.
  const keys: string[] = [];
  const typing = new CursesDisplay({
    output: { write: () => {} },
    keys: { keyDown: (k) => keys.push(`+${k}`), keyUp: (k) => keys.push(`-${k}`) },
  });
  typing.input('A\x1b[1;5D');
  print(keys.join(' '));
}
