/**
 * QEMU's `-drive` option and its shorthands (`-hda`..`-hdd`, `-cdrom`), as blockdev.c's
 * drive_new reads them: parsing, then giving each drive its IDE bus, unit and id.
 *
 * Messages are the part QEMU prints after the option itself: the command prints
 * `tsemu: -drive file=x,format=vmdk: '<message>'`.
 */
import type { MediaType } from './block-backend.js';
import { BlockOpenError } from './errors.js';

export type ImageFormat = 'raw' | 'qcow2';
export type DriveInterface = 'ide' | 'none';
/** QEMU's `cache=` modes: the guest-visible write cache, and whether flushes reach the disk. */
export type CacheMode = 'writeback' | 'none' | 'writethrough' | 'directsync' | 'unsafe';

/** One `-drive` as given (QEMU's legacy drive options). Unset fields take defaults later. */
export interface DriveOptions {
  /** The image file; absent for an empty drive (a CD-ROM drive with no disc). */
  file?: string;
  /** The image format; absent to probe it. */
  format?: ImageFormat;
  /** `if=`: absent for the machine's default (IDE on `pc`). */
  interface?: DriveInterface;
  index?: number;
  bus?: number;
  unit?: number;
  media: MediaType;
  readOnly: boolean;
  /** `snapshot=`: absent to follow the global `-snapshot`. */
  snapshot?: boolean;
  /** The guest sees a write cache (false for `cache=writethrough|directsync`). */
  writeCache: boolean;
  /** Flushes complete without reaching the disk (`cache=unsafe`). */
  noFlush: boolean;
  id?: string;
}

/** A drive with its place decided: which IDE bus and unit, and its name. */
export interface ResolvedDrive extends DriveOptions {
  interface: DriveInterface;
  bus: number;
  unit: number;
  index: number;
  id: string;
  snapshot: boolean;
}

/** A `-drive` (or `-hda`, `-cdrom`) that cannot be used as given. */
export class DriveOptionError extends BlockOpenError {}

/** The formats QEMU has that tsemu does not, so the message says "not supported". */
const OTHER_QEMU_FORMATS = new Set([
  'vmdk',
  'vdi',
  'vpc',
  'vhdx',
  'qed',
  'qcow',
  'luks',
  'parallels',
  'bochs',
  'cloop',
  'dmg',
  'vvfat',
  'file',
  'host_device',
  'host_cdrom',
  'nbd',
  'blkdebug',
  'null-co',
  'null-aio',
  'throttle',
  'copy-on-read',
  'preallocate',
  'compress',
]);
const OTHER_QEMU_INTERFACES = new Set(['scsi', 'floppy', 'pflash', 'mtd', 'sd', 'virtio', 'xen']);
/** `-drive` options QEMU has that tsemu does not take. */
const UNSUPPORTED_KEYS = new Set([
  'serial',
  'addr',
  'werror',
  'rerror',
  'discard',
  'detect-zeroes',
  'copy-on-read',
  'auto-read-only',
  'force-share',
  'throttling.iops-total',
  'throttling.bps-total',
  'throttling.group',
  'bps',
  'iops',
  'bps_rd',
  'bps_wr',
  'iops_rd',
  'iops_wr',
  'stats-account-invalid',
  'stats-account-failed',
  'stats-intervals',
  'cyls',
  'heads',
  'secs',
  'trans',
  'node-name',
  'driver',
]);
const KNOWN_KEYS = new Set([
  'file',
  'format',
  'if',
  'index',
  'bus',
  'unit',
  'media',
  'readonly',
  'read-only',
  'snapshot',
  'cache',
  'cache.writeback',
  'cache.direct',
  'cache.no-flush',
  'id',
  'aio',
]);

/**
 * Splits a QemuOpts string into key/value pairs: `,` separates, `,,` is a literal comma, a
 * bare `key` means `key=on` and `nokey` means `key=off`.
 */
export function splitOptions(text: string): Array<[key: string, value: string]> {
  const pairs: Array<[string, string]> = [];
  let at = 0;
  while (at < text.length) {
    let key = '';
    while (at < text.length && text[at] !== '=' && text[at] !== ',') key += text[at++];
    if (text[at] === '=') {
      at++;
      let value = '';
      while (at < text.length) {
        if (text[at] === ',') {
          if (text[at + 1] !== ',') break;
          at++; // an escaped comma
        }
        value += text[at++];
      }
      if (key === '') throw new DriveOptionError(`Invalid parameter '' in '${text}'`);
      pairs.push([key, value]);
    } else if (key !== '') {
      if (KNOWN_KEYS.has(key)) pairs.push([key, 'on']);
      else if (key.startsWith('no') && KNOWN_KEYS.has(key.slice(2)))
        pairs.push([key.slice(2), 'off']);
      else pairs.push([key, 'on']);
    }
    at++; // the separating comma
  }
  return pairs;
}

function parseBool(key: string, value: string): boolean {
  if (['on', 'yes', 'true', 'y'].includes(value)) return true;
  if (['off', 'no', 'false', 'n'].includes(value)) return false;
  throw new DriveOptionError(`Parameter '${key}' expects 'on' or 'off'`);
}

function parseCount(key: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new DriveOptionError(`Parameter '${key}' expects a non-negative number`);
  return Number(value);
}

const CACHE_MODES: Record<CacheMode, { writeCache: boolean; noFlush: boolean }> = {
  writeback: { writeCache: true, noFlush: false },
  // O_DIRECT only bypasses the host page cache; guest-visible behaviour is writeback's.
  none: { writeCache: true, noFlush: false },
  writethrough: { writeCache: false, noFlush: false },
  directsync: { writeCache: false, noFlush: false },
  unsafe: { writeCache: true, noFlush: true },
};

/**
 * Parses a `-drive` argument.
 * @throws DriveOptionError naming the offending parameter.
 */
export function parseDriveOptions(text: string): DriveOptions {
  const drive: DriveOptions = { media: 'disk', readOnly: false, writeCache: true, noFlush: false };
  for (const [key, value] of splitOptions(text)) {
    if (!KNOWN_KEYS.has(key)) {
      if (UNSUPPORTED_KEYS.has(key) || key.startsWith('throttling.')) {
        throw new DriveOptionError(`-drive option '${key}' is not supported by tsemu`);
      }
      throw new DriveOptionError(`Invalid parameter '${key}'`);
    }
    switch (key) {
      case 'file':
        drive.file = value === '' ? undefined : value;
        break;
      case 'format':
        if (value === 'raw' || value === 'qcow2') drive.format = value;
        else if (OTHER_QEMU_FORMATS.has(value)) {
          throw new DriveOptionError(
            `format '${value}' is not supported by tsemu (supported: raw, qcow2)`,
          );
        } else throw new DriveOptionError(`'${value}' invalid format`);
        break;
      case 'if':
        if (value === 'ide' || value === 'none') drive.interface = value;
        else if (OTHER_QEMU_INTERFACES.has(value)) {
          throw new DriveOptionError(
            `if=${value} is not supported by tsemu (supported: ide, none)`,
          );
        } else throw new DriveOptionError(`unsupported bus type '${value}'`);
        break;
      case 'index':
      case 'bus':
      case 'unit':
        drive[key] = parseCount(key, value);
        break;
      case 'media':
        if (value !== 'disk' && value !== 'cdrom')
          throw new DriveOptionError(`'${value}' invalid media`);
        drive.media = value;
        break;
      case 'readonly':
      case 'read-only':
        drive.readOnly = parseBool(key, value);
        break;
      case 'snapshot':
        drive.snapshot = parseBool(key, value);
        break;
      case 'cache': {
        const mode = CACHE_MODES[value as CacheMode];
        if (!mode) throw new DriveOptionError('invalid cache option');
        drive.writeCache = mode.writeCache;
        drive.noFlush = mode.noFlush;
        break;
      }
      case 'cache.writeback':
        drive.writeCache = parseBool(key, value);
        break;
      case 'cache.direct':
        parseBool(key, value); // accepted; host page cache use does not change behaviour
        break;
      case 'cache.no-flush':
        drive.noFlush = parseBool(key, value);
        break;
      case 'id':
        if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(value)) {
          throw new DriveOptionError(`Parameter 'id' expects an identifier`);
        }
        drive.id = value;
        break;
      case 'aio':
        // Requests run on Node's thread pool, which is what aio=threads means.
        if (value !== 'threads') {
          throw new DriveOptionError(`aio=${value} is not supported by tsemu (only aio=threads)`);
        }
        break;
    }
  }
  return drive;
}

export type DriveShorthand = '-hda' | '-hdb' | '-hdc' | '-hdd' | '-cdrom';

/**
 * The drive a shorthand option stands for (QEMU's drive_add): `-hda`..`-hdd` are IDE
 * indexes 0 to 3, `-cdrom` is index 2 with a CD-ROM. The file name is taken verbatim
 * (commas are not special here).
 */
export function driveShorthand(option: DriveShorthand, file: string): DriveOptions {
  const base = {
    readOnly: false,
    writeCache: true,
    noFlush: false,
    file: file === '' ? undefined : file,
  };
  switch (option) {
    case '-hda':
      return { ...base, index: 0, media: 'disk' };
    case '-hdb':
      return { ...base, index: 1, media: 'disk' };
    case '-hdc':
      return { ...base, index: 2, media: 'disk' };
    case '-hdd':
      return { ...base, index: 3, media: 'disk' };
    case '-cdrom':
      return { ...base, index: 2, media: 'cdrom' };
  }
}

export interface ResolveDrivesOptions {
  /** The global `-snapshot`: drives without their own `snapshot=` get it. */
  snapshot?: boolean;
  /** The machine's default interface (`pc`: IDE). */
  defaultInterface?: DriveInterface;
  /** How many IDE buses the machine has (`pc`: 2, the PIIX3's two channels). */
  ideBuses?: number;
}

/** Devices per IDE bus: master and slave. */
const IDE_UNITS_PER_BUS = 2;

/**
 * Gives each drive its bus, unit, index and id, in command-line order, as drive_new does:
 * `index=N` means bus N/2, unit N%2; without one, the first free unit of the bus.
 * @throws DriveOptionError for a clash (two drives in one place, a duplicate id) or a
 *   place the machine does not have.
 */
export function resolveDrives(
  drives: DriveOptions[],
  options: ResolveDrivesOptions = {},
): ResolvedDrive[] {
  const ideBuses = options.ideBuses ?? 2;
  const taken = new Set<string>();
  const ids = new Set<string>();
  const resolved: ResolvedDrive[] = [];
  for (const drive of drives) {
    const iface = drive.interface ?? options.defaultInterface ?? 'ide';
    const perBus = iface === 'ide' ? IDE_UNITS_PER_BUS : 0;
    if (drive.index !== undefined && (drive.bus !== undefined || drive.unit !== undefined)) {
      throw new DriveOptionError('index cannot be used with bus and unit');
    }
    let bus: number;
    let unit: number;
    if (drive.index !== undefined) {
      bus = perBus ? Math.floor(drive.index / perBus) : 0;
      unit = perBus ? drive.index % perBus : drive.index;
    } else {
      bus = drive.bus ?? 0;
      unit = drive.unit ?? 0;
      if (drive.unit === undefined) while (taken.has(`${iface}:${bus}:${unit}`)) unit++;
    }
    if (perBus && unit >= perBus) {
      throw new DriveOptionError(`unit ${unit} too big (max is ${perBus - 1})`);
    }
    const index = perBus ? bus * perBus + unit : unit;
    if (taken.has(`${iface}:${bus}:${unit}`)) {
      throw new DriveOptionError(`drive with bus=${bus}, unit=${unit} (index=${index}) exists`);
    }
    if (iface === 'ide' && bus >= ideBuses) {
      throw new DriveOptionError(`Too many IDE buses defined (${bus + 1} > ${ideBuses})`);
    }
    taken.add(`${iface}:${bus}:${unit}`);
    const id =
      drive.id ??
      (iface === 'ide'
        ? `ide${bus}-${drive.media === 'cdrom' ? 'cd' : 'hd'}${unit}`
        : `none${unit}`);
    if (ids.has(id)) throw new DriveOptionError(`Duplicate ID '${id}' for drive`);
    ids.add(id);
    if (drive.file === undefined && drive.media === 'disk' && iface === 'ide') {
      throw new DriveOptionError(
        `drive '${id}' has no file: a disk needs a medium (only media=cdrom may be empty)`,
      );
    }
    resolved.push({
      ...drive,
      interface: iface,
      bus,
      unit,
      index,
      id,
      readOnly: drive.readOnly || drive.media === 'cdrom',
      snapshot: drive.snapshot ?? options.snapshot ?? false,
    });
  }
  return resolved;
}
