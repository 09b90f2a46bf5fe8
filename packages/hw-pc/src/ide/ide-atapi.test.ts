import { MemoryImageFile, RawDriver } from '@tsemu/block';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { IdeChannel } from './ide-channel.js';
import {
  ASC_ILLEGAL_OPCODE,
  ASC_LOGICAL_BLOCK_OOR,
  ASC_MEDIUM_MAY_HAVE_CHANGED,
  ASC_MEDIUM_NOT_PRESENT,
  ATAPI_INT_REASON_CD,
  ATAPI_INT_REASON_IO,
  IDE_COMMAND,
  IDE_ERROR,
  IDE_FEATURES,
  IDE_HCYL,
  IDE_LCYL,
  IDE_NSECTOR,
  IDE_SELECT,
  IDE_STATUS,
  SENSE_ILLEGAL_REQUEST,
  SENSE_NOT_READY,
  SENSE_UNIT_ATTENTION,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
  WIN_IDENTIFY,
  WIN_PACKETCMD,
  WIN_PIDENTIFY,
} from './ide-regs.js';
import { memoryCdrom, patternedImage, readPio, settle, writePio } from './test-driver.js';

const CD_SECTORS = 64;

function cdChannel(image: Uint8Array | null = patternedImage(CD_SECTORS, 2048)) {
  const backend = memoryCdrom(image);
  const irq = new IrqRecorder();
  const channel = new IdeChannel({ slave: { kind: 'cdrom', backend }, master: undefined, irq });
  channel.write(IDE_SELECT, 0xb0);
  return { backend, irq, channel };
}

interface PacketResult {
  status: number;
  error: number;
  data: Uint8Array;
  drqBlocks: number[];
}

/** Sends one packet with PIO, as Linux's ata_sff does, and collects every DRQ block. */
async function packet(
  channel: IdeChannel,
  cdb: number[],
  byteLimit = 0xfffe,
): Promise<PacketResult> {
  channel.write(IDE_FEATURES, 0);
  channel.write(IDE_LCYL, byteLimit & 0xff);
  channel.write(IDE_HCYL, byteLimit >> 8);
  channel.write(IDE_COMMAND, WIN_PACKETCMD);
  expect(channel.readControl() & STATUS_DRQ).toBe(STATUS_DRQ);
  expect(channel.read(IDE_NSECTOR) & 3).toBe(ATAPI_INT_REASON_CD);
  const bytes = new Uint8Array(12);
  bytes.set(cdb);
  writePio(channel, bytes);
  const chunks: Uint8Array[] = [];
  const drqBlocks: number[] = [];
  for (;;) {
    const status = await settle(channel);
    if (!(status & STATUS_DRQ)) {
      expect(channel.read(IDE_NSECTOR) & 3).toBe(ATAPI_INT_REASON_CD | ATAPI_INT_REASON_IO);
      const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        data.set(c, at);
        at += c.length;
      }
      return { status, error: channel.read(IDE_ERROR), data, drqBlocks };
    }
    expect(channel.read(IDE_NSECTOR) & 3).toBe(ATAPI_INT_REASON_IO);
    const size = channel.read(IDE_LCYL) | (channel.read(IDE_HCYL) << 8);
    drqBlocks.push(size);
    chunks.push(readPio(channel, size));
  }
}

async function sense(channel: IdeChannel): Promise<[number, number]> {
  const { data } = await packet(channel, [0x03, 0, 0, 0, 18, 0]);
  return [data[2] & 0x0f, data[12]];
}

describe('ATAPI CD-ROM', () => {
  it('aborts IDENTIFY DEVICE with the packet signature, answers IDENTIFY PACKET DEVICE', () => {
    const { channel } = cdChannel();
    channel.write(IDE_COMMAND, WIN_IDENTIFY);
    expect(channel.read(IDE_STATUS) & STATUS_ERR).toBe(STATUS_ERR);
    expect([channel.read(IDE_LCYL), channel.read(IDE_HCYL)]).toEqual([0x14, 0xeb]);
    channel.write(IDE_COMMAND, WIN_PIDENTIFY);
    const id = readPio(channel, 512);
    expect(id[0] | (id[1] << 8)).toBe(0x85c0);
    expect(String.fromCharCode(id[55], id[54], id[57], id[56])).toBe('QEMU');
  });

  it('INQUIRY says removable CD-ROM from QEMU', async () => {
    const { channel } = cdChannel();
    const r = await packet(channel, [0x12, 0, 0, 0, 36, 0]);
    expect(r.status).toBe(STATUS_DRDY | STATUS_DSC);
    expect([r.data[0], r.data[1]]).toEqual([0x05, 0x80]);
    expect(new TextDecoder().decode(r.data.subarray(8, 32))).toBe('QEMU    QEMU DVD-ROM    ');
  });

  it('READ CAPACITY gives the last 2048-byte block', async () => {
    const { channel } = cdChannel();
    const { data } = await packet(channel, [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(new DataView(data.buffer).getUint32(0)).toBe(CD_SECTORS - 1);
    expect(new DataView(data.buffer).getUint32(4)).toBe(2048);
  });

  it('READ(10) delivers 2048-byte sectors in blocks no larger than the byte count limit', async () => {
    const { channel } = cdChannel();
    const r = await packet(channel, [0x28, 0, 0, 0, 0, 16, 0, 0, 3, 0], 5000);
    expect(r.status).toBe(STATUS_DRDY | STATUS_DSC);
    expect(r.data.length).toBe(3 * 2048);
    expect(Math.max(...r.drqBlocks)).toBeLessThanOrEqual(5000);
    const view = new DataView(r.data.buffer);
    expect([
      view.getUint32(0, true),
      view.getUint32(2048, true),
      view.getUint32(4096, true),
    ]).toEqual([16, 17, 18]);
  });

  it('READ(12) and an odd byte count limit still move every byte', async () => {
    const { channel } = cdChannel();
    const r = await packet(channel, [0xa8, 0, 0, 0, 0, 60, 0, 0, 0, 4, 0, 0], 1001);
    expect(r.data.length).toBe(4 * 2048);
    expect(r.drqBlocks.every((n) => n % 2 === 0 && n <= 1000)).toBe(true);
    expect(new DataView(r.data.buffer).getUint32(3 * 2048, true)).toBe(63);
  });

  it('fails reads past the disc and unknown opcodes with ILLEGAL REQUEST sense', async () => {
    const { channel } = cdChannel();
    const r = await packet(channel, [0x28, 0, 0, 0, 0, 63, 0, 0, 2, 0]);
    expect(r.status).toBe(STATUS_DRDY | STATUS_ERR);
    expect(r.error >> 4).toBe(SENSE_ILLEGAL_REQUEST);
    expect(await sense(channel)).toEqual([SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR]);
    await packet(channel, [0xff]);
    expect(await sense(channel)).toEqual([SENSE_ILLEGAL_REQUEST, ASC_ILLEGAL_OPCODE]);
  });

  it('reports NOT READY with no disc, then the change sequence after one is inserted', async () => {
    const { channel, backend, irq } = cdChannel(null);
    const tur = () => packet(channel, [0, 0, 0, 0, 0, 0]);
    expect((await tur()).status & STATUS_ERR).toBe(STATUS_ERR);
    expect(await sense(channel)).toEqual([SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT]);
    const edges = irq.risingEdges;
    backend.insert(new RawDriver(new MemoryImageFile('new.iso', patternedImage(8, 2048), true)));
    expect(irq.risingEdges).toBe(edges + 1);
    channel.read(IDE_STATUS);
    await tur();
    expect(await sense(channel)).toEqual([SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT]);
    await tur();
    expect(await sense(channel)).toEqual([SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED]);
    expect((await tur()).status).toBe(STATUS_DRDY | STATUS_DSC);
    const cap = await packet(channel, [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(new DataView(cap.data.buffer).getUint32(0)).toBe(7);
  });

  it('GET EVENT STATUS NOTIFICATION reports new media once', async () => {
    const { channel, backend } = cdChannel(null);
    backend.insert(new RawDriver(new MemoryImageFile('new.iso', patternedImage(8, 2048), true)));
    const gesn = () => packet(channel, [0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8, 0]);
    const first = await gesn();
    expect([first.data[2], first.data[4], first.data[5]]).toEqual([4, 2, 2]);
    const second = await gesn();
    expect(second.data[4]).toBe(0);
  });

  it('answers the probe commands Linux sr sends', async () => {
    const { channel } = cdChannel();
    const mode = await packet(channel, [0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 128, 0]);
    expect([mode.data.length, mode.data[8], mode.data[9]]).toEqual([30, 0x2a, 20]);
    const toc = await packet(channel, [0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0]);
    expect(toc.data.length).toBe(12); // cut to the allocation length
    const fullToc = await packet(channel, [0x43, 2, 0, 0, 0, 0, 0, 0, 100, 0]);
    expect(fullToc.data.length).toBe(20);
    expect([fullToc.data[14], fullToc.data[17], fullToc.data[18], fullToc.data[19]]).toEqual([
      0xaa,
      0,
      2,
      (64 % 75) + 0,
    ]);
    const conf = await packet(channel, [0x46, 0, 0, 0, 0, 0, 0, 0, 64, 0]);
    expect(conf.data[7]).toBe(0x08); // current profile: CD-ROM
    const disc = await packet(channel, [0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0]);
    expect(disc.data[2]).toBe(0x0e);
    const mech = await packet(channel, [0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0]);
    expect(mech.data[5]).toBe(1);
  });

  it('refuses to eject a locked tray and ejects it when unlocked', async () => {
    const { channel } = cdChannel();
    await packet(channel, [0x1e, 0, 0, 0, 1, 0]);
    const eject = () => packet(channel, [0x1b, 0, 0, 0, 2, 0]);
    expect((await eject()).status & STATUS_ERR).toBe(STATUS_ERR);
    await packet(channel, [0x1e, 0, 0, 0, 0, 0]);
    expect((await eject()).status).toBe(STATUS_DRDY | STATUS_DSC);
    expect((await packet(channel, [0, 0, 0, 0, 0, 0])).error >> 4).toBe(SENSE_NOT_READY);
  });
});
