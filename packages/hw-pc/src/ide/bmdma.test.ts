import { describe, expect, it } from 'vitest';
import {
  BM_CMD,
  BM_CMD_START,
  BM_CMD_WRITE_MEMORY,
  BM_PRD_TABLE,
  BM_STATUS,
  BM_STATUS_ACTIVE,
  BM_STATUS_ERROR,
  BM_STATUS_INT,
} from './bmdma.js';
import { dmaTestMachine, writePrdTable } from './dma-test-machine.js';
import {
  ERROR_ABRT,
  IDE_COMMAND,
  IDE_ERROR,
  IDE_FEATURES,
  IDE_HCYL,
  IDE_LCYL,
  IDE_STATUS,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
  WIN_PACKETCMD,
  WIN_READDMA,
  WIN_READDMA_EXT,
  WIN_WRITEDMA,
} from './ide-regs.js';
import { issueLba, memoryCdrom, memoryDisk, patternedImage, writePio } from './test-driver.js';

const TABLE = 0x1000;

function machine() {
  const backend = memoryDisk(patternedImage(4096));
  return { backend, ...dmaTestMachine({ kind: 'disk', backend }) };
}

/** What ata_piix does: table, direction, clear INT/ERR, command, start. */
function setupAndStart(m: ReturnType<typeof machine>, toMemory: boolean, issue: () => void): void {
  m.bmdma.write(BM_PRD_TABLE, TABLE, 4);
  m.bmdma.write(BM_CMD, toMemory ? BM_CMD_WRITE_MEMORY : 0);
  m.bmdma.write(BM_STATUS, BM_STATUS_INT | BM_STATUS_ERROR);
  issue();
  m.bmdma.write(BM_CMD, (toMemory ? BM_CMD_WRITE_MEMORY : 0) | BM_CMD_START);
}

const u32 = (ram: Uint8Array, at: number) =>
  new DataView(ram.buffer, ram.byteOffset).getUint32(at, true);

describe('bus-master DMA', () => {
  it('reads sectors into the buffers of a PRD table, with odd sizes and a 0 (64 KiB) entry', async () => {
    const m = machine();
    // 2 sectors in 3 pieces: 0x101 (bit 0 ignored: 0x100), 0x300, then a 64 KiB entry.
    writePrdTable(m.memory, TABLE, [
      [0x10000, 0x101],
      [0x20000, 0x300],
      [0x40000, 0],
    ]);
    setupAndStart(m, true, () => issueLba(m.channel, WIN_READDMA, 100, 130));
    expect(m.bmdma.read(BM_STATUS) & BM_STATUS_ACTIVE).toBe(BM_STATUS_ACTIVE);
    await m.channel.drain();
    expect(m.irq.level).toBe(true);
    expect(m.bmdma.read(BM_STATUS) & (BM_STATUS_INT | BM_STATUS_ACTIVE)).toBe(BM_STATUS_INT);
    expect(u32(m.ram, 0x10000)).toBe(100);
    expect(u32(m.ram, 0x20000 + 0x100)).toBe(101); // sector 101 starts after the first 0x100 bytes
    expect(u32(m.ram, 0x40000)).toBe(102); // the first 0x400 bytes filled the two small entries
    expect(u32(m.ram, 0x40000 + 129 * 512 - 0x400)).toBe(229); // the table fits exactly
    m.bmdma.write(BM_CMD, BM_CMD_WRITE_MEMORY); // stop, as the driver does
    expect(m.channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    expect(m.irq.level).toBe(false);
  });

  it('writes guest memory to the disk with WRITE DMA, then reads it back with READ DMA EXT', async () => {
    const m = machine();
    for (let i = 0; i < 1024; i++) m.ram[0x30000 + i] = (i * 13) & 0xff;
    writePrdTable(m.memory, TABLE, [[0x30000, 1024]]);
    setupAndStart(m, false, () => issueLba(m.channel, WIN_WRITEDMA, 2000, 2));
    await m.channel.drain();
    expect(m.channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    m.bmdma.write(BM_CMD, 0);
    writePrdTable(m.memory, TABLE, [[0x50000, 1024]]);
    setupAndStart(m, true, () => issueLba(m.channel, WIN_READDMA_EXT, 2000, 2, { lba48: true }));
    await m.channel.drain();
    expect(m.ram.subarray(0x50000, 0x50400)).toEqual(m.ram.subarray(0x30000, 0x30400));
  });

  it('starts when the bus master was started before the command', async () => {
    const m = machine();
    writePrdTable(m.memory, TABLE, [[0x10000, 512]]);
    m.bmdma.write(BM_PRD_TABLE, TABLE, 4);
    m.bmdma.write(BM_CMD, BM_CMD_WRITE_MEMORY | BM_CMD_START);
    issueLba(m.channel, WIN_READDMA, 42, 1);
    await m.channel.drain();
    expect(u32(m.ram, 0x10000)).toBe(42);
  });

  it('stops without an interrupt when the PRD table is shorter than the transfer', async () => {
    const m = machine();
    writePrdTable(m.memory, TABLE, [[0x10000, 512]]);
    setupAndStart(m, true, () => issueLba(m.channel, WIN_READDMA, 0, 4));
    await m.channel.drain();
    expect(m.bmdma.read(BM_STATUS) & (BM_STATUS_ACTIVE | BM_STATUS_INT | BM_STATUS_ERROR)).toBe(0);
    expect(m.irq.level).toBe(false);
    expect(u32(m.ram, 0x10000)).toBe(0);
  });

  it('sets the error bit and aborts when a PRD points outside guest RAM', async () => {
    const m = machine();
    writePrdTable(m.memory, TABLE, [[0xfff00000, 512]]);
    setupAndStart(m, true, () => issueLba(m.channel, WIN_READDMA, 0, 1));
    await m.channel.drain();
    expect(m.bmdma.read(BM_STATUS) & BM_STATUS_ERROR).toBe(BM_STATUS_ERROR);
    expect(m.channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_ERR);
    expect(m.channel.read(IDE_ERROR)).toBe(ERROR_ABRT);
    // A table that is itself outside RAM is the same error.
    m.bmdma.write(BM_CMD, 0);
    m.bmdma.write(BM_STATUS, BM_STATUS_ERROR | BM_STATUS_INT);
    m.bmdma.write(BM_PRD_TABLE, 0xfffff000, 4);
    issueLba(m.channel, WIN_READDMA, 0, 1);
    m.bmdma.write(BM_CMD, BM_CMD_WRITE_MEMORY | BM_CMD_START);
    await m.channel.drain();
    expect(m.bmdma.read(BM_STATUS) & BM_STATUS_ERROR).toBe(BM_STATUS_ERROR);
  });

  it('write-1-to-clear INT and ERROR, keeps the drive DMA-capable bits, aligns the table pointer', () => {
    const m = machine();
    m.bmdma.write(BM_STATUS, 0x60);
    expect(m.bmdma.read(BM_STATUS)).toBe(0x60);
    m.bmdma.write(BM_PRD_TABLE, 0x12345677, 4);
    expect(m.bmdma.read(BM_PRD_TABLE, 4)).toBe(0x12345674);
    expect(m.bmdma.read(8 + BM_PRD_TABLE, 4)).toBe(0); // channel 1 is separate
  });

  it('runs an ATAPI READ(10) over DMA', async () => {
    const backend = memoryCdrom(patternedImage(16, 2048));
    const m = { backend, ...dmaTestMachine({ kind: 'cdrom', backend }) };
    writePrdTable(m.memory, TABLE, [[0x20000, 4096]]);
    m.bmdma.write(BM_PRD_TABLE, TABLE, 4);
    m.channel.write(IDE_FEATURES, 1); // DMA
    m.channel.write(IDE_LCYL, 0);
    m.channel.write(IDE_HCYL, 0x10);
    m.channel.write(IDE_COMMAND, WIN_PACKETCMD);
    expect(m.channel.readControl() & STATUS_DRQ).toBe(STATUS_DRQ);
    writePio(m.channel, new Uint8Array([0x28, 0, 0, 0, 0, 5, 0, 0, 2, 0, 0, 0]));
    m.bmdma.write(BM_CMD, BM_CMD_WRITE_MEMORY | BM_CMD_START);
    await m.channel.drain();
    expect(m.channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    expect([u32(m.ram, 0x20000), u32(m.ram, 0x20800)]).toEqual([5, 6]);
  });

  it('drops a transfer the guest stops half way', async () => {
    const m = machine();
    writePrdTable(m.memory, TABLE, [[0x10000, 0]]);
    setupAndStart(m, true, () => issueLba(m.channel, WIN_READDMA, 0, 100));
    m.bmdma.write(BM_CMD, 0);
    await m.channel.drain();
    expect(u32(m.ram, 0x10200)).toBe(0);
    expect(m.irq.level).toBe(false);
  });
});
