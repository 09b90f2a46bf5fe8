import { AddressSpace } from './address-space.js';
import { DirtyMemory } from './dirty-memory.js';
import { type FlatView, renderFlatView } from './flatview.js';
import { insertByPriority, type MemoryListener } from './listener.js';
import { type LogSink, silentLog } from './log.js';
import { formatMtree, type MtreeOptions } from './mtree.js';
import { type MemoryRegionOps, type NormalizedOps, normalizeOps } from './ops.js';
import { allocateBacking, type RamBackingOptions, RamBlock } from './ram-block.js';
import { MemoryRegion } from './region.js';
import { type AddressLike, toAddress, toSize } from './units.js';

export interface MemoryCoreOptions {
  /** Where guest errors (unassigned or rejected accesses) are reported; default: nowhere. */
  log?: LogSink;
}

/**
 * The memory API's owner object: everything QEMU keeps in globals (the RAM block list and
 * ram_addr space, the dirty log, the transaction depth, the address spaces and their
 * listeners) lives here, so two machines in one process never share state.
 *
 * It is also the factory for regions:
 *
 * ```ts
 * const core = new MemoryCore();
 * const system = core.container('system', 2n ** 64n);
 * system.addSubregion(0, core.ram('pc.ram', 0x100000));
 * const memory = core.addressSpace('memory', system);
 * memory.write(0x1000, 4, 0xdeadbeef);
 * ```
 */
export class MemoryCore {
  readonly log: LogSink;
  /** The dirty log over ram_addr space, shared by all address spaces. */
  readonly dirty = new DirtyMemory();
  private transactionDepth = 0;
  private updatePending = false;
  private readonly spaces: AddressSpace[] = [];
  /** Every listener of every address space, by priority (for the global begin/commit). */
  private readonly listeners: MemoryListener[] = [];
  private readonly ramRegions: MemoryRegion[] = [];
  private globalDirty = false;

  constructor(options: MemoryCoreOptions = {}) {
    this.log = options.log ?? silentLog;
  }

  // ---- Region factories --------------------------------------------------------------

  /** A pure container: routes to its subregions, answers nothing itself. */
  container(name: string, size: AddressLike): MemoryRegion {
    return new MemoryRegion(this, { name, kind: 'container', size: toSize(size) });
  }

  /** RAM backed by an ArrayBuffer (or a SharedArrayBuffer with `{ shared: true }`). */
  ram(name: string, size: AddressLike, options: RamBackingOptions = {}): MemoryRegion {
    return this.ramBacked(name, size, options, 'ram', undefined, false);
  }

  /** ROM: RAM the guest cannot write. Fill it with `options.data` or through `bytes`. */
  rom(name: string, size: AddressLike, options: RamBackingOptions = {}): MemoryRegion {
    return this.ramBacked(name, size, options, 'ram', undefined, true);
  }

  /** An I/O region: every access goes to `ops` (MMIO registers, I/O ports). */
  io(name: string, size: AddressLike, ops: MemoryRegionOps): MemoryRegion {
    return new MemoryRegion(this, {
      name,
      kind: 'io',
      size: toSize(size),
      ops: normalizeOps(ops, name),
    });
  }

  /** A ROM device (flash): reads come from RAM while in ROMD mode, writes go to `ops`. */
  romDevice(
    name: string,
    size: AddressLike,
    ops: MemoryRegionOps,
    options: RamBackingOptions = {},
  ): MemoryRegion {
    return this.ramBacked(name, size, options, 'romDevice', normalizeOps(ops, name), false);
  }

  /** A window of `size` bytes into `target`, starting at `offset` in it. */
  alias(name: string, target: MemoryRegion, offset: AddressLike, size: AddressLike): MemoryRegion {
    if (target.core !== this) throw new Error(`alias "${name}": target belongs to another core`);
    return new MemoryRegion(this, {
      name,
      kind: 'alias',
      size: toSize(size),
      aliasTarget: target,
      aliasOffset: toAddress(offset, `alias "${name}" offset`),
    });
  }

  // ---- Address spaces ----------------------------------------------------------------

  /** Creates an address space over `root` (QEMU's address_space_init). */
  addressSpace(name: string, root: MemoryRegion): AddressSpace {
    if (root.core !== this)
      throw new Error(`address space "${name}": root belongs to another core`);
    const existing = this.spaces.find((as) => as.root === root);
    const view = existing ? existing.flatView : renderFlatView(root);
    const as = new AddressSpace(this, name, root, view);
    this.spaces.push(as);
    return as;
  }

  get addressSpaces(): readonly AddressSpace[] {
    return this.spaces;
  }

  // ---- Transactions ------------------------------------------------------------------

  /** Starts a transaction: FlatViews are rebuilt once, when the outermost one commits. */
  beginTransaction(): void {
    this.transactionDepth++;
  }

  /** Ends a transaction; the outermost commit re-renders and notifies listeners. */
  commitTransaction(): void {
    if (this.transactionDepth === 0) {
      throw new Error('commitTransaction() without a matching beginTransaction()');
    }
    this.transactionDepth--;
    if (this.transactionDepth > 0 || !this.updatePending) return;
    this.updatePending = false;
    // Address spaces over the same root share one rendered view, as QEMU's FlatViews do.
    const views = new Map<MemoryRegion, FlatView>();
    for (const as of this.spaces) {
      if (!views.has(as.root)) views.set(as.root, renderFlatView(as.root));
    }
    for (const l of this.listeners) l.begin?.();
    const changed: AddressSpace[] = [];
    for (const as of this.spaces) {
      if (as.setFlatView(views.get(as.root) as FlatView)) changed.push(as);
    }
    for (const l of this.listeners) l.commit?.();
    for (const as of changed) as.notifyTopologyChange();
  }

  /** Runs `change` inside one transaction. */
  transaction<T>(change: () => T): T {
    this.beginTransaction();
    try {
      return change();
    } finally {
      this.commitTransaction();
    }
  }

  get inTransaction(): boolean {
    return this.transactionDepth > 0;
  }

  /** @internal A region changed in a way that may change some FlatView. */
  markTopologyChanged(): void {
    this.updatePending = true;
  }

  // ---- Global dirty logging (migration) ----------------------------------------------

  get globalDirtyLogging(): boolean {
    return this.globalDirty;
  }

  /** Starts the MIGRATION client on all RAM (QEMU's memory_global_dirty_log_start). */
  startGlobalDirtyLog(): void {
    if (this.globalDirty) return;
    this.globalDirty = true;
    for (const l of this.listeners) l.logGlobalStart?.();
    this.refreshLogMasks();
  }

  stopGlobalDirtyLog(): void {
    if (!this.globalDirty) return;
    this.globalDirty = false;
    this.refreshLogMasks();
    for (let i = this.listeners.length - 1; i >= 0; i--) this.listeners[i].logGlobalStop?.();
  }

  // ---- Introspection -----------------------------------------------------------------

  /** QEMU's `info mtree` (`{ flatview: true }` for `info mtree -f`). */
  mtree(options: MtreeOptions = {}): string {
    return formatMtree(this.spaces, options);
  }

  // ---- Internal bookkeeping ----------------------------------------------------------

  /** @internal */
  registerListener(listener: MemoryListener): void {
    insertByPriority(this.listeners, listener);
  }

  /** @internal */
  unregisterListener(listener: MemoryListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** @internal */
  removeAddressSpace(as: AddressSpace): void {
    const i = this.spaces.indexOf(as);
    if (i >= 0) this.spaces.splice(i, 1);
  }

  private refreshLogMasks(): void {
    this.transaction(() => {
      for (const mr of this.ramRegions) {
        const block = mr.ramBlock as RamBlock;
        this.dirty.setLogMask(block.ramAddr, block.length, mr.dirtyLogMask);
      }
      this.markTopologyChanged();
    });
  }

  private ramBacked(
    name: string,
    size: AddressLike,
    options: RamBackingOptions,
    kind: 'ram' | 'romDevice',
    ops: NormalizedOps | undefined,
    readonly: boolean,
  ): MemoryRegion {
    const length = Number(toSize(size, `region "${name}" size`));
    if (!Number.isSafeInteger(length)) {
      throw new Error(`region "${name}": RAM of ${size} bytes cannot be allocated`);
    }
    const bytes = allocateBacking(name, length, options);
    const block = new RamBlock(name, bytes, this.dirty.allocate(length, 0));
    const mr = new MemoryRegion(this, {
      name,
      kind,
      size: BigInt(length),
      ramBlock: block,
      ops,
      readonly,
    });
    this.ramRegions.push(mr);
    this.dirty.setLogMask(block.ramAddr, length, mr.dirtyLogMask);
    return mr;
  }
}
