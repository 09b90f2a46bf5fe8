import { MemoryCore } from '@tsemu/memory';
import { IrqLine, TypeRegistry } from '@tsemu/qom';
import { createI440fxPiix, I440FX_PIIX_TYPES } from '../pci-host/index.js';
import { ManualTime } from '../testing/manual-time.js';
import { memoryDisk } from './test-driver.js';

export async function main(print: (line: string) => void): Promise<void> {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', 16 << 20);
  system.addSubregion(0, memory.alias('ram-below-4g', ram, 0, ram.size));
  const registry = new TypeRegistry();
  registry.registerAll(I440FX_PIIX_TYPES);
  // A machine gets its drives from -hda/-cdrom/-drive with ideDrivesFromBlock.
  const disk = memoryDisk(new Uint8Array(1 << 20), 'ide0-hd0');
  const chipset = createI440fxPiix({
    registry,
    memory,
    system,
    io,
    ram,
    belowFourGig: 16 << 20,
    time: new ManualTime(),
    ide: { drives: [{ index: 0, backend: disk }] }, // -hda: primary master
  });
  chipset.isaBus.registerInputIrqs(
    Array.from({ length: 16 }, (_, n) => new IrqLine((l) => print(`ISA IRQ ${n} -> ${l}`))),
  );
  const ports = memory.addressSpace('I/O', io);

  // 00:01.1 through configuration mechanism #1.
  ports.write(0xcf8, 4, 0x80000908);
  print(`class ${(ports.read(0xcfc, 4) >>> 8).toString(16).padStart(6, '0')}`);

  // IDENTIFY DEVICE on the legacy ports: the interrupt arrives on IRQ 14.
  ports.write(0x1f6, 1, 0xa0);
  ports.write(0x1f7, 1, 0xec);
  const words = Array.from({ length: 256 }, () => ports.read(0x1f0, 2));
  print(`${words[60] + words[61] * 65536} sectors, status 0x${ports.read(0x1f7, 1).toString(16)}`);
}
