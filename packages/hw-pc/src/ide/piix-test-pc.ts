/**
 * A PC reduced to what the PIIX3 IDE function needs, for its tests: 16 MiB of RAM, the
 * i440FX/PIIX3 chipset with `piix3-ide` at 01.1, and the 8259 pair on the ISA IRQs, all
 * reached through ports and memory as a guest reaches them. `firmware()` does what SeaBIOS
 * does to the function before a driver takes over.
 */
import { type AddressSpace, MemoryCore, type MemoryRegion } from '@tsemu/memory';
import { IrqLine, TypeRegistry, unwrap } from '@tsemu/qom';
import type { ExtIntSource } from '../intc/cpu-interrupts.js';
import { ISA_I8259, type IsaI8259, i8259ExtIntSource } from '../intc/i8259-qdev.js';
import { createI440fxPiix, I440FX_PIIX_TYPES, type I440fxPiix } from '../pci-host/i440fx-piix.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import type { IdeDriveSpec } from './ide-drives.js';
import type { PiixIde } from './piix-ide.js';

export const TEST_PC_RAM = 16 * 1024 * 1024;
/** devfn of 00:01.1. */
export const PIIX_IDE_DEVFN = 0x09;
/** Where `firmware()` puts BAR4, as SeaBIOS's first I/O BAR lands. */
export const TEST_BMIBA = 0xc000;
/** The 8259 vector bases `firmware()` programs (IRQ 14 is 0x3e, IRQ 15 is 0x3f). */
export const MASTER_VECTORS = 0x30;
export const SLAVE_VECTORS = 0x38;

export interface TestPc {
  memory: MemoryCore;
  ram: MemoryRegion;
  chipset: I440fxPiix;
  ide: PiixIde;
  /** The CPU's view of the I/O ports and of memory. */
  ports: AddressSpace;
  mem: AddressSpace;
  /** The master 8259's INT output (the CPU's INTR pin). */
  intr: IrqRecorder;
  /** The 8259 pair's INTA cycle. */
  pic: ExtIntSource;
  configRead(devfn: number, reg: number, size: 1 | 2 | 4): number;
  configWrite(devfn: number, reg: number, size: 1 | 2 | 4, value: number): void;
  /**
   * SeaBIOS's setup: ICW1-4 to both 8259s, BAR4 at TEST_BMIBA, I/O and bus master enabled
   * in the command register, IDETIM decode enable on both channels.
   */
  firmware(): void;
  /** End of interrupt to both 8259s. */
  eoi(): void;
}

export function testPc(drives: readonly IdeDriveSpec[]): TestPc {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', TEST_PC_RAM);
  system.addSubregion(0, memory.alias('ram-below-4g', ram, 0, ram.size));
  const registry = new TypeRegistry();
  registry.registerAll([...I440FX_PIIX_TYPES, ISA_I8259]);
  const time = new ManualTime();
  const chipset = createI440fxPiix({
    registry,
    memory,
    system,
    io,
    ram,
    belowFourGig: TEST_PC_RAM,
    time,
    ide: { drives },
  });
  const ide = chipset.ide;
  if (!ide) throw new Error('createI440fxPiix made no IDE function');

  const env = { memory, time, io };
  const master: IsaI8259 = registry.objectNew(ISA_I8259);
  master.props.master = true;
  const slave: IsaI8259 = registry.objectNew(ISA_I8259);
  slave.props.iobase = 0xa0;
  slave.props['elcr-addr'] = 0x4d1;
  for (const dev of [master, slave]) {
    dev.setEnvironment(env);
    unwrap(dev.realize());
  }
  slave.int.connect(master.getGpioIn('irq', 2));
  const intr = new IrqRecorder();
  master.int.connect(new IrqLine((level) => intr.set(level !== 0)));
  chipset.isaBus.registerInputIrqs(
    Array.from({ length: 16 }, (_, n) =>
      n < 8 ? master.getGpioIn('irq', n) : slave.getGpioIn('irq', n - 8),
    ),
  );

  const ports = memory.addressSpace('I/O', io);
  const mem = memory.addressSpace('memory', system);
  const select = (devfn: number, reg: number) =>
    ports.write(0xcf8, 4, (0x80000000 | (devfn << 8) | (reg & 0xfc)) >>> 0);
  const pc: TestPc = {
    memory,
    ram,
    chipset,
    ide,
    ports,
    mem,
    intr,
    pic: i8259ExtIntSource(master, slave),
    configRead(devfn, reg, size) {
      select(devfn, reg);
      return ports.read(0xcfc + (reg & 3), size) >>> 0;
    },
    configWrite(devfn, reg, size, value) {
      select(devfn, reg);
      ports.write(0xcfc + (reg & 3), size, value);
    },
    firmware() {
      for (const [base, vectors, cascade] of [
        [0x20, MASTER_VECTORS, 0x04],
        [0xa0, SLAVE_VECTORS, 0x02],
      ]) {
        ports.write(base, 1, 0x11);
        ports.write(base + 1, 1, vectors);
        ports.write(base + 1, 1, cascade);
        ports.write(base + 1, 1, 0x01);
      }
      pc.configWrite(PIIX_IDE_DEVFN, 0x20, 4, TEST_BMIBA);
      pc.configWrite(PIIX_IDE_DEVFN, 0x04, 2, 0x0005); // I/O space, bus master
      pc.configWrite(PIIX_IDE_DEVFN, 0x40, 2, 0x8000); // IDETIM: decode enable
      pc.configWrite(PIIX_IDE_DEVFN, 0x42, 2, 0x8000);
    },
    eoi() {
      ports.write(0xa0, 1, 0x20);
      ports.write(0x20, 1, 0x20);
    },
  };
  return pc;
}
