import { CharRecorder } from '../char/index.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { Debugcon, DebugExit, Port92, PostCodePort } from './index.js';

export function main(print: (line: string) => void): void {
  // Port 0x92: fast A20 (bit 1) and reset (bit 0 going 0 -> 1).
  const a20 = new IrqRecorder();
  const port92 = new Port92({ a20, resetRequest: () => print('port 0x92: reset requested') });
  port92.write(0, 0x02);
  print(`port 0x92: A20 ${a20.level ? 'on' : 'off'}, reads 0x${port92.read(0).toString(16)}`);
  port92.write(0, 0x03);

  // Port 0x80: POST codes, recorded and logged; reads give 0xff.
  const post = new PostCodePort({ onPostCode: (code) => print(`POST 0x${code.toString(16)}`) });
  post.write(0, 0x1f);

  // isa-debugcon: bytes to a chardev; reads give 0xe9 so a guest can find the port.
  const screen = new CharRecorder();
  const debugcon = new Debugcon({ chardev: screen });
  for (const byte of Buffer.from('Booting from ROM...\n')) debugcon.write(0, byte);
  print(
    `debugcon printed ${JSON.stringify(screen.takeText())}, reads 0x${debugcon.read(0).toString(16)}`,
  );

  // isa-debug-exit: writing N asks the emulator to exit with (N << 1) | 1.
  const exit = new DebugExit({
    exitRequest: (status) => print(`exit requested with status ${status}`),
  });
  exit.write(0, 0x10, 1);
}
