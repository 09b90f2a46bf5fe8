/**
 * @tsemu/block: tsemu's block layer (QEMU's block/ and block-backend.c).
 *
 * - Device models hold a `BlockBackend`: range-checked, Promise-based sector and byte
 *   requests that resolve to a `BlockResult` (never throw at the guest).
 * - Format drivers (`RawDriver`, `Qcow2Driver`) implement `BlockDriver` on an `ImageFile`:
 *   `NodeImageFile` on the host, `MemoryImageFile` in memory (or in a browser).
 * - `parseDriveOptions`, `driveShorthand`, `resolveDrives`, `openDrive(s)` turn `-drive`,
 *   `-hda`..`-hdd`, `-cdrom` and `-snapshot` into backends; `BlockBackendRegistry` is the
 *   machine's list of them, flushed and closed on exit.
 */
export {
  BlockBackend,
  type BlockBackendOptions,
  type MediaType,
  type MediumChangeListener,
  SECTOR_SIZE,
} from './block-backend.js';
export type { BlockDriver } from './block-driver.js';
export {
  type CacheMode,
  type DriveInterface,
  DriveOptionError,
  type DriveOptions,
  type DriveShorthand,
  driveShorthand,
  type ImageFormat,
  parseDriveOptions,
  type ResolveDrivesOptions,
  type ResolvedDrive,
  resolveDrives,
  splitOptions,
} from './drive-options.js';
export {
  BLOCK_OK,
  type BlockErrorCode,
  type BlockIoError,
  BlockIoFailure,
  BlockOpenError,
  type BlockResult,
  blockFailure,
} from './errors.js';
export { type ImageFile, readOrZero } from './image-file.js';
export { MemoryImageFile } from './memory-image-file.js';
export { NodeImageFile, type NodeImageFileOptions } from './node-image-file.js';
export {
  type OpenDriveOptions,
  type OpenImageOptions,
  openDrive,
  openDrives,
  openImage,
} from './open.js';
export { PROBE_BYTES, type ProbedFormat, probeFormat, rawProbeWarning } from './probe.js';
export { createQcow2, type Qcow2CreateOptions } from './qcow2/create.js';
export type { Qcow2Header } from './qcow2/header.js';
export { type BackingReference, Qcow2Driver, type Qcow2OpenOptions } from './qcow2/qcow2-driver.js';
export { RawDriver, type RawDriverOptions } from './raw.js';
export { BlockBackendRegistry } from './registry.js';
export { createSnapshotOverlay } from './snapshot.js';
