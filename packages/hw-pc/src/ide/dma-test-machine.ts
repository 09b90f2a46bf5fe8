/** A channel, its bus master and 1 MiB of guest RAM: what the DMA tests and bench drive. */
import type { BlockBackend } from '@tsemu/block';
import { type AddressSpace, MemoryCore } from '@tsemu/memory';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { BusMasterDma } from './bmdma.js';
import { IdeChannel } from './ide-channel.js';
import type { IdeDriveKind } from './ide-drive.js';

export const RAM_SIZE = 0x100000;

export interface DmaTestMachine {
  memory: AddressSpace;
  ram: Uint8Array;
  bmdma: BusMasterDma;
  channel: IdeChannel;
  irq: IrqRecorder;
}

export function dmaTestMachine(master: {
  kind: IdeDriveKind;
  backend: BlockBackend;
}): DmaTestMachine {
  const core = new MemoryCore();
  const system = core.container('system', 2n ** 32n);
  const ramRegion = core.ram('pc.ram', RAM_SIZE);
  system.addSubregion(0, ramRegion);
  const memory = core.addressSpace('memory', system);
  const irq = new IrqRecorder();
  const bmdma = new BusMasterDma({ memory, irqs: [irq, new IrqRecorder()] });
  const channel = new IdeChannel({ master, irq: bmdma.channels[0].irqInput });
  bmdma.channels[0].connect(channel);
  return { memory, ram: ramRegion.bytes, bmdma, channel, irq };
}

/** Writes a PRD table at `table`: [address, byte count] pairs, the last one flagged. */
export function writePrdTable(
  memory: AddressSpace,
  table: number,
  entries: [number, number][],
): void {
  entries.forEach(([addr, count], i) => {
    memory.write(table + i * 8, 4, addr);
    const last = i === entries.length - 1 ? 0x80000000 : 0;
    memory.write(table + i * 8 + 4, 4, ((count & 0xffff) | last) >>> 0);
  });
}
