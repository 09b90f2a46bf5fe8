/**
 * Property tests: random sequences of reads and writes (any offset, any length) on raw and
 * qcow2 images behave exactly like a plain byte array; and a qcow2 image written that way
 * on disk is one `qemu-img check` accepts and `qemu-img convert` reads identically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BlockBackend,
  type BlockDriver,
  createQcow2,
  MemoryImageFile,
  NodeImageFile,
  Qcow2Driver,
  RawDriver,
} from '../src/index.js';
import { backendOf, expectOk, qemuImg, qemuImgCheck, randomBytes, scratchDir } from './helpers.js';

const dir = scratchDir();
const DISK_SIZE = 192 * 1024;

type Operation =
  | { kind: 'write'; offset: number; length: number; seed: number }
  | { kind: 'read'; offset: number; length: number }
  | { kind: 'flush' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc
    .record({
      offset: fc.nat(DISK_SIZE - 1),
      length: fc.integer({ min: 1, max: 20000 }),
      seed: fc.nat(),
    })
    .map(({ offset, length, seed }) => ({
      kind: 'write' as const,
      offset,
      length: Math.min(length, DISK_SIZE - offset),
      seed,
    })),
  fc
    .record({ offset: fc.nat(DISK_SIZE - 1), length: fc.integer({ min: 1, max: 20000 }) })
    .map(({ offset, length }) => ({
      kind: 'read' as const,
      offset,
      length: Math.min(length, DISK_SIZE - offset),
    })),
  fc.constant({ kind: 'flush' as const }),
);

/** Runs `operations` on `disk` and on a byte array, comparing every read and the end state. */
async function runAgainstReference(
  disk: BlockBackend,
  reference: Uint8Array,
  operations: Operation[],
): Promise<void> {
  for (const op of operations) {
    if (op.kind === 'write') {
      const data = randomBytes(op.length, op.seed);
      expectOk(await disk.write(op.offset, data));
      reference.set(data, op.offset);
    } else if (op.kind === 'read') {
      const buffer = new Uint8Array(op.length);
      expectOk(await disk.read(op.offset, buffer));
      expect(
        Buffer.from(buffer).equals(
          Buffer.from(reference.subarray(op.offset, op.offset + op.length)),
        ),
      ).toBe(true);
    } else {
      expectOk(await disk.flush());
    }
  }
  const all = new Uint8Array(DISK_SIZE);
  expectOk(await disk.read(0, all));
  expect(Buffer.from(all).equals(Buffer.from(reference))).toBe(true);
}

/** A qcow2 image in memory, optionally over a backing image holding `backingBytes`. */
async function memoryQcow2(clusterSize: number, backingBytes?: Uint8Array): Promise<BlockDriver> {
  const file = new MemoryImageFile('mem.qcow2');
  await createQcow2(file, { size: DISK_SIZE, clusterSize });
  const backing = backingBytes
    ? new RawDriver(new MemoryImageFile('base.raw', backingBytes, true))
    : undefined;
  return Qcow2Driver.open(file, { backing });
}

describe('random reads and writes match a byte array', () => {
  const runs = { numRuns: 50 };
  const operations = fc.array(operation, { minLength: 1, maxLength: 30 });

  it('raw', async () => {
    await fc.assert(
      fc.asyncProperty(operations, async (ops) => {
        const disk = backendOf(
          new RawDriver(new MemoryImageFile('mem.raw', new Uint8Array(DISK_SIZE))),
        );
        await runAgainstReference(disk, new Uint8Array(DISK_SIZE), ops);
      }),
      runs,
    );
  });

  it.each([512, 4096, 65536])('qcow2 with %i-byte clusters', async (clusterSize) => {
    await fc.assert(
      fc.asyncProperty(operations, async (ops) => {
        const disk = backendOf(await memoryQcow2(clusterSize));
        await runAgainstReference(disk, new Uint8Array(DISK_SIZE), ops);
      }),
      runs,
    );
  });

  it('qcow2 over a shorter backing image (reads fall through, writes copy on write)', async () => {
    await fc.assert(
      fc.asyncProperty(operations, fc.nat(), async (ops, seed) => {
        const base = randomBytes(DISK_SIZE / 2 + 1000, seed);
        const reference = new Uint8Array(DISK_SIZE);
        reference.set(base);
        const disk = backendOf(await memoryQcow2(1024, base));
        await runAgainstReference(disk, reference, ops);
      }),
      runs,
    );
  });
});

describe('a randomly written qcow2 file, checked by QEMU', () => {
  it('is clean for qemu-img check and converts to the same bytes', async () => {
    const file = join(dir, 'random.qcow2');
    const raw = join(dir, 'random.raw');
    const image = await NodeImageFile.open(file, { create: true });
    await createQcow2(image, { size: DISK_SIZE, clusterSize: 512 });
    const disk = backendOf(await Qcow2Driver.open(image));
    const ops = fc.sample(fc.array(operation, { minLength: 200, maxLength: 200 }), {
      numRuns: 1,
      seed: 42,
    })[0];
    const reference = new Uint8Array(DISK_SIZE);
    await runAgainstReference(disk, reference, ops);
    await disk.close();

    const report = qemuImgCheck(file);
    expect([report.exitCode, report.corruptions, report.leaks], report.output).toEqual([0, 0, 0]);
    qemuImg('convert', '-f', 'qcow2', '-O', 'raw', file, raw);
    expect(Buffer.from(readFileSync(raw)).equals(Buffer.from(reference))).toBe(true);
  });
});
