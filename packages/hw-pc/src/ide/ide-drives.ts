/**
 * Which drive sits where on the PIIX's two IDE channels: QEMU's IDE "index" (`-drive
 * if=ide,index=N`, `-hda`..`-hdd`, `-cdrom`) numbers the four positions
 *
 * | index | channel   | unit   | ports        | IRQ |
 * |-------|-----------|--------|--------------|-----|
 * | 0     | primary   | master | 0x1f0, 0x3f6 | 14  |
 * | 1     | primary   | slave  | 0x1f0, 0x3f6 | 14  |
 * | 2     | secondary | master | 0x170, 0x376 | 15  |
 * | 3     | secondary | slave  | 0x170, 0x376 | 15  |
 *
 * (`-cdrom` is index 2, the secondary master, as in QEMU.) These helpers turn the backends
 * `@tsemu/block` opened into the drive table a `piix3-ide` is built with, and refuse a table
 * that cannot exist with an Error saying why.
 */
import type { BlockBackend, MediaType, ResolvedDrive } from '@tsemu/block';
import type { IdeDriveConfig } from './ide-drive.js';

/** IDE positions on the PIIX: two channels of master and slave. */
export const IDE_DRIVE_SLOTS = 4;

/** The names of indexes 0-3, for messages. */
export const IDE_POSITION_NAMES = [
  'primary master',
  'primary slave',
  'secondary master',
  'secondary slave',
] as const;

/** One drive to attach: where (its IDE index) and what. */
export interface IdeDriveSpec {
  /** 0 primary master, 1 primary slave, 2 secondary master, 3 secondary slave. */
  index: number;
  backend: BlockBackend;
  /** ATA disk or ATAPI CD-ROM; default: the backend's `media`. */
  media?: MediaType;
  /** IDENTIFY / INQUIRY strings; defaults as QEMU's ("QEMU HARDDISK", "QEMU DVD-ROM"). */
  model?: string;
  serial?: string;
}

/** The drive at each index (undefined: nothing there). */
export type IdeDriveTable = readonly [
  IdeDriveConfig | undefined,
  IdeDriveConfig | undefined,
  IdeDriveConfig | undefined,
  IdeDriveConfig | undefined,
];

/**
 * The drive table for `specs`.
 * @throws Error for an index that is not 0-3, two drives at one index, or a disk without
 *   a medium (only a CD-ROM drive may be empty).
 */
export function ideDriveTable(specs: readonly IdeDriveSpec[]): IdeDriveTable {
  const table: (IdeDriveConfig | undefined)[] = [undefined, undefined, undefined, undefined];
  const owners: string[] = [];
  for (const spec of specs) {
    const { index, backend } = spec;
    if (!Number.isInteger(index) || index < 0 || index >= IDE_DRIVE_SLOTS) {
      throw new Error(
        `IDE drive '${backend.name}': index ${index} does not exist; the PIIX3 IDE has indexes 0-3 (primary master, primary slave, secondary master, secondary slave)`,
      );
    }
    if (table[index] !== undefined) {
      throw new Error(
        `IDE index ${index} (${IDE_POSITION_NAMES[index]}) has two drives: '${owners[index]}' and '${backend.name}'`,
      );
    }
    const kind = spec.media ?? backend.media;
    if (kind === 'disk' && !backend.isInserted) {
      throw new Error(
        `IDE drive '${backend.name}' at index ${index}: a disk needs a medium (only a CD-ROM drive may be empty)`,
      );
    }
    table[index] = { kind, backend, model: spec.model, serial: spec.serial };
    owners[index] = backend.name;
  }
  return table as unknown as IdeDriveTable;
}

/**
 * The IDE drives among `drives` (what `resolveDrives` gave: `-drive if=ide`, `-hda`..`-hdd`,
 * `-cdrom`), each with the backend `openDrives` opened for it (found by name: a backend is
 * named after its drive's id). Drives with `if=none` are left out.
 * @throws Error when an IDE drive has no backend among `backends`.
 */
export function ideDrivesFromBlock(
  drives: readonly ResolvedDrive[],
  backends: readonly BlockBackend[],
): IdeDriveSpec[] {
  const byName = new Map(backends.map((backend) => [backend.name, backend]));
  const specs: IdeDriveSpec[] = [];
  for (const drive of drives) {
    if (drive.interface !== 'ide') continue;
    const backend = byName.get(drive.id);
    if (!backend) {
      throw new Error(
        `IDE drive '${drive.id}' has no open block backend (open it with openDrives)`,
      );
    }
    specs.push({ index: drive.index, backend, media: drive.media });
  }
  return specs;
}
