import { BlockBackend, MemoryImageFile, RawDriver } from '@tsemu/block';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { IdeChannel } from './ide-channel.js';
import {
  CTRL_HOB,
  CTRL_NIEN,
  CTRL_SRST,
  ERROR_ABRT,
  ERROR_IDNF,
  IDE_COMMAND,
  IDE_DATA,
  IDE_ERROR,
  IDE_FEATURES,
  IDE_HCYL,
  IDE_LCYL,
  IDE_NSECTOR,
  IDE_SECTOR,
  IDE_SELECT,
  IDE_STATUS,
  STATUS_BSY,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
  WIN_CHECKPOWERMODE1,
  WIN_DIAGNOSE,
  WIN_FLUSH_CACHE,
  WIN_IDENTIFY,
  WIN_MULTREAD,
  WIN_MULTWRITE,
  WIN_PIDENTIFY,
  WIN_READ,
  WIN_READ_EXT,
  WIN_SETFEATURES,
  WIN_SETMULT,
  WIN_STANDBYNOW1,
  WIN_VERIFY,
  WIN_WRITE,
  WIN_WRITE_EXT,
} from './ide-regs.js';
import {
  issueLba,
  memoryCdrom,
  memoryDisk,
  patternedImage,
  readAllPio,
  readPio,
  settle,
  writePio,
} from './test-driver.js';

const SECTORS = 20000;

function diskChannel(sectors = SECTORS) {
  const image = patternedImage(sectors);
  const backend = memoryDisk(image);
  const irq = new IrqRecorder();
  const channel = new IdeChannel({ master: { kind: 'disk', backend }, irq });
  return { image, backend, irq, channel };
}

const word = (bytes: Uint8Array, i: number) => bytes[i * 2] | (bytes[i * 2 + 1] << 8);
const ataString = (bytes: Uint8Array, first: number, words: number) => {
  let s = '';
  for (let i = 0; i < words; i++) {
    const w = word(bytes, first + i);
    s += String.fromCharCode(w >> 8, w & 0xff);
  }
  return s.trimEnd();
};
const sectorNumber = (bytes: Uint8Array, at = 0) => new DataView(bytes.buffer).getUint32(at, true);

describe('IDE channel: reset and registers', () => {
  it('shows the ATA signature and DRDY after power-on', () => {
    const { channel } = diskChannel();
    expect(channel.read(IDE_NSECTOR)).toBe(1);
    expect(channel.read(IDE_SECTOR)).toBe(1);
    expect(channel.read(IDE_LCYL)).toBe(0);
    expect(channel.read(IDE_HCYL)).toBe(0);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
  });

  it('reads a missing slave as 0 status and the 0xff signature, as QEMU does', () => {
    const { channel } = diskChannel();
    channel.write(IDE_SELECT, 0xb0);
    expect(channel.read(IDE_STATUS)).toBe(0);
    expect(channel.readControl()).toBe(0);
    channel.write(IDE_COMMAND, WIN_IDENTIFY); // ignored: nobody answers
    expect(channel.read(IDE_STATUS)).toBe(0);
    // SRST puts the signature in place; the slave's says "no device".
    channel.writeControl(CTRL_SRST);
    channel.writeControl(0);
    channel.write(IDE_SELECT, 0xb0);
    expect(channel.read(IDE_LCYL)).toBe(0xff);
    expect(channel.read(IDE_HCYL)).toBe(0xff);
  });

  it('reads every register of an empty channel as 0', () => {
    const channel = new IdeChannel();
    for (let reg = 1; reg <= 7; reg++) expect(channel.read(reg)).toBe(0);
  });

  it('keeps the previous register values behind HOB for LBA48', () => {
    const { channel } = diskChannel();
    channel.write(IDE_NSECTOR, 0x12);
    channel.write(IDE_NSECTOR, 0x34);
    expect(channel.read(IDE_NSECTOR)).toBe(0x34);
    channel.writeControl(CTRL_HOB);
    expect(channel.read(IDE_NSECTOR)).toBe(0x12);
    channel.write(IDE_SECTOR, 1); // any taskfile write clears HOB
    expect(channel.read(IDE_NSECTOR)).toBe(0x34);
  });

  it('SRST makes the devices busy, then resets them with their signatures', () => {
    const cd = memoryCdrom(new Uint8Array(2048 * 16));
    const { backend } = diskChannel();
    const channel = new IdeChannel({
      master: { kind: 'disk', backend },
      slave: { kind: 'cdrom', backend: cd },
    });
    channel.writeControl(CTRL_SRST);
    expect(channel.readControl() & STATUS_BSY).toBe(STATUS_BSY);
    channel.writeControl(0);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    expect(channel.read(IDE_ERROR)).toBe(1);
    channel.write(IDE_SELECT, 0xb0);
    expect(channel.read(IDE_STATUS)).toBe(0); // ATAPI: DRDY clear after reset
    expect([channel.read(IDE_LCYL), channel.read(IDE_HCYL)]).toEqual([0x14, 0xeb]);
  });
});

describe('IDE channel: interrupts', () => {
  it('raises INTRQ on completion; reading status clears it, alternate status does not', async () => {
    const { channel, irq } = diskChannel();
    channel.write(IDE_COMMAND, WIN_CHECKPOWERMODE1);
    expect(irq.level).toBe(true);
    expect(channel.read(IDE_NSECTOR)).toBe(0xff);
    channel.readControl();
    expect(irq.level).toBe(true);
    channel.read(IDE_STATUS);
    expect(irq.level).toBe(false);
  });

  it('keeps INTRQ low with nIEN and drives it again when nIEN is cleared', () => {
    const { channel, irq } = diskChannel();
    channel.writeControl(CTRL_NIEN);
    channel.write(IDE_COMMAND, WIN_STANDBYNOW1);
    expect(irq.level).toBe(false);
    channel.writeControl(0);
    expect(irq.level).toBe(true);
  });
});

describe('ATA disk commands', () => {
  it("IDENTIFY DEVICE reports QEMU's geometry, capacity, strings and modes", async () => {
    const { channel, irq } = diskChannel();
    channel.write(IDE_SELECT, 0xa0);
    channel.write(IDE_COMMAND, WIN_IDENTIFY);
    expect(irq.level).toBe(true);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC | STATUS_DRQ);
    const id = readPio(channel, 512);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    expect(word(id, 0)).toBe(0x0040);
    expect([word(id, 1), word(id, 3), word(id, 6)]).toEqual([Math.floor(SECTORS / 1008), 16, 63]);
    expect(ataString(id, 27, 20)).toBe('QEMU HARDDISK');
    expect(ataString(id, 10, 10)).toBe('QM00001');
    expect(ataString(id, 23, 4)).toBe('2.5+');
    expect(word(id, 60) | (word(id, 61) << 16)).toBe(SECTORS);
    expect(word(id, 100)).toBe(SECTORS);
    expect(word(id, 83) & (1 << 10)).toBeTruthy(); // LBA48
    expect(word(id, 85) & (1 << 5)).toBeTruthy(); // write cache on
    expect(word(id, 88)).toBe(0x3f); // UDMA 0-5, none selected
    expect(word(id, 47)).toBe(0x8010);
  });

  it('SET FEATURES selects a UDMA mode and toggles the write cache seen in IDENTIFY', () => {
    const { channel, backend } = diskChannel();
    channel.write(IDE_FEATURES, 0x03);
    channel.write(IDE_NSECTOR, 0x45); // UDMA mode 5
    channel.write(IDE_COMMAND, WIN_SETFEATURES);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    channel.write(IDE_FEATURES, 0x82);
    channel.write(IDE_COMMAND, WIN_SETFEATURES);
    expect(backend.writeCacheEnabled).toBe(false);
    channel.write(IDE_COMMAND, WIN_IDENTIFY);
    const id = readPio(channel, 512);
    expect(word(id, 88)).toBe(0x3f | (1 << 13));
    expect(word(id, 85) & (1 << 5)).toBe(0);
    channel.write(IDE_FEATURES, 0x77); // unknown feature
    channel.write(IDE_COMMAND, WIN_SETFEATURES);
    expect(channel.read(IDE_STATUS) & STATUS_ERR).toBe(STATUS_ERR);
    expect(channel.read(IDE_ERROR)).toBe(ERROR_ABRT);
  });

  it('reads sectors with PIO, LBA28, one interrupt per sector', async () => {
    const { channel, irq } = diskChannel();
    issueLba(channel, WIN_READ, 1000, 3);
    expect(channel.readControl() & STATUS_BSY).toBe(STATUS_BSY);
    const data = await readAllPio(channel, 3 * 512);
    expect([sectorNumber(data), sectorNumber(data, 512), sectorNumber(data, 1024)]).toEqual([
      1000, 1001, 1002,
    ]);
    expect(irq.risingEdges).toBe(3);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    // The taskfile now holds the address after the transfer.
    expect(channel.read(IDE_SECTOR) | (channel.read(IDE_LCYL) << 8)).toBe(1003);
  });

  it('reads with 32-bit data port accesses', async () => {
    const { channel } = diskChannel();
    issueLba(channel, WIN_READ, 7, 1);
    await settle(channel);
    const data = readPio(channel, 512, true);
    expect(sectorNumber(data)).toBe(7);
    expect(data[511]).toBe(0xa5);
  });

  it('reads and writes with LBA48 beyond the LBA28 sector count register', async () => {
    const { channel } = diskChannel();
    issueLba(channel, WIN_WRITE_EXT, 300, 260, { lba48: true });
    const payload = new Uint8Array(260 * 512).map((_, i) => (i * 7) & 0xff);
    for (let s = 0; s < 260; s++) {
      expect(channel.readControl() & STATUS_DRQ).toBe(STATUS_DRQ);
      writePio(channel, payload.subarray(s * 512, (s + 1) * 512));
      await settle(channel);
    }
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    issueLba(channel, WIN_READ_EXT, 300, 260, { lba48: true });
    expect(await readAllPio(channel, 260 * 512)).toEqual(payload);
  });

  it('addresses sectors by cylinder/head/sector', async () => {
    const { channel } = diskChannel();
    // C=2, H=3, S=4 -> (2*16 + 3) * 63 + 3
    channel.write(IDE_SELECT, 0xa0 | 3);
    channel.write(IDE_NSECTOR, 1);
    channel.write(IDE_SECTOR, 4);
    channel.write(IDE_LCYL, 2);
    channel.write(IDE_HCYL, 0);
    channel.write(IDE_COMMAND, WIN_READ);
    const data = await readAllPio(channel, 512);
    expect(sectorNumber(data)).toBe((2 * 16 + 3) * 63 + 3);
    channel.write(IDE_SECTOR, 0); // sector 0 does not exist in CHS
    channel.write(IDE_COMMAND, WIN_READ);
    expect(channel.read(IDE_STATUS) & STATUS_ERR).toBe(STATUS_ERR);
    expect(channel.read(IDE_ERROR)).toBe(ERROR_IDNF);
  });

  it('READ/WRITE MULTIPLE move SET MULTIPLE blocks per interrupt', async () => {
    const { channel, irq } = diskChannel();
    channel.write(IDE_NSECTOR, 3); // not a power of two
    channel.write(IDE_COMMAND, WIN_SETMULT);
    expect(channel.read(IDE_STATUS) & STATUS_ERR).toBe(STATUS_ERR);
    channel.write(IDE_NSECTOR, 8);
    channel.write(IDE_COMMAND, WIN_SETMULT);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    const before = irq.risingEdges;
    issueLba(channel, WIN_MULTREAD, 50, 20);
    const data = await readAllPio(channel, 20 * 512);
    expect(irq.risingEdges - before).toBe(3); // 8 + 8 + 4
    expect(sectorNumber(data, 19 * 512)).toBe(69);

    issueLba(channel, WIN_MULTWRITE, 10, 9);
    writePio(channel, new Uint8Array(8 * 512).fill(1));
    expect(await settle(channel)).toBe(STATUS_DRDY | STATUS_DSC | STATUS_DRQ);
    writePio(channel, new Uint8Array(512).fill(2));
    expect(await settle(channel)).toBe(STATUS_DRDY | STATUS_DSC);
    issueLba(channel, WIN_READ, 17, 2);
    const back = await readAllPio(channel, 1024);
    expect([back[0], back[512]]).toEqual([1, 2]);
  });

  it('fails sectors beyond the image with IDNF and never touches the backend', async () => {
    const { channel } = diskChannel(100);
    issueLba(channel, WIN_READ, 99, 2);
    expect(channel.busy).toBe(false);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_ERR);
    expect(channel.read(IDE_ERROR)).toBe(ERROR_IDNF);
    issueLba(channel, WIN_WRITE_EXT, 2 ** 40, 1, { lba48: true });
    expect(channel.read(IDE_ERROR)).toBe(ERROR_IDNF);
    issueLba(channel, WIN_VERIFY, 90, 11);
    expect(channel.read(IDE_ERROR)).toBe(ERROR_IDNF);
    issueLba(channel, WIN_VERIFY, 90, 10);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
  });

  it('aborts writes to a read-only image', async () => {
    const backend = new BlockBackend({
      name: 'ro',
      driver: new RawDriver(new MemoryImageFile('ro.img', new Uint8Array(512 * 8))),
      readOnly: true,
    });
    const channel = new IdeChannel({ master: { kind: 'disk', backend } });
    issueLba(channel, WIN_WRITE, 0, 1);
    writePio(channel, new Uint8Array(512));
    expect(await settle(channel)).toBe(STATUS_DRDY | STATUS_ERR);
    expect(channel.read(IDE_ERROR)).toBe(ERROR_ABRT);
  });

  it('FLUSH CACHE completes only when the backend flush resolves', async () => {
    const { channel, irq, backend } = diskChannel();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const flush = backend.flush.bind(backend);
    backend.flush = async () => {
      await gate;
      return flush();
    };
    channel.write(IDE_COMMAND, WIN_FLUSH_CACHE);
    await new Promise((r) => setTimeout(r, 5));
    expect(channel.readControl() & STATUS_BSY).toBe(STATUS_BSY);
    expect(irq.level).toBe(false);
    release();
    await channel.drain();
    expect(irq.level).toBe(true);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
  });

  it('aborts unknown and packet commands on a disk; EXECUTE DEVICE DIAGNOSTIC shows the signature', () => {
    const { channel } = diskChannel();
    channel.write(IDE_COMMAND, 0x5c);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_ERR);
    expect(channel.read(IDE_ERROR)).toBe(ERROR_ABRT);
    channel.write(IDE_COMMAND, WIN_PIDENTIFY);
    expect(channel.read(IDE_ERROR)).toBe(ERROR_ABRT);
    channel.write(IDE_NSECTOR, 9);
    channel.write(IDE_COMMAND, WIN_DIAGNOSE);
    expect(channel.read(IDE_STATUS)).toBe(STATUS_DRDY | STATUS_DSC);
    expect(channel.read(IDE_ERROR)).toBe(1);
    expect(channel.read(IDE_NSECTOR)).toBe(1);
  });

  it('ignores taskfile writes and new commands while a PIO transfer is in progress', async () => {
    const { channel } = diskChannel();
    issueLba(channel, WIN_READ, 5, 1);
    await settle(channel);
    channel.write(IDE_SECTOR, 0x77);
    channel.write(IDE_COMMAND, WIN_IDENTIFY);
    expect(sectorNumber(readPio(channel, 512))).toBe(5);
  });

  it('reads nothing from the data port without DRQ', () => {
    const { channel } = diskChannel();
    expect(channel.read(IDE_DATA, 2)).toBe(0);
  });
});

describe('IDE channel state', () => {
  it('saves in the middle of a PIO read and resumes in a new channel with INTRQ raised', async () => {
    const { channel, backend } = diskChannel();
    issueLba(channel, WIN_READ, 500, 2);
    await channel.drain();
    const half = readPio(channel, 256);
    const saved = channel.state();
    const irq = new IrqRecorder();
    const restored = IdeChannel.fromState(structuredClone(saved), {
      master: { kind: 'disk', backend },
      irq,
    });
    expect(irq.level).toBe(true);
    const rest = readPio(restored, 256);
    expect(sectorNumber(half)).toBe(500);
    expect(rest[255]).toBe(0xa5);
    const next = await readAllPio(restored, 512);
    expect(sectorNumber(next)).toBe(501);
  });

  it('refuses to save while a block request is in flight', () => {
    const { channel } = diskChannel();
    issueLba(channel, WIN_READ, 0, 1);
    expect(() => channel.state()).toThrow(/drain/);
  });
});
