/**
 * The guest-image tool, run as a person runs it. The first test really fetches from Debian
 * into the repository's cache (.cache/, ignored by git) when it is cold: that download is most
 * of this package's test time, and every later run, here and in other packages' tests, reuses
 * it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../paths.js';
import { isoinfoDescribe, isoinfoExtract, isoinfoList, isovfy } from '../testing/isoinfo.js';
import { runToolOk } from '../testing/run-tool.js';
import { sha256Hex } from '../util/files.js';
import { ToolError } from '../util/tool-error.js';
import { fetchGuestImages, imagesDirOf } from './fetch.js';
import { readModinfo } from './kernel-modules.js';
import { isFetched, type Manifest, manifestIsCurrent, readManifest } from './manifest.js';

const TOOLS_DIR = resolve(import.meta.dirname, '../..');
const CACHE = defaultCacheDir();
const IMAGES = imagesDirOf(CACHE);
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function fetchArgs(args: string[]): string[] {
  return ['--import', 'tsx', 'src/fetch-guest-images.ts', ...args];
}

/** Runs the command as `node --import tsx tools/src/fetch-guest-images.ts` would. */
function runFetch(args: string[] = [], env: NodeJS.ProcessEnv = process.env): Run {
  const started = Date.now();
  const result = spawnSync(process.execPath, fetchArgs(args), {
    cwd: TOOLS_DIR,
    env,
    encoding: 'utf8',
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    seconds: (Date.now() - started) / 1000,
  };
}

function runFetchAsync(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, fetchArgs(args), { cwd: TOOLS_DIR, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) =>
      resolvePromise({ status, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

/** An environment where apt, dpkg and every other program are out of reach. */
function withoutPrograms(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: '/tsemu-no-such-dir', ...extra };
}

const image = (file: string) => readFile(join(IMAGES, file));

/**
 * The modules the recipe asks for (ata_piix, sd_mod, crct10dif_generic, crc32c_generic, ext4)
 * with what they need, in the load order read from Debian's modules (depends= and softdep=).
 */
const DISK_MODULES = [
  'scsi_common',
  'scsi_mod',
  'libata',
  'ata_piix',
  'crct10dif_common',
  'crct10dif_generic',
  'crc_t10dif',
  'crc64',
  'crc64_rocksoft',
  't10_pi',
  'sd_mod',
  'crc32c_generic',
  'jbd2',
  'mbcache',
  'crc16',
  'ext4',
];

describe('fetch-guest-images', () => {
  let manifest: Manifest;

  it('fetches the packages by name and builds the initramfs and the CD', {
    timeout: 300_000,
  }, async () => {
    const run = runFetch();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    manifest = (await readManifest(IMAGES)) as Manifest;
    expect(manifest.files.map((f) => f.file)).toEqual([
      'bios-256k.bin',
      'bios.bin',
      'vgabios-stdvga.bin',
      'linuxboot_dma.bin',
      'multiboot_dma.bin',
      'vmlinuz',
      ...DISK_MODULES.map((m) => `modules/${m}.ko`),
      'busybox',
      'isolinux.bin',
      'ldlinux.c32',
      'initramfs.cpio.gz',
      'tsemu-linux.iso',
      'initramfs-disk.cpio.gz',
    ]);
    for (const entry of manifest.files) {
      const data = await image(entry.file);
      expect(data.length, entry.file).toBe(entry.size);
      expect(sha256Hex(data), entry.file).toBe(entry.sha256);
    }
    const origin = Object.fromEntries(manifest.files.filter(isFetched).map((f) => [f.file, f]));
    expect(origin['bios-256k.bin'].package).toBe('seabios');
    expect(origin['linuxboot_dma.bin'].package).toBe('qemu-system-data');
    expect(origin.vmlinuz.package).toMatch(/^linux-image-6\.1\.\d+-\d+-686-unsigned$/);
    expect(origin.vmlinuz.architecture).toBe('i386');
    expect(origin.busybox).toMatchObject({ package: 'busybox-static', architecture: 'i386' });
    expect(origin['ldlinux.c32'].pathInPackage).toBe('usr/lib/syslinux/modules/bios/ldlinux.c32');
    expect(origin['modules/ata_piix.ko'].package).toBe(origin.vmlinuz.package);
    expect(origin['modules/ata_piix.ko'].pathInPackage).toMatch(
      /^lib\/modules\/6\.1\.\d+-\d+-686\/kernel\/drivers\/ata\/ata_piix\.ko$/,
    );
  });

  it('places files that are what tsemu expects of them', async () => {
    // SeaBIOS: the reset vector's far jump sits 16 bytes from the end of the ROM.
    const bios = await image('bios-256k.bin');
    expect(bios.length).toBe(256 * 1024);
    expect(bios[bios.length - 16]).toBe(0xea);
    expect((await image('bios.bin')).length).toBe(128 * 1024);
    // Option ROMs start with the 0x55 0xaa signature.
    for (const rom of ['vgabios-stdvga.bin', 'linuxboot_dma.bin', 'multiboot_dma.bin']) {
      const data = await image(rom);
      expect([data[0], data[1]], rom).toEqual([0x55, 0xaa]);
    }
    // A bzImage: the boot protocol's "HdrS" at 0x202.
    expect((await image('vmlinuz')).subarray(0x202, 0x206).toString()).toBe('HdrS');
    // busybox: a 32-bit ELF for the i386 (e_machine 3).
    const busybox = await image('busybox');
    expect(busybox.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(busybox[4]).toBe(1);
    expect(busybox.readUInt16LE(18)).toBe(3);
    expect((await image('ldlinux.c32')).subarray(1, 4).toString()).toBe('ELF');
    // Kernel modules: i386 ELF relocatable objects (e_type 1) that name what they need.
    for (const name of DISK_MODULES) {
      const module = await image(`modules/${name}.ko`);
      expect(module.subarray(0, 4).toString('latin1'), name).toBe('\x7fELF');
      expect([module[4], module.readUInt16LE(16), module.readUInt16LE(18)], name).toEqual([
        1, 1, 3,
      ]);
      expect(readModinfo(module).get('name'), name).toEqual([name]);
    }
  });

  it('builds a disk initramfs with the modules and a script that loads them in order', async () => {
    const busybox = await image('busybox');
    const archive = gunzipSync(await image('initramfs-disk.cpio.gz'));
    const root = await mkdtemp(join(tmpdir(), 'tsemu-disk-initramfs-'));
    scratch.push(root);
    runToolOk('cpio', ['-idm', '-H', 'newc', '--quiet', '--no-absolute-filenames'], {
      input: archive,
      cwd: root,
      debianPackage: 'cpio',
    });
    expect((await readFile(join(root, 'bin/busybox'))).equals(busybox)).toBe(true);
    for (const name of DISK_MODULES) {
      expect(
        (await readFile(join(root, `lib/modules/${name}.ko`))).equals(
          await image(`modules/${name}.ko`),
        ),
        name,
      ).toBe(true);
    }
    const script = await readFile(join(root, 'sbin/load-disk-modules'), 'utf8');
    expect(script).toContain(`for module in ${DISK_MODULES.join(' ')}; do`);
    // The standard /init: the same marker and boot as initramfs.cpio.gz.
    const plain = gunzipSync(await image('initramfs.cpio.gz')).toString('latin1');
    const init = await readFile(join(root, 'init'), 'utf8');
    expect(plain).toContain(init);
  });

  it('builds an initramfs holding Debian busybox and a CD holding the kernel and the initramfs', async () => {
    const busybox = await image('busybox');
    const initramfs = await image('initramfs.cpio.gz');
    const listing = runToolOk('cpio', ['-itv', '-H', 'newc', '--quiet'], {
      input: gunzipSync(initramfs),
      debianPackage: 'cpio',
    }).toString();
    expect(listing).toMatch(
      new RegExp(`-rwxr-xr-x +1 root +root +${busybox.length} .* bin/busybox\\n`),
    );

    const iso = join(IMAGES, 'tsemu-linux.iso');
    expect(isovfy(iso)).toContain('No errors found');
    expect(isoinfoDescribe(iso)).toContain('Boot media 0 (No Emulation Boot)');
    expect(isoinfoExtract(iso, '/BOOT/VMLINUZ.;1').equals(await image('vmlinuz'))).toBe(true);
    expect(isoinfoExtract(iso, '/BOOT/INITRD.GZ;1').equals(initramfs)).toBe(true);
    const isolinux = isoinfoExtract(iso, '/ISOLINUX/ISOLINUX.BIN;1');
    const extent = isoinfoList(iso).find((e) => e.path === '/ISOLINUX/ISOLINUX.BIN;1')?.extent;
    expect(isolinux.readUInt32LE(12)).toBe(extent);
    expect(isolinux.subarray(64).equals((await image('isolinux.bin')).subarray(64))).toBe(true);
  });

  it('does no apt or network work on a second run with a full cache', async () => {
    const before = (await stat(join(IMAGES, 'MANIFEST.json'))).mtimeMs;
    // With no program on PATH, any apt or dpkg call would fail the run.
    const run = runFetch([], withoutPrograms());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^guest images are up to date in .*images \(checked in [\d.]+ s\)\n$/,
    );
    expect(run.seconds).toBeLessThan(15);
    expect((await stat(join(IMAGES, 'MANIFEST.json'))).mtimeMs).toBe(before);
  });

  it('says in one line that apt is missing', async () => {
    const emptyCache = await mkdtemp(join(tmpdir(), 'tsemu-cache-'));
    scratch.push(emptyCache);
    const run = runFetch([], withoutPrograms({ TSEMU_CACHE_DIR: emptyCache }));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      "fetch-guest-images: apt-get not found: fetching guest images needs Debian's apt and dpkg (run it on a Debian or Ubuntu host)\n",
    );
  });

  it('says which package apt cannot find', { timeout: 120_000 }, async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tsemu-cache-'));
    scratch.push(cacheDir);
    const attempt = fetchGuestImages({
      cacheDir,
      packages: [
        { name: 'tsemu-no-such-package', architecture: 'all', files: [{ from: 'x', to: 'x' }] },
      ],
    });
    await expect(attempt).rejects.toThrow(ToolError);
    await expect(attempt).rejects.toThrow(
      'package tsemu-no-such-package not found by apt-cache, even after apt-get update',
    );
  });

  it('lets two runs share one cache: one does the work, the other waits and reuses it', {
    timeout: 180_000,
  }, async () => {
    // A fresh cache whose .debs are already there (hard links to the real cache's), so both
    // runs resolve, unpack and build without downloading.
    const cacheDir = await mkdtemp(join(tmpdir(), 'tsemu-cache-'));
    scratch.push(cacheDir);
    await mkdir(join(cacheDir, 'debs'));
    for (const deb of await readdir(join(CACHE, 'debs'))) {
      await link(join(CACHE, 'debs', deb), join(cacheDir, 'debs', deb));
    }
    // What a killed run leaves behind; the run that takes the lock clears it.
    await mkdir(join(cacheDir, '.staging-999999', 'seabios'), { recursive: true });
    await mkdir(join(cacheDir, 'debs', '.download-999999'));
    await mkdir(imagesDirOf(cacheDir));
    await writeFile(join(imagesDirOf(cacheDir), '.vmlinuz.tmp-999999-0badf00d'), 'partial');
    const env = { ...process.env, TSEMU_CACHE_DIR: cacheDir };
    const runs = await Promise.all([runFetchAsync([], env), runFetchAsync([], env)]);
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
    const outputs = runs.map((r) => r.stdout);
    expect(outputs.filter((o) => o.includes('guest images ready'))).toHaveLength(1);
    const waiter = outputs.find((o) => !o.includes('guest images ready')) ?? '';
    expect(waiter).toMatch(/waiting for another fetch-guest-images run \(pid \d+\) to finish/);
    expect(waiter).toMatch(/guest images are up to date/);
    expect(waiter).not.toMatch(/downloading|building/);

    // The cache holds exactly the images, the manifest and the .debs: no lock, no leftovers.
    const fresh = (await readManifest(imagesDirOf(cacheDir))) as Manifest;
    const verified = await manifestIsCurrent(
      imagesDirOf(cacheDir),
      fresh.recipe,
      manifest.files.map((f) => f.file),
    );
    expect(verified).toBeDefined();
    expect((await readdir(cacheDir)).sort()).toEqual(['debs', 'images']);
    expect((await readdir(join(cacheDir, 'debs'))).every((f) => f.endsWith('.deb'))).toBe(true);
    expect((await readdir(imagesDirOf(cacheDir), { recursive: true })).sort()).toEqual(
      ['MANIFEST.json', 'modules', ...manifest.files.map((f) => f.file)].sort(),
    );
    expect(fresh.files.map((f) => f.sha256)).toEqual(manifest.files.map((f) => f.sha256));
  });
});
