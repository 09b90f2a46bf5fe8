/**
 * @tsemu/tools: guest images for tsemu's tests, benchmarks and main job. The commands live
 * beside this file (fetch-guest-images.ts, build-initramfs.ts, build-iso.ts,
 * make-boot-disk.ts); this is the library they are made of.
 */
export {
  CpioWriter,
  type CpioWriterOptions,
  type EntryOptions,
} from './cpio/newc-writer.js';
export {
  type BootDiskOptions,
  buildBootDisk,
  chsBytes,
  type MbrPartition,
} from './disk/mbr.js';
export {
  type FetchOptions,
  type FetchResult,
  fetchGuestImages,
  imagesDirOf,
} from './guest-images/fetch.js';
export {
  type BuiltFileEntry,
  type FetchedFileEntry,
  MANIFEST_FILE,
  type Manifest,
  type ManifestEntry,
  readManifest,
} from './guest-images/manifest.js';
export {
  GUEST_PACKAGES,
  type GuestPackage,
  INITRAMFS_FILE,
  LINUX_ISO_FILE,
} from './guest-images/recipe.js';
export {
  buildInitramfs,
  buildInitramfsArchive,
  INITRAMFS_READY_MARKER,
  type InitramfsOptions,
} from './initramfs/initramfs.js';
export {
  bootImageChecksum,
  patchBootInfoTable,
} from './iso9660/el-torito.js';
export {
  buildLinuxIso,
  DEFAULT_KERNEL_APPEND,
  isolinuxConfig,
  LINUX_ISO_PATHS,
  type LinuxIsoOptions,
} from './iso9660/linux-iso.js';
export {
  type IsoBootOptions,
  type IsoFile,
  type IsoOptions,
  writeIso9660,
} from './iso9660/writer.js';
export { defaultCacheDir, REPO_ROOT } from './paths.js';
export { ToolError } from './util/tool-error.js';
