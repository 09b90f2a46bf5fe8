/**
 * The PIIX3 IDE function on the real chipset, driven as firmware and a driver drive it:
 * configuration space through 0xcf8/0xcfc, the legacy ports, the bus master in BAR4 with PRD
 * tables in guest RAM, interrupts through the 8259 pair. The images are made by QEMU's own
 * `qemu-img` and opened with `@tsemu/block`, as `-hda`, `-cdrom` and `-drive` open them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BlockBackend,
  BlockBackendRegistry,
  type DriveOptions,
  driveShorthand,
  openDrives,
  parseDriveOptions,
  resolveDrives,
} from '@tsemu/block';
import { MemoryCore } from '@tsemu/memory';
import { loadDeviceState, saveDeviceState, TypeRegistry } from '@tsemu/qom';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatInfoPciDevice } from '../pci/info-pci.js';
import { createI440fxPiix, I440FX_PIIX_TYPES } from '../pci-host/i440fx-piix.js';
import { ManualTime } from '../testing/manual-time.js';
import { BM_STATUS_ACTIVE, BM_STATUS_ERROR, BM_STATUS_INT } from './bmdma.js';
import { writePrdTable } from './dma-test-machine.js';
import { ideDrivesFromBlock, ideDriveTable } from './ide-drives.js';
import {
  ERROR_ABRT,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
  WIN_FLUSH_CACHE,
  WIN_IDENTIFY,
  WIN_PACKETCMD,
  WIN_READDMA,
  WIN_WRITEDMA,
} from './ide-regs.js';
import { PIIX_IDE_DEVFN, SLAVE_VECTORS, TEST_BMIBA, type TestPc, testPc } from './piix-test-pc.js';
import { memoryCdrom, memoryDisk } from './test-driver.js';

// ---- images made by qemu-img --------------------------------------------------------------

const DISK_BYTES = 8 * 1024 * 1024;
const CD_BYTES = 1024 * 1024;

/** Runs `qemu-img` (Debian's qemu-utils); a missing tool fails the test with the reason. */
function qemuImg(...args: string[]): string {
  const result = spawnSync('qemu-img', args, { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `these tests make their images with qemu-img, which could not be run (${result.error.message}); install Debian's qemu-utils`,
    );
  }
  if (result.status !== 0) throw new Error(`qemu-img ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** qemu-io, to read an image back the way QEMU reads it. */
function qemuIo(file: string, format: string, command: string): string {
  const result = spawnSync('qemu-io', ['-f', format, '-c', command, file], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `qemu-io could not be run (${result.error.message}); install Debian's qemu-utils`,
    );
  }
  return `${result.stdout}${result.stderr}`;
}

/** Sector n of the disk starts with "disk" and n; the rest of it is n's low byte. */
function diskSector(n: number): Uint8Array {
  const bytes = new Uint8Array(512).fill(n & 0xff);
  bytes.set(new TextEncoder().encode('disk'));
  new DataView(bytes.buffer).setUint32(4, n, true);
  return bytes;
}

function cdSector(n: number): Uint8Array {
  const bytes = new Uint8Array(2048).fill(0xc0 ^ (n & 0xff));
  bytes.set(new TextEncoder().encode(`CD001 sector ${n}`));
  return bytes;
}

let dir = '';
let diskImage = '';
let cdImage = '';
let qcowImage = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsemu-piix-ide-'));
  diskImage = join(dir, 'disk.img');
  cdImage = join(dir, 'cd.iso');
  qcowImage = join(dir, 'disk.qcow2');
  qemuImg('create', '-q', '-f', 'raw', diskImage, String(DISK_BYTES));
  qemuImg('create', '-q', '-f', 'raw', cdImage, String(CD_BYTES));
  qemuImg('create', '-q', '-f', 'qcow2', qcowImage, '4M');
  // Fill a few sectors after qemu-img made the files (a raw image is just its bytes).
  const disk = readFileSync(diskImage);
  for (let n = 96; n < 112; n++) disk.set(diskSector(n), n * 512);
  writeFileSync(diskImage, disk);
  const cd = readFileSync(cdImage);
  for (let n = 15; n < 20; n++) cd.set(cdSector(n), n * 2048);
  writeFileSync(cdImage, cd);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- drives as the command line opens them --------------------------------------------------

const opened: BlockBackendRegistry[] = [];

afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.closeAll();
});

/** `-drive`s and shorthands, resolved, opened, and handed to the chipset builder. */
async function pcWith(drives: DriveOptions[]): Promise<TestPc> {
  const resolved = resolveDrives(drives);
  const registry = new BlockBackendRegistry();
  opened.push(registry);
  const backends = await openDrives(resolved, registry);
  return testPc(ideDrivesFromBlock(resolved, backends));
}

const hda = () => driveShorthand('-hda', diskImage);
const cdrom = () => driveShorthand('-cdrom', cdImage);

// ---- a driver's view: ports -----------------------------------------------------------------

const PRIMARY = { cmd: 0x1f0, ctrl: 0x3f6, bm: TEST_BMIBA };
const SECONDARY = { cmd: 0x170, ctrl: 0x376, bm: TEST_BMIBA + 8 };
type Channel = typeof PRIMARY;

const IRQ14_VECTOR = SLAVE_VECTORS + 6;
const IRQ15_VECTOR = SLAVE_VECTORS + 7;

const inb = (pc: TestPc, port: number) => pc.ports.read(port, 1);
const outb = (pc: TestPc, port: number, value: number) => pc.ports.write(port, 1, value);

/** LBA28 taskfile and command, as ata_piix writes it. */
function issue(pc: TestPc, ch: Channel, command: number, lba: number, count: number): void {
  outb(pc, ch.cmd + 6, 0xe0 | ((lba >>> 24) & 0x0f));
  outb(pc, ch.cmd + 2, count);
  outb(pc, ch.cmd + 3, lba & 0xff);
  outb(pc, ch.cmd + 4, (lba >>> 8) & 0xff);
  outb(pc, ch.cmd + 5, (lba >>> 16) & 0xff);
  outb(pc, ch.cmd + 7, command);
}

/** ata_bmdma_setup + start around `command`: table, direction, clear INT/ERR, go. */
async function dma(
  pc: TestPc,
  ch: Channel,
  table: number,
  toMemory: boolean,
  command: () => void,
): Promise<number> {
  const direction = toMemory ? 0x08 : 0;
  pc.ports.write(ch.bm + 4, 4, table);
  outb(pc, ch.bm, direction);
  outb(pc, ch.bm + 2, BM_STATUS_INT | BM_STATUS_ERROR);
  command();
  outb(pc, ch.bm, direction | 0x01);
  await pc.ide.drain();
  const bmStatus = inb(pc, ch.bm + 2);
  outb(pc, ch.bm, direction); // ata_bmdma_stop
  return bmStatus;
}

function readWords(pc: TestPc, port: number, words: number): Uint8Array {
  const out = new Uint8Array(words * 2);
  for (let i = 0; i < words; i++) {
    const w = pc.ports.read(port, 2);
    out[2 * i] = w & 0xff;
    out[2 * i + 1] = w >> 8;
  }
  return out;
}

/** Sends an ATAPI packet; with `dmaFeature` the data phase goes through the bus master. */
function sendPacket(pc: TestPc, ch: Channel, cdb: number[], dmaFeature = false): void {
  outb(pc, ch.cmd + 6, 0xa0);
  outb(pc, ch.cmd + 1, dmaFeature ? 1 : 0);
  outb(pc, ch.cmd + 4, 0xfe); // byte count limit 0xfffe
  outb(pc, ch.cmd + 5, 0xff);
  outb(pc, ch.cmd + 7, WIN_PACKETCMD);
  expect(inb(pc, ch.ctrl) & STATUS_DRQ).toBe(STATUS_DRQ);
  const packet = new Uint8Array(12);
  packet.set(cdb);
  for (let i = 0; i < 12; i += 2) pc.ports.write(ch.cmd, 2, packet[i] | (packet[i + 1] << 8));
}

const ramBytes = (pc: TestPc, at: number, length: number) => pc.ram.bytes.slice(at, at + length);

// ---- tests ----------------------------------------------------------------------------------

describe('piix3-ide on the i440FX/PIIX3 chipset', () => {
  it('is 8086:7010, class 0101 prog-if 80, at 00:01.1, with BAR4 a 16-byte I/O BAR', async () => {
    const pc = await pcWith([hda()]);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x00, 4)).toBe(0x70108086);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x08, 4) >>> 8).toBe(0x010180);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x0e, 1)).toBe(0x00); // function 1: plain header
    expect(pc.configRead(0x08, 0x0e, 1)).toBe(0x80); // the PIIX3 at 01.0 is multi-function
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x04, 2)).toBe(0x0000); // command
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x06, 2)).toBe(0x0280); // DEVSEL medium, fast b2b
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x3d, 1)).toBe(0); // no INTx: legacy IRQ 14/15
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x20, 4)).toBe(0x00000001);
    // Sizing BAR4 as firmware does: all ones in, 16 bytes of I/O out.
    pc.configWrite(PIIX_IDE_DEVFN, 0x20, 4, 0xffffffff);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x20, 4)).toBe(0xfffffff1);
    for (const bar of [0x10, 0x14, 0x18, 0x1c, 0x24]) {
      pc.configWrite(PIIX_IDE_DEVFN, bar, 4, 0xffffffff);
      expect(pc.configRead(PIIX_IDE_DEVFN, bar, 4)).toBe(0);
    }
    pc.firmware();
    expect(formatInfoPciDevice(pc.ide)).toContain('IDE controller: PCI device 8086:7010');
    expect(formatInfoPciDevice(pc.ide)).toContain('I/O at 0xc000 [0xc00f]');
  });

  it('keeps the IDE timing registers 0x40-0x44, and a reset clears them', async () => {
    const pc = await pcWith([hda()]);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x40, 4)).toBe(0);
    pc.configWrite(PIIX_IDE_DEVFN, 0x40, 4, 0xa307e377);
    pc.configWrite(PIIX_IDE_DEVFN, 0x44, 1, 0x5b);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x40, 2)).toBe(0xe377);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x42, 2)).toBe(0xa307);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x41, 1)).toBe(0xe3);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x44, 1)).toBe(0x5b);
    pc.firmware();
    pc.ide.reset();
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x40, 4)).toBe(0);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x44, 1)).toBe(0);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x04, 2)).toBe(0);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x06, 2)).toBe(0x0280);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x20, 4)).toBe(0x00000001);
  });

  it('decodes BAR4 only while the command register enables I/O; the legacy ports always', async () => {
    const pc = await pcWith([hda()]);
    pc.configWrite(PIIX_IDE_DEVFN, 0x20, 4, TEST_BMIBA);
    // Command register 0: nothing at the BAR, but the drive answers at 0x1f7.
    pc.ports.write(TEST_BMIBA + 4, 4, 0x12340);
    expect(pc.ports.read(TEST_BMIBA + 4, 4)).toBe(0xffffffff);
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    pc.configWrite(PIIX_IDE_DEVFN, 0x04, 2, 0x0001);
    pc.ports.write(TEST_BMIBA + 4, 4, 0x12340);
    expect(pc.ports.read(TEST_BMIBA + 4, 4)).toBe(0x12340);
    expect(pc.ports.read(TEST_BMIBA + 6, 2)).toBe(0x0001); // the pointer's high word
    // Command and status are byte registers: a word access reads all ones, as in QEMU.
    expect(pc.ports.read(TEST_BMIBA, 2)).toBe(0xffff);
    // Moving the BAR moves the registers.
    pc.configWrite(PIIX_IDE_DEVFN, 0x20, 4, 0xd000);
    expect(pc.ports.read(0xd004, 4)).toBe(0x12340);
    expect(pc.ports.read(TEST_BMIBA + 4, 4)).toBe(0xffffffff);
    pc.configWrite(PIIX_IDE_DEVFN, 0x04, 2, 0x0000);
    expect(pc.ports.read(0xd004, 4)).toBe(0xffffffff);
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
  });

  it('answers IDENTIFY DEVICE on 0x1f0 for a qemu-img raw image given as -hda', async () => {
    const pc = await pcWith([hda()]);
    outb(pc, 0x1f6, 0xa0);
    outb(pc, 0x1f7, WIN_IDENTIFY);
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC | STATUS_DRQ);
    const id = readWords(pc, 0x1f0, 256);
    const word = (n: number) => id[2 * n] | (id[2 * n + 1] << 8);
    const text = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => {
        const w = word(from + i);
        return String.fromCharCode(w >> 8, w & 0xff);
      })
        .join('')
        .trim();
    expect(text(27, 47)).toBe('QEMU HARDDISK');
    expect(text(10, 20)).toBe('QM00001');
    expect(word(60) + word(61) * 0x10000).toBe(DISK_BYTES / 512);
    expect(word(49) & 0x0300).toBe(0x0300); // LBA and DMA supported
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    // 32-bit data port reads (insl) reach the same data: the first dword of sector 96.
    issue(pc, PRIMARY, 0x20, 96, 1);
    await pc.ide.drain();
    expect(inb(pc, 0x1f7) & STATUS_DRQ).toBe(STATUS_DRQ);
    expect(pc.ports.read(0x1f0, 4)).toBe(0x6b736964); // "disk"
    expect(readWords(pc, 0x1f0, 254).subarray(0, 4)).toEqual(new Uint8Array([96, 0, 0, 0]));
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    // No slave and nothing on the secondary channel: QEMU's zeros.
    outb(pc, 0x1f6, 0xb0);
    expect(inb(pc, 0x1f7)).toBe(0);
    expect(inb(pc, 0x177)).toBe(0);
  });

  it('READ DMA through BAR4 lands the sectors along the PRD table and raises IRQ 14', async () => {
    const pc = await pcWith([hda()]);
    pc.firmware();
    writePrdTable(pc.mem, 0x10000, [
      [0x20000, 512],
      [0x30000, 1536],
    ]);
    const bm = await dma(pc, PRIMARY, 0x10000, true, () => issue(pc, PRIMARY, WIN_READDMA, 100, 4));
    expect(bm & (BM_STATUS_ACTIVE | BM_STATUS_ERROR | BM_STATUS_INT)).toBe(BM_STATUS_INT);
    expect(pc.intr.level).toBe(true);
    expect(pc.pic.acknowledge()).toBe(IRQ14_VECTOR);
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    pc.eoi();
    expect(ramBytes(pc, 0x20000, 512)).toEqual(diskSector(100));
    expect(ramBytes(pc, 0x30000, 512)).toEqual(diskSector(101));
    expect(ramBytes(pc, 0x30400, 512)).toEqual(diskSector(103));
    expect(ramBytes(pc, 0x30600, 16)).toEqual(new Uint8Array(16)); // nothing past the table
  });

  it('runs ATAPI INQUIRY and READ(10) by DMA on the -cdrom at the secondary master, on IRQ 15', async () => {
    const pc = await pcWith([hda(), cdrom()]);
    pc.firmware();
    // Secondary master holds the CD-ROM: the packet signature.
    outb(pc, 0x176, 0xa0);
    expect([inb(pc, 0x174), inb(pc, 0x175)]).toEqual([0x14, 0xeb]);

    sendPacket(pc, SECONDARY, [0x12, 0, 0, 0, 36, 0]);
    await pc.ide.drain();
    expect(inb(pc, 0x177) & STATUS_DRQ).toBe(STATUS_DRQ);
    const count = inb(pc, 0x174) | (inb(pc, 0x175) << 8);
    expect(count).toBe(36);
    const inquiry = readWords(pc, 0x170, 18);
    expect(inquiry[0]).toBe(0x05); // CD/DVD device
    expect(new TextDecoder().decode(inquiry.subarray(8, 32))).toBe('QEMU    QEMU DVD-ROM    ');
    expect(inb(pc, 0x177)).toBe(STATUS_DRDY | STATUS_DSC);
    expect(pc.pic.acknowledge()).toBe(IRQ15_VECTOR);
    pc.eoi();

    writePrdTable(pc.mem, 0x11000, [[0x40000, 2 * 2048]]);
    const bm = await dma(pc, SECONDARY, 0x11000, true, () =>
      sendPacket(pc, SECONDARY, [0x28, 0, 0, 0, 0, 16, 0, 0, 2, 0], true),
    );
    expect(bm & (BM_STATUS_ACTIVE | BM_STATUS_ERROR | BM_STATUS_INT)).toBe(BM_STATUS_INT);
    expect(pc.pic.acknowledge()).toBe(IRQ15_VECTOR);
    expect(inb(pc, 0x177)).toBe(STATUS_DRDY | STATUS_DSC);
    expect(ramBytes(pc, 0x40000, 2048)).toEqual(cdSector(16));
    expect(ramBytes(pc, 0x40800, 2048)).toEqual(cdSector(17));
    // The primary channel's bus master saw nothing.
    expect(inb(pc, TEST_BMIBA + 2) & BM_STATUS_INT).toBe(0);
  });

  it('puts a WRITE DMA and FLUSH CACHE into the raw file', async () => {
    const pc = await pcWith([hda()]);
    pc.firmware();
    const data = new Uint8Array(1024).map((_, i) => (i * 7 + 3) & 0xff);
    pc.ram.bytes.set(data, 0x50000);
    writePrdTable(pc.mem, 0x12000, [[0x50000, 1024]]);
    const bm = await dma(pc, PRIMARY, 0x12000, false, () =>
      issue(pc, PRIMARY, WIN_WRITEDMA, 200, 2),
    );
    expect(bm & BM_STATUS_ERROR).toBe(0);
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    outb(pc, 0x1f7, WIN_FLUSH_CACHE);
    expect(inb(pc, 0x3f6) & 0x80).toBe(0x80); // BSY while the host flushes
    await pc.ide.drain();
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    const file = readFileSync(diskImage);
    expect(new Uint8Array(file.subarray(200 * 512, 202 * 512))).toEqual(data);
  });

  it('writes a qcow2 -drive at index 1 (primary slave) that qemu-img checks clean', async () => {
    const pc = await pcWith([
      hda(),
      parseDriveOptions(`file=${qcowImage},format=qcow2,if=ide,index=1`),
    ]);
    pc.firmware();
    pc.ram.bytes.fill(0x5a, 0x60000, 0x60000 + 4096);
    writePrdTable(pc.mem, 0x13000, [[0x60000, 4096]]);
    const bm = await dma(pc, PRIMARY, 0x13000, false, () => {
      outb(pc, 0x1f6, 0xf0); // slave, LBA
      outb(pc, 0x1f2, 8);
      outb(pc, 0x1f3, 64);
      outb(pc, 0x1f4, 0);
      outb(pc, 0x1f5, 0);
      outb(pc, 0x1f7, WIN_WRITEDMA);
    });
    expect(bm & BM_STATUS_ERROR).toBe(0);
    outb(pc, 0x1f7, WIN_FLUSH_CACHE);
    await pc.ide.drain();
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    expect(qemuIo(qcowImage, 'qcow2', 'read -P 0x5a 32768 4096')).toContain('read 4096/4096');
    expect(qemuImg('check', qcowImage)).toContain('No errors were found');
  });

  it('ends a DMA whose PRD points beyond RAM with ERROR and ABRT, not a host exception', async () => {
    const pc = await pcWith([hda()]);
    pc.firmware();
    writePrdTable(pc.mem, 0x10000, [[0x7000_0000, 512]]);
    const bm = await dma(pc, PRIMARY, 0x10000, true, () => issue(pc, PRIMARY, WIN_READDMA, 100, 1));
    expect(bm & (BM_STATUS_ACTIVE | BM_STATUS_ERROR | BM_STATUS_INT)).toBe(
      BM_STATUS_ERROR | BM_STATUS_INT,
    );
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_ERR);
    expect(inb(pc, 0x1f1)).toBe(ERROR_ABRT);
    expect(pc.pic.acknowledge()).toBe(IRQ14_VECTOR);
    pc.eoi();

    // A table pointer beyond RAM, and the same after that: the device recovers each time.
    const again = await dma(pc, PRIMARY, 0x7fff_0000, true, () =>
      issue(pc, PRIMARY, WIN_READDMA, 100, 1),
    );
    expect(again & BM_STATUS_ERROR).toBe(BM_STATUS_ERROR);
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_ERR);

    // Bus mastering disabled in the command register: the bus master reaches no memory.
    pc.configWrite(PIIX_IDE_DEVFN, 0x04, 2, 0x0001);
    writePrdTable(pc.mem, 0x10000, [[0x20000, 512]]);
    const off = await dma(pc, PRIMARY, 0x10000, true, () =>
      issue(pc, PRIMARY, WIN_READDMA, 100, 1),
    );
    expect(off & BM_STATUS_ERROR).toBe(BM_STATUS_ERROR);
    expect(ramBytes(pc, 0x20000, 4)).toEqual(new Uint8Array(4));
  });

  it('resets the drives and the bus masters with the function', async () => {
    const pc = await pcWith([hda()]);
    pc.firmware();
    pc.ports.write(TEST_BMIBA + 4, 4, 0x10000);
    outb(pc, 0x1f6, 0xa0);
    outb(pc, 0x1f7, WIN_IDENTIFY); // DRQ, interrupt pending
    expect(pc.intr.level).toBe(true);
    pc.ide.reset();
    pc.firmware();
    expect(pc.ports.read(TEST_BMIBA + 4, 4)).toBe(0);
    expect(inb(pc, 0x1f7)).toBe(STATUS_DRDY | STATUS_DSC);
    expect([inb(pc, 0x1f2), inb(pc, 0x1f3), inb(pc, 0x1f4), inb(pc, 0x1f5)]).toEqual([1, 1, 0, 0]);
  });

  it('saves and loads its state mid-transfer, into a second machine', async () => {
    const pc = await pcWith([hda(), cdrom()]);
    pc.firmware();
    pc.configWrite(PIIX_IDE_DEVFN, 0x40, 2, 0x8077);
    pc.ports.write(SECONDARY.bm + 4, 4, 0x11000);
    issue(pc, PRIMARY, 0x20, 96, 2); // READ SECTORS, PIO
    await pc.ide.drain();
    inb(pc, 0x1f7);
    const firstHalf = readWords(pc, 0x1f0, 128);
    const saved = JSON.parse(JSON.stringify(saveDeviceState(pc.ide)));

    const copy = await pcWith([hda(), cdrom()]);
    expect(loadDeviceState(copy.ide, saved)).toEqual({ ok: true, value: undefined });
    expect(copy.configRead(PIIX_IDE_DEVFN, 0x40, 2)).toBe(0x8077);
    expect(copy.ports.read(SECONDARY.bm + 4, 4)).toBe(0x11000); // BAR4 remapped after load
    const rest = readWords(copy, 0x1f0, 128);
    const sector96 = new Uint8Array(512);
    sector96.set(firstHalf);
    sector96.set(rest, 256);
    expect(sector96).toEqual(diskSector(96));
    await copy.ide.drain();
    expect(inb(copy, 0x1f7) & STATUS_DRQ).toBe(STATUS_DRQ);
    expect(readWords(copy, 0x1f0, 256)).toEqual(diskSector(97));
  });

  it('takes its ports and BAR away when unrealized', async () => {
    const pc = await pcWith([hda()]);
    pc.firmware();
    expect(pc.ports.read(TEST_BMIBA + 4, 4)).toBe(0);
    pc.ide.unrealize();
    expect(inb(pc, 0x1f7)).toBe(0xff);
    expect(inb(pc, 0x376)).toBe(0xff);
    expect(pc.ports.read(TEST_BMIBA + 4, 4)).toBe(0xffffffff);
    expect(pc.configRead(PIIX_IDE_DEVFN, 0x00, 4)).toBe(0xffffffff);
  });

  it('refuses to save while a block request is in flight', async () => {
    const pc = await pcWith([hda()]);
    issue(pc, PRIMARY, 0x20, 96, 1);
    expect(() => saveDeviceState(pc.ide)).toThrow(/drain/);
    await pc.ide.drain();
    expect(() => saveDeviceState(pc.ide)).not.toThrow();
  });
});

describe('IDE drive table', () => {
  const disk = (name: string) => memoryDisk(new Uint8Array(1 << 16), name);

  it('puts -hda..-hdd at indexes 0-3 and -cdrom at index 2 (the secondary master)', () => {
    const backends: BlockBackend[] = [disk('ide0-hd0'), memoryCdrom(null, 'ide1-cd0')];
    const resolved = resolveDrives([driveShorthand('-hda', 'a.img'), driveShorthand('-cdrom', '')]);
    const specs = ideDrivesFromBlock(resolved, backends);
    expect(specs.map((s) => [s.index, s.backend.name, s.media])).toEqual([
      [0, 'ide0-hd0', 'disk'],
      [2, 'ide1-cd0', 'cdrom'],
    ]);
    const table = ideDriveTable(specs);
    expect(table.map((d) => d?.kind)).toEqual(['disk', undefined, 'cdrom', undefined]);
  });

  it('leaves out if=none drives and names a drive without a backend', () => {
    const resolved = resolveDrives([
      parseDriveOptions('file=x.img,if=none,id=spare'),
      driveShorthand('-hdb', 'b.img'),
    ]);
    expect(ideDrivesFromBlock(resolved, [disk('ide0-hd1')]).map((s) => s.index)).toEqual([1]);
    expect(() => ideDrivesFromBlock(resolved, [])).toThrow(/'ide0-hd1' has no open block backend/);
  });

  it('refuses two drives at one index, an index above 3, and a disk without a medium', () => {
    expect(() =>
      ideDriveTable([
        { index: 2, backend: disk('a') },
        { index: 2, backend: disk('b') },
      ]),
    ).toThrow("IDE index 2 (secondary master) has two drives: 'a' and 'b'");
    expect(() => ideDriveTable([{ index: 4, backend: disk('c') }])).toThrow(
      /index 4 does not exist; the PIIX3 IDE has indexes 0-3/,
    );
    expect(() => ideDriveTable([{ index: -1, backend: disk('c') }])).toThrow(/index -1/);
    expect(() =>
      ideDriveTable([{ index: 0, backend: memoryCdrom(null, 'empty'), media: 'disk' }]),
    ).toThrow(/a disk needs a medium/);
  });

  it('is given to the device before realize only', async () => {
    const pc = testPc([]);
    expect(() => pc.ide.setDrives([])).toThrow(/before realize/);
    expect(pc.ide.drives).toEqual([undefined, undefined, undefined, undefined]);
    // No drives: every register of both channels reads 0 (QEMU's empty bus).
    expect(inb(pc, 0x1f7)).toBe(0);
    expect(inb(pc, 0x177)).toBe(0);
  });
});

describe('createI440fxPiix without the ide option', () => {
  it('leaves 00:01.1 empty, as before', () => {
    const memory = new MemoryCore();
    const system = memory.container('system', 2n ** 64n);
    const io = memory.container('io', 0x10000);
    const ram = memory.ram('pc.ram', 0x100000);
    system.addSubregion(0, ram);
    const registry = new TypeRegistry();
    registry.registerAll(I440FX_PIIX_TYPES);
    const chipset = createI440fxPiix({
      registry,
      memory,
      system,
      io,
      ram,
      belowFourGig: 0x100000,
      time: new ManualTime(),
    });
    expect(chipset.ide).toBeUndefined();
    expect(chipset.pciBus.findDevice(PIIX_IDE_DEVFN)).toBeUndefined();
    const ports = memory.addressSpace('I/O', io);
    expect(ports.read(0x1f7, 1)).toBe(0xff);
  });
});
