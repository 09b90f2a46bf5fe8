/**
 * IDE benchmark (hw-pc): MB/s of sequential guest reads and writes of a 16 MiB in-memory raw
 * image, through PIO (READ/WRITE MULTIPLE, 16-sector blocks, 32-bit data port accesses as
 * Linux's ata_piix does with 32-bit PIO) and through bus-master DMA (READ/WRITE DMA EXT,
 * 128 KiB per command through a two-entry PRD table). Each case keeps its best of 5 rounds.
 * Run it alone with `node --conditions=@tsemu/source --import tsx bench/ide.ts`.
 */
import {
  BM_CMD,
  BM_CMD_START,
  BM_CMD_WRITE_MEMORY,
  BM_PRD_TABLE,
  BM_STATUS,
} from '../src/ide/bmdma.js';
import { dmaTestMachine, writePrdTable } from '../src/ide/dma-test-machine.js';
import {
  IDE_COMMAND,
  IDE_DATA,
  IDE_NSECTOR,
  IDE_STATUS,
  STATUS_DRQ,
  WIN_MULTREAD_EXT,
  WIN_MULTWRITE_EXT,
  WIN_READDMA_EXT,
  WIN_SETMULT,
  WIN_WRITEDMA_EXT,
} from '../src/ide/ide-regs.js';
import { issueLba, memoryDisk } from '../src/ide/test-driver.js';

const IMAGE_SECTORS = 32768; // 16 MiB
const COMMAND_SECTORS = 256; // 128 KiB per command
const ROUNDS = 5;

function newMachine() {
  const backend = memoryDisk(new Uint8Array(IMAGE_SECTORS * 512));
  const m = dmaTestMachine({ kind: 'disk', backend });
  m.channel.write(IDE_NSECTOR, 16);
  m.channel.write(IDE_COMMAND, WIN_SETMULT);
  m.channel.read(IDE_STATUS);
  return m;
}

async function pio(write: boolean): Promise<number> {
  const m = newMachine();
  const ch = m.channel;
  const t0 = performance.now();
  for (let lba = 0; lba < IMAGE_SECTORS; lba += COMMAND_SECTORS) {
    issueLba(ch, write ? WIN_MULTWRITE_EXT : WIN_MULTREAD_EXT, lba, COMMAND_SECTORS, {
      lba48: true,
    });
    for (let block = 0; block < COMMAND_SECTORS / 16; block++) {
      await ch.drain();
      ch.read(IDE_STATUS);
      for (let i = 0; i < (16 * 512) / 4; i++) {
        if (write) ch.write(IDE_DATA, 0x5a5a5a5a, 4);
        else ch.read(IDE_DATA, 4);
      }
    }
    await ch.drain();
    if (ch.read(IDE_STATUS) & STATUS_DRQ) throw new Error('PIO transfer did not finish');
  }
  return performance.now() - t0;
}

async function dma(write: boolean): Promise<number> {
  const m = newMachine();
  writePrdTable(m.memory, 0x1000, [
    [0x10000, 0],
    [0x20000, 0],
  ]);
  m.bmdma.write(BM_PRD_TABLE, 0x1000, 4);
  const direction = write ? 0 : BM_CMD_WRITE_MEMORY;
  const t0 = performance.now();
  for (let lba = 0; lba < IMAGE_SECTORS; lba += COMMAND_SECTORS) {
    m.bmdma.write(BM_CMD, direction);
    m.bmdma.write(BM_STATUS, 0x06);
    issueLba(m.channel, write ? WIN_WRITEDMA_EXT : WIN_READDMA_EXT, lba, COMMAND_SECTORS, {
      lba48: true,
    });
    m.bmdma.write(BM_CMD, direction | BM_CMD_START);
    await m.channel.drain();
    if (!(m.bmdma.read(BM_STATUS) & 0x04)) throw new Error('DMA did not interrupt');
    m.bmdma.write(BM_CMD, direction);
    m.channel.read(IDE_STATUS);
  }
  return performance.now() - t0;
}

async function best(run: () => Promise<number>): Promise<number> {
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ROUNDS; i++) ms = Math.min(ms, await run());
  return (IMAGE_SECTORS * 512) / 1e6 / (ms / 1000);
}

const rows: [string, number][] = [
  ['PIO read  (READ MULTIPLE EXT, 32-bit)', await best(() => pio(false))],
  ['PIO write (WRITE MULTIPLE EXT, 32-bit)', await best(() => pio(true))],
  ['DMA read  (READ DMA EXT, 128 KiB)', await best(() => dma(false))],
  ['DMA write (WRITE DMA EXT, 128 KiB)', await best(() => dma(true))],
];
console.log('IDE sequential transfer of a 16 MiB in-memory raw image (best of 5)');
for (const [name, mbs] of rows)
  console.log(`  ${name.padEnd(40)} ${mbs.toFixed(1).padStart(8)} MB/s`);
