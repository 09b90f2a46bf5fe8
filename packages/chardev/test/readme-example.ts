import { CharMux, MemoryChardev, parseChardevOptions, parseCompatChardev } from '../src/index.js';

export function main(print: (line: string) => void): void {
  // What the command line asks for.
  print(JSON.stringify(parseCompatChardev('mon:stdio', 'compat_monitor0')));
  print(JSON.stringify(parseChardevOptions('socket,id=con0,port=4444,server=on,wait=off').backend));
  try {
    parseCompatChardev('tcp:4444', 'serial0');
  } catch (error) {
    print((error as Error).message);
  }

  // A terminal shared by a serial port and the monitor through the Ctrl-A mux.
  // (A real run uses `new StdioChardev()`; a MemoryChardev lets us type into it here.)
  const terminal = new MemoryChardev('stdio');
  const mux = new CharMux(terminal, { onQuit: () => print('Ctrl-A x: quit requested') });
  const monitorChardev = mux.addFrontend();
  const serialChardev = mux.addFrontend();
  const typed = { monitor: '', serial: '' };
  // Each device registers its handlers (the last to register has the focus);
  // canReceive() bounds what it is given at a time.
  monitorChardev.setHandlers({
    canReceive: () => 64,
    receive: (data) => {
      typed.monitor += Buffer.from(data).toString();
    },
  });
  serialChardev.setHandlers({
    canReceive: () => 16,
    receive: (data) => {
      typed.serial += Buffer.from(data).toString();
    },
  });

  terminal.type('uname -a\r');
  serialChardev.write(Buffer.from('Linux tsemu 6.1.0-686\r\n'));
  terminal.type('\x01c'); // Ctrl-A c: to the monitor
  terminal.type('info status\r');
  terminal.type('\x01c'); // and back to the serial console
  print(`serial got ${JSON.stringify(typed.serial)}, monitor got ${JSON.stringify(typed.monitor)}`);
  terminal.type('\x01x');
  print(`terminal shows ${JSON.stringify(terminal.takeText())}`);
}
