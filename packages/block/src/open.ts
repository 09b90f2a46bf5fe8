/**
 * Opening images and drives from host files (QEMU's bdrv_open with the file-posix
 * protocol, and blockdev.c's drive_new): the file, its format (given or probed), its
 * backing chain, and a `-snapshot` overlay. Everything that can go wrong here is a
 * `BlockOpenError` with one line to print; nothing is left open when it is thrown.
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlockBackend } from './block-backend.js';
import type { BlockDriver } from './block-driver.js';
import type { ImageFormat, ResolvedDrive } from './drive-options.js';
import { BlockOpenError, describeSystemError } from './errors.js';
import type { ImageFile } from './image-file.js';
import { NodeImageFile } from './node-image-file.js';
import { PROBE_BYTES, probeFormat, rawProbeWarning } from './probe.js';
import type { BackingReference } from './qcow2/qcow2-driver.js';
import { Qcow2Driver } from './qcow2/qcow2-driver.js';
import { RawDriver } from './raw.js';
import type { BlockBackendRegistry } from './registry.js';
import { createSnapshotOverlay } from './snapshot.js';

export interface OpenImageOptions {
  /** The format; absent to probe it (qcow2 by its magic, raw otherwise, with QEMU's warning). */
  format?: ImageFormat;
  readOnly?: boolean;
  /** Send writes to a temporary overlay: the image file is never modified. */
  snapshot?: boolean;
  /** Where QEMU's warnings go (the command passes a stderr writer). Default: dropped. */
  warn?: (message: string) => void;
  /** The folder for `-snapshot` overlays (default: the OS temporary folder). */
  tempDir?: string;
}

/** Backing chains longer than this are refused (they are almost certainly a loop). */
const MAX_BACKING_DEPTH = 32;
/** Protocols QEMU accepts in backing file names and tsemu does not. */
const PROTOCOL_PREFIX = /^(json|nbd|http|https|ftp|ftps|ssh|iscsi|rbd|gluster|nfs|vvfat|blkdebug):/;

/**
 * Opens the image at `file` with its backing chain.
 * @throws BlockOpenError with one line to print (missing file, corrupt image, ...).
 */
export async function openImage(
  file: string,
  options: OpenImageOptions = {},
): Promise<BlockDriver> {
  const readOnly = (options.readOnly ?? false) || (options.snapshot ?? false);
  const image = await openFormat(file, options.format, readOnly, options.warn ?? (() => {}), []);
  if (!options.snapshot || options.readOnly) return image;
  try {
    return await openOverlay(image, options.tempDir ?? os.tmpdir());
  } catch (error) {
    await image.close();
    throw error;
  }
}

async function openFormat(
  file: string,
  format: ImageFormat | undefined,
  readOnly: boolean,
  warn: (message: string) => void,
  chain: string[],
): Promise<BlockDriver> {
  let imageFile: ImageFile;
  try {
    imageFile = await NodeImageFile.open(file, { readOnly });
  } catch (error) {
    throw new BlockOpenError(`Could not open '${file}': ${describeSystemError(error)}`);
  }
  try {
    let chosen = format;
    let probed = false;
    if (!chosen) {
      const head = new Uint8Array(Math.min(PROBE_BYTES, imageFile.length()));
      await imageFile.read(0, head);
      const guess = probeFormat(head);
      if (guess.format === 'unsupported') {
        throw new BlockOpenError(
          `Could not open '${file}': image format '${guess.name}' is not supported by tsemu (supported: raw, qcow2); convert it with 'qemu-img convert -O qcow2'`,
        );
      }
      chosen = guess.format;
      probed = true;
    }
    if (chosen === 'raw') {
      // QEMU warns only when a probed raw image is writable: then block 0 is guarded.
      if (probed && !readOnly && chain.length === 0) warn(rawProbeWarning(file));
      return new RawDriver(imageFile, { probed });
    }
    const absolute = path.resolve(file);
    try {
      return await Qcow2Driver.open(imageFile, {
        openBacking: (reference) => openBacking(reference, absolute, warn, [...chain, absolute]),
      });
    } catch (error) {
      if (
        probed &&
        error instanceof BlockOpenError &&
        !error.message.startsWith('Could not open backing')
      ) {
        // Say why the image was not simply opened as raw.
        throw new BlockOpenError(
          `${error.message} (it has the qcow2 magic, so it is not opened as raw)`,
        );
      }
      throw error;
    }
  } catch (error) {
    imageFile.closeSync();
    throw error;
  }
}

async function openBacking(
  reference: BackingReference,
  overlayPath: string,
  warn: (message: string) => void,
  chain: string[],
): Promise<BlockDriver> {
  const fail = (what: string) => new BlockOpenError(`Could not open backing file: ${what}`);
  if (PROTOCOL_PREFIX.test(reference.filename)) {
    throw fail(`'${reference.filename}' uses a protocol tsemu does not support`);
  }
  const target = path.isAbsolute(reference.filename)
    ? reference.filename
    : path.resolve(path.dirname(overlayPath), reference.filename);
  if (chain.includes(target) || chain.length >= MAX_BACKING_DEPTH) {
    throw fail(`the backing chain of '${chain[0]}' loops or is too deep (at '${target}')`);
  }
  let format: ImageFormat | undefined;
  if (reference.format !== null) {
    if (reference.format !== 'raw' && reference.format !== 'qcow2') {
      throw fail(`'${target}' has format '${reference.format}', which tsemu does not support`);
    }
    format = reference.format;
  }
  try {
    return await openFormat(target, format, true, warn, chain);
  } catch (error) {
    if (error instanceof BlockOpenError && !error.message.startsWith('Could not open backing')) {
      throw fail(error.message);
    }
    throw error;
  }
}

/** A temporary qcow2 overlay over `image`, in a file that is unlinked at once. */
async function openOverlay(image: BlockDriver, tempDir: string): Promise<BlockDriver> {
  const name = path.join(tempDir, `tsemu-snapshot-${randomBytes(6).toString('hex')}.qcow2`);
  let file: NodeImageFile;
  try {
    file = await NodeImageFile.open(name, { create: true, unlinkAfterOpen: true });
  } catch (error) {
    throw new BlockOpenError(
      `Could not create the -snapshot overlay '${name}': ${describeSystemError(error)}`,
    );
  }
  try {
    return await createSnapshotOverlay(image, file);
  } catch (error) {
    file.closeSync();
    throw error;
  }
}

export interface OpenDriveOptions {
  /** Where QEMU's warnings go (raw probing). Default: dropped. */
  warn?: (message: string) => void;
  /** The folder for `-snapshot` overlays (default: the OS temporary folder). */
  tempDir?: string;
}

/**
 * Opens a resolved `-drive` as a BlockBackend named by its id; an empty CD-ROM drive gets
 * a backend with no medium.
 * @throws BlockOpenError with one line to print.
 */
export async function openDrive(
  drive: ResolvedDrive,
  options: OpenDriveOptions = {},
): Promise<BlockBackend> {
  const driver =
    drive.file === undefined
      ? null
      : await openImage(drive.file, {
          format: drive.format,
          readOnly: drive.readOnly,
          snapshot: drive.snapshot,
          warn: options.warn,
          tempDir: options.tempDir,
        });
  return new BlockBackend({
    name: drive.id,
    driver,
    media: drive.media,
    readOnly: drive.readOnly,
    writeCache: drive.writeCache,
    noFlush: drive.noFlush,
  });
}

/**
 * Opens every drive into `registry`, in order. If one fails, the drives this call opened
 * are closed again and the error is thrown.
 */
export async function openDrives(
  drives: ResolvedDrive[],
  registry: BlockBackendRegistry,
  options: OpenDriveOptions = {},
): Promise<BlockBackend[]> {
  const opened: BlockBackend[] = [];
  try {
    for (const drive of drives) {
      const backend = await openDrive(drive, options);
      try {
        opened.push(registry.add(backend));
      } catch (error) {
        await backend.close();
        throw error;
      }
    }
    return opened;
  } catch (error) {
    for (const backend of opened) await registry.remove(backend.name);
    throw error;
  }
}
