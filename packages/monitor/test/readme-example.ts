import { MemoryChardev } from '@tsemu/chardev';
import { System } from '@tsemu/system';
import { Monitor, type MonitorMachine } from '../src/index.js';

export async function main(print: (line: string) => void): Promise<void> {
  // What the machine hands the monitor: here 64 KiB of RAM and a made-up CPU dump;
  // the pc machine passes its CPU, its memory and its QOM tree the same way.
  const ram = new Uint8Array(0x10000);
  ram.set(Buffer.from('Hello, monitor!'), 0x7c00);
  const readPhysical = (address: number, length: number) =>
    address + length <= ram.length ? ram.slice(address, address + length) : null;
  const machine: MonitorMachine = {
    system: new System(),
    registersText: () => 'EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000000\n',
    readPhysical,
    readVirtual: readPhysical, // paging is off
    info: {
      mtree: {
        help: 'show memory tree',
        run: () =>
          'address-space: memory\n  0000000000000000-000000000000ffff (prio 0, ram): pc.ram\n',
      },
    },
  };

  // The monitor on a terminal. A real run gives it `new StdioChardev()`, a socket,
  // or a frontend of the Ctrl-A mux; a MemoryChardev lets us type into it here.
  const terminal = new MemoryChardev('monitor');
  new Monitor(terminal, machine, { version: '0.1.0' });
  await new Promise((resolve) => setImmediate(resolve)); // the banner comes at the end of the turn

  terminal.type('info status\r');
  terminal.type('cont\r');
  terminal.type('info status\r');
  terminal.type('xp /16cb 0x7c00\r');
  terminal.type('x /2xw 0x7c00\r');
  terminal.type('info mtree\r');
  terminal.type('info registers\r');
  print(terminal.takeText().replaceAll('\r\n', '\n'));
}
