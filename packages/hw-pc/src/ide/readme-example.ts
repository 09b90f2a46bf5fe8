import { IrqRecorder } from '../testing/irq-recorder.js';
import {
  IDE_COMMAND,
  IDE_DATA,
  IDE_NSECTOR,
  IDE_SECTOR,
  IDE_SELECT,
  IDE_STATUS,
  IdeChannel,
  WIN_IDENTIFY,
  WIN_READ,
} from './index.js';
import { memoryDisk } from './test-driver.js';

export async function main(print: (line: string) => void): Promise<void> {
  // A 1 MiB disk whose sector 5 starts with "hello".
  const image = new Uint8Array(1 << 20);
  image.set(new TextEncoder().encode('hello'), 5 * 512);
  const irq = new IrqRecorder(); // a machine passes IRQ 14 (through the bus master)
  const channel = new IdeChannel({ master: { kind: 'disk', backend: memoryDisk(image) }, irq });

  // IDENTIFY DEVICE, as SeaBIOS does at boot: words 27-46 hold the model, byte-swapped.
  channel.write(IDE_SELECT, 0xa0);
  channel.write(IDE_COMMAND, WIN_IDENTIFY);
  const words = Array.from({ length: 256 }, () => channel.read(IDE_DATA, 2));
  const model = words
    .slice(27, 47)
    .map((w) => String.fromCharCode(w >> 8, w & 0xff))
    .join('')
    .trim();
  print(`model ${model}, ${words[60] + words[61] * 65536} sectors`);

  // READ SECTORS at LBA 5: the data is there once the block request resolves.
  channel.read(IDE_STATUS); // acknowledge IDENTIFY's interrupt
  channel.write(IDE_SELECT, 0xe0);
  channel.write(IDE_NSECTOR, 1);
  channel.write(IDE_SECTOR, 5);
  channel.write(IDE_COMMAND, WIN_READ);
  print(`status 0x${channel.readControl().toString(16)} (busy)`);
  await channel.drain();
  print(
    `status 0x${channel.read(IDE_STATUS).toString(16)} (data ready), irq raised ${irq.risingEdges} times`,
  );
  const first = channel.read(IDE_DATA, 4);
  print(String.fromCharCode(first & 0xff, (first >> 8) & 0xff, (first >> 16) & 0xff, first >>> 24));
}
