/**
 * End-to-end: Debian's 686 Linux, booted by the tsemu command with two IDE disks (an ext2
 * file system in a raw image as primary master, and one in a qcow2 image as primary slave),
 * loads Debian's ata_piix, sd_mod and ext4 modules from the disk initramfs, reads the files the
 * host put in both file systems and writes new ones through bus-master DMA, and powers off.
 * Then the host's e2fsprogs find the guest's files in the raw image, `qemu-img check` finds the
 * qcow2 image clean, and the qcow2 image converted to raw holds the guest's files too.
 * The boot's wall time is logged; the benchmark script, not these bounds, measures speed.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { image, TsemuProcess } from './tsemu-process.js';

const MARKER = 'TSEMU-INITRAMFS-READY';
const BOOT_TIMEOUT_MS = 900_000;
/** One shell command, at most: loading ext4 or hashing a megabyte is slow under emulation. */
const COMMAND_TIMEOUT_MS = 300_000;
let running: TsemuProcess | undefined;
afterEach(() => running?.kill());
const work = mkdtempSync(join(tmpdir(), 'tsemu-linux-disk-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a host program from e2fsprogs or qemu-utils; a missing one names its package. */
function host(command: string, args: string[], debianPackage: string) {
  const run = spawnSync(command, args, { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    throw new Error(
      `could not run ${command} (${run.error.message}); install it with: apt-get install -y ${debianPackage} (tools/workspace/install-system-deps.sh does)`,
    );
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function hostOk(command: string, args: string[], debianPackage: string): string {
  const run = host(command, args, debianPackage);
  if (run.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  }
  return run.stdout;
}

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

/** A file's content in an ext2 image, read by e2fsprogs' debugfs (not by a mount). */
function debugfsRead(imagePath: string, file: string): Buffer {
  const out = join(work, `dump-${randomBytes(4).toString('hex')}`);
  hostOk('debugfs', ['-R', `dump ${file} ${out}`, imagePath], 'e2fsprogs');
  try {
    return readFileSync(out);
  } catch {
    throw new Error(`debugfs found no ${file} in ${imagePath}`);
  }
}

/** An ext2 image of 16 MiB made by mke2fs from a folder holding `files`. */
function ext2Image(name: string, files: Record<string, Uint8Array | string>): string {
  const tree = join(work, `${name}-tree`);
  mkdirSync(tree);
  for (const [file, data] of Object.entries(files)) writeFileSync(join(tree, file), data);
  const path = join(work, `${name}.img`);
  hostOk('mke2fs', ['-q', '-t', 'ext2', '-L', name, '-d', tree, path, '16M'], 'e2fsprogs');
  return path;
}

/**
 * The shell's prompt at the end of the output: busybox's line editor follows it with a
 * cursor-position query (ESC [6n) that no terminal answers here.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what the shell sends.
const PROMPT = /\n[^\n]*# (?:\x1b\[6n)?$/;
const ESC_6N = '\u001b[6n';

/**
 * Types a shell command line and waits for the output that ends with the next prompt; returns
 * what the command printed, with LF line ends. Lines stay short: busybox's line editor wraps a line that reaches
 * the 80th column, and the echo of the line would not be found.
 */
async function shell(tsemu: TsemuProcess, line: string): Promise<string> {
  const prompt = tsemu.stdout.slice(tsemu.stdout.lastIndexOf('\n') + 1).replace(ESC_6N, '');
  if (prompt.length + line.length >= 79) throw new Error(`shell line too long: ${line}`);
  const from = tsemu.stdout.length;
  tsemu.send(`${line}\n`);
  const echoed = (await tsemu.waitFor(`${line}\r\n`, COMMAND_TIMEOUT_MS, from)) + line.length;
  const end = await tsemu.waitFor(PROMPT, COMMAND_TIMEOUT_MS, echoed);
  // From the end of the echo to the last newline before the prompt, with the tty's CRLF as LF.
  return tsemu.stdout.slice(echoed, end + 1).replace(/\r\n/g, '\n');
}

/** What the guest writes to /newfile in each image. */
const RAW_LINE = 'raw: written by Linux under tsemu';
const QCOW2_LINE = 'qcow2: written by Linux under tsemu';

describe('Debian Linux with IDE disks on the pc machine', () => {
  it(
    'reads and writes ext2 on a raw and a qcow2 image through ata_piix with DMA; the data is in the images afterwards',
    async () => {
      const fromHost = randomBytes(1024 * 1024);
      const rawImage = ext2Image('tsemu-raw', {
        'known.txt': 'put here by the host in the raw image\n',
        'host.bin': fromHost,
      });
      const qcow2Source = ext2Image('tsemu-qcow2', {
        'known.txt': 'put here by the host in the qcow2 image\n',
        'host.bin': fromHost,
      });
      const qcow2Image = join(work, 'disk.qcow2');
      hostOk('qemu-img', ['convert', '-O', 'qcow2', qcow2Source, qcow2Image], 'qemu-utils');

      const tsemu = new TsemuProcess([
        '-nographic',
        '-m',
        '256',
        '-kernel',
        image('vmlinuz'),
        '-initrd',
        image('initramfs-disk.cpio.gz'),
        '-append',
        'console=ttyS0',
        '-drive',
        `file=${rawImage},format=raw,if=ide,index=0`,
        '-drive',
        `file=${qcow2Image},format=qcow2,if=ide,index=1`,
      ]);
      running = tsemu;
      await tsemu.waitFor(MARKER, BOOT_TIMEOUT_MS);
      console.log(`Linux with IDE disks: marker after ${tsemu.elapsed.toFixed(1)} s`);
      await tsemu.waitFor(PROMPT, 60_000);

      // Kernel messages would land between the shell's lines: read them with dmesg instead.
      await shell(tsemu, 'dmesg -n 1');
      expect(await shell(tsemu, 'load-disk-modules; echo "load status $?"')).toContain(
        'load status 0',
      );
      console.log(`Linux with IDE disks: modules loaded after ${tsemu.elapsed.toFixed(1)} s`);
      const probe = await shell(tsemu, 'dmesg | grep -E "ata[0-9]|ata_piix"');
      // The primary channel with its bus-master registers, and both disks on it.
      expect(probe).toMatch(/ata1: PATA max \w*DMA\d cmd 0x1f0 ctl 0x3f6 bmdma 0x[0-9a-f]+ irq 14/);
      expect(probe).toMatch(/ata1\.00: ATA-\d+: QEMU HARDDISK/);
      expect(probe).toMatch(/ata1\.01: ATA-\d+: QEMU HARDDISK/);
      // libata chose a DMA transfer mode for both (XFER_MW_DMA_n or XFER_UDMA_n), not PIO.
      const modes = await shell(tsemu, 'cat /sys/class/ata_device/dev1.[01]/xfer_mode');
      expect(modes.trim().split(/\s+/)).toEqual([
        expect.stringMatching(/^XFER_(MW_DMA|UDMA)_\d$/),
        expect.stringMatching(/^XFER_(MW_DMA|UDMA)_\d$/),
      ]);

      // sd_mod names the disks in the order its probes finish: ask sysfs which is which.
      const made = await shell(tsemu, 'mkdir -p /mnt/raw /mnt/qcow2 && cd /mnt; echo "status $?"');
      expect(made).toContain('status 0');
      await shell(tsemu, 'R=/dev/$(ls /sys/bus/scsi/devices/0:0:0:0/block)');
      await shell(tsemu, 'Q=/dev/$(ls /sys/bus/scsi/devices/0:0:1:0/block)');
      expect(await shell(tsemu, 'mount -t ext2 $R raw; echo "status $?"')).toContain('status 0');
      expect(await shell(tsemu, 'mount -t ext2 $Q qcow2; echo "status $?"')).toContain('status 0');
      expect(await shell(tsemu, 'cat raw/known.txt qcow2/known.txt')).toContain(
        'put here by the host in the raw image\nput here by the host in the qcow2 image\n',
      );
      const hashes = await shell(tsemu, 'md5sum raw/host.bin qcow2/host.bin');
      expect(hashes).toContain(`${md5(fromHost)}  raw/host.bin`);
      expect(hashes).toContain(`${md5(fromHost)}  qcow2/host.bin`);

      // New files: a line each, and half a megabyte of the guest's random bytes, whose hash the
      // guest computes again after dropping its page cache (so reading them back is disk I/O).
      await shell(tsemu, `echo "${RAW_LINE}" > raw/newfile`);
      await shell(tsemu, `echo "${QCOW2_LINE}" > qcow2/newfile`);
      await shell(tsemu, 'dd if=/dev/urandom of=raw/guest.bin bs=64k count=8');
      const copied = await shell(tsemu, 'cp raw/guest.bin qcow2/ && sync; echo "status $?"');
      expect(copied).toContain('status 0');
      await shell(tsemu, 'echo 3 > /proc/sys/vm/drop_caches');
      const written = await shell(tsemu, 'md5sum raw/guest.bin qcow2/guest.bin');
      const guestHashes = [...written.matchAll(/^([0-9a-f]{32}) {2}\w+\/guest\.bin/gm)].map(
        (m) => m[1],
      );
      expect(guestHashes).toHaveLength(2);
      expect(guestHashes[0]).toBe(guestHashes[1]);
      expect(await shell(tsemu, 'cd / && umount /mnt/raw /mnt/qcow2; echo "status $?"')).toContain(
        'status 0',
      );
      // No command timed out or failed on the way, and the file systems saw no error.
      const messages = await shell(tsemu, 'dmesg | grep -E "ata[0-9]|sd [0-9]|EXT4|I/O error"');
      expect(messages).toContain('EXT4-fs (sda): unmounting filesystem');
      expect(messages.split('\n').filter((l) => /timeout|fail|exception|error/i.test(l))).toEqual(
        [],
      );
      console.log(`Linux with IDE disks: done after ${tsemu.elapsed.toFixed(1)} s`);

      tsemu.send('poweroff\n');
      expect(await tsemu.exited).toBe(0);
      console.log(`Linux with IDE disks: poweroff after ${tsemu.elapsed.toFixed(1)} s`);

      // The raw image: the guest's files, read by debugfs, and a clean file system.
      expect(debugfsRead(rawImage, '/newfile').toString()).toBe(`${RAW_LINE}\n`);
      expect(md5(debugfsRead(rawImage, '/guest.bin'))).toBe(guestHashes[0]);
      expect(host('e2fsck', ['-fn', rawImage], 'e2fsprogs').status).toBe(0);

      // The qcow2 image: clean for qemu-img, and its content, as raw, holds the guest's files.
      const check = host('qemu-img', ['check', qcow2Image], 'qemu-utils');
      expect(check.stdout).toContain('No errors were found on the image.');
      expect(check.status).toBe(0);
      const qcow2AsRaw = join(work, 'qcow2-as-raw.img');
      hostOk('qemu-img', ['convert', '-O', 'raw', qcow2Image, qcow2AsRaw], 'qemu-utils');
      expect(debugfsRead(qcow2AsRaw, '/newfile').toString()).toBe(`${QCOW2_LINE}\n`);
      expect(md5(debugfsRead(qcow2AsRaw, '/guest.bin'))).toBe(guestHashes[0]);
      expect(debugfsRead(qcow2AsRaw, '/known.txt').toString()).toBe(
        'put here by the host in the qcow2 image\n',
      );
      expect(host('e2fsck', ['-fn', qcow2AsRaw], 'e2fsprogs').status).toBe(0);
    },
    BOOT_TIMEOUT_MS + 10 * COMMAND_TIMEOUT_MS,
  );
});
