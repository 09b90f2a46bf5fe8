/**
 * Durability: what a guest wrote and flushed is in the file when the flush completes, and
 * what it wrote is in the file when the emulator exits by a path that never awaits
 * anything (process.exit, with the registry's synchronous close as the exit notifier).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BlockBackendRegistry,
  openDrives,
  parseDriveOptions,
  resolveDrives,
} from '../src/index.js';
import { expectOk, pattern, qemuImg, qemuImgCheck, qemuIo, scratchDir } from './helpers.js';

const dir = scratchDir();
const packageDir = join(import.meta.dirname, '..');

describe('durability', () => {
  it('flushed data is in the file, for another process, while the drive is still open', async () => {
    const file = join(dir, 'flushed.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', file, '32M');
    const registry = new BlockBackendRegistry();
    const [disk] = await openDrives(
      resolveDrives([parseDriveOptions(`file=${file},format=qcow2`)]),
      registry,
    );
    expectOk(await disk.write(5 * 1024 * 1024, pattern(0x3e, 300 * 1024)));
    expectOk(await disk.flush());
    expect(qemuIo(file, 'qcow2', `read -P 0x3e ${5 * 1024 * 1024} 300k`).ok).toBe(true);
    expect(qemuImgCheck(file).exitCode).toBe(0);
    await registry.closeAll();
  });

  it('closeAllSync flushes and closes every drive at once', async () => {
    const file = join(dir, 'sync-closed.raw');
    qemuImg('create', '-q', '-f', 'raw', file, '4M');
    const registry = new BlockBackendRegistry();
    const [disk] = await openDrives(
      resolveDrives([parseDriveOptions(`file=${file},format=raw`)]),
      registry,
    );
    expectOk(await disk.writeSectors(8, pattern(0x61, 4096)));
    registry.closeAllSync();
    expect(disk.isClosed).toBe(true);
    expect(registry.size).toBe(0);
    expect(await disk.readSectors(0, new Uint8Array(512))).toMatchObject({
      ok: false,
      error: { code: 'closed' },
    });
    expect(qemuIo(file, 'raw', 'read -P 0x61 4096 4096').ok).toBe(true);
  });

  it.each(['qcow2', 'raw'])(
    'a %s write survives process.exit() through the exit hook',
    (format) => {
      const file = join(dir, `exit.${format}`);
      qemuImg('create', '-q', '-f', format, file, '8M');
      const child = spawnSync(
        process.execPath,
        [
          '--conditions=@tsemu/source',
          '--import',
          'tsx',
          'test/fixtures/exit-without-close.ts',
          file,
          format,
        ],
        { cwd: packageDir, encoding: 'utf8', timeout: 20000 },
      );
      expect(`${child.stdout}${child.stderr}`.trim()).toBe('written');
      expect(child.status).toBe(0);
      expect(qemuIo(file, format, `read -P 0xd7 ${3 * 1024 * 1024 + 512} 256k`).ok).toBe(true);
      if (format === 'qcow2') expect(qemuImgCheck(file).exitCode).toBe(0);
    },
  );
});
