import { MemoryCore } from '@tsemu/memory';
import { IrqLine, TypeRegistry } from '@tsemu/qom';
import { formatInfoPci } from '../pci/info-pci.js';
import { ManualTime } from '../testing/manual-time.js';
import { createI440fxPiix, I440FX_PIIX_TYPES } from './index.js';

export function main(print: (line: string) => void): void {
  // A memory map of just RAM, an I/O space, and the chipset (QEMU's pc_init1, PCI part).
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', 16 * 1024 * 1024);
  system.addSubregion(0, memory.alias('ram-below-4g', ram, 0, ram.size));
  const registry = new TypeRegistry();
  registry.registerAll(I440FX_PIIX_TYPES);
  const chipset = createI440fxPiix({
    registry,
    memory,
    system,
    io,
    ram,
    belowFourGig: 16 * 1024 * 1024,
    time: new ManualTime(),
    requests: {
      reset: (cause) => print(`reset requested (${cause})`),
      shutdown: (cause) => print(`shutdown requested (${cause})`),
    },
  });
  // The machine wires ISA IRQs to its interrupt controllers; here IRQ 9 is printed.
  chipset.isaBus.registerInputIrqs(
    Array.from({ length: 16 }, (_, n) => new IrqLine((l) => n === 9 && print(`IRQ9 ${l}`))),
  );
  const mem = memory.addressSpace('memory', system);
  const ports = memory.addressSpace('I/O', io);
  const config = (devfn: number, reg: number) =>
    ports.write(0xcf8, 4, (0x80000000 | (devfn << 8) | reg) >>> 0);

  // PCI configuration mechanism #1: 00:00.0 is the i440FX.
  config(0x00, 0x00);
  print(`00:00.0 id ${(ports.read(0xcfc, 4) >>> 0).toString(16)}`);

  // Shadow the BIOS segment as SeaBIOS does: PAM0 = 0x30 (read/write RAM), copy, 0x10 (read-only).
  config(0x00, 0x58);
  ports.write(0xcfd, 1, 0x30);
  mem.write(0xf0000, 1, 0xea);
  ports.write(0xcfd, 1, 0x10);
  mem.write(0xf0000, 1, 0x00);
  print(`0xf0000 holds 0x${mem.read(0xf0000, 1).toString(16)} (writes ignored)`);

  // ACPI as SeaBIOS sets it up: PM base 0x600, enabled; then the guest powers off (S5).
  config(0x0b, 0x40);
  ports.write(0xcfc, 4, 0x601);
  config(0x0b, 0x80);
  ports.write(0xcfc, 1, 0x01);
  ports.write(0xb2, 1, 0xf1); // ACPI_ENABLE through the APM port
  print(`PM1a_CNT 0x${ports.read(0x604, 2).toString(16)}`);
  ports.write(0x604, 2, 0x2001); // SLP_TYP 0 (S5) | SLP_EN
  ports.write(0xcf9, 1, 0x06); // and a reset through the PIIX3

  print(formatInfoPci([chipset.pciBus]).split('\n').slice(0, 4).join('\n'));
}
