/**
 * @tsemu/memory: QEMU's memory API in TypeScript. Memory regions (RAM, ROM, ROM devices,
 * I/O, aliases, containers) composed into trees, flattened into FlatViews, and accessed
 * through AddressSpaces, with listeners, transactions and a dirty-memory log.
 */
export {
  AddressSpace,
  MemTxResult,
  type RamPage,
} from './address-space.js';
export { MemoryCore, type MemoryCoreOptions } from './core.js';
export {
  type CodeWriteHandler,
  DIRTY_CLIENTS_ALL,
  DirtyClient,
  type DirtyResetListener,
} from './dirty-memory.js';
export { FlatRange, FlatView, renderFlatView } from './flatview.js';
export type { MemoryListener, MemoryRegionSection } from './listener.js';
export { GUEST_ERRORS, type LogSink, silentLog } from './log.js';
export { type MtreeOptions, regionTypeName } from './mtree.js';
export type {
  AccessConstraints,
  AccessSize,
  MemoryRegionOps,
  Uint64Halves,
  ValidConstraints,
} from './ops.js';
export {
  I440FX_PAM_SEGMENTS,
  i440fxPamAttribute,
  PAM_ATTR_MASK,
  PAM_ATTR_RE,
  PAM_ATTR_WE,
  PamAttribute,
  type PamOptions,
  PamRegion,
  type PamSegment,
} from './pam.js';
export type { RamBackingOptions, RamBlock } from './ram-block.js';
export { MemoryRegion, type MemoryRegionKind } from './region.js';
export {
  type AddressLike,
  SIZE_2_64,
  TARGET_PAGE_SIZE,
  UINT64_MAX,
} from './units.js';
