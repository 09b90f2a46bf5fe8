import type { MemoryCore } from './core.js';
import { DirtyClient } from './dirty-memory.js';
import type { NormalizedOps, Uint64Halves } from './ops.js';
import type { RamBlock } from './ram-block.js';
import { type AddressLike, toAddress, toSize } from './units.js';

/**
 * What a region is. RAM covers ROM too (a ROM is a read-only RAM region, as in QEMU, and
 * `setReadonly(false)` turns it back into RAM); a ROM device reads like ROM and writes
 * through callbacks; an I/O region calls its MemoryRegionOps for everything.
 */
export type MemoryRegionKind = 'container' | 'ram' | 'io' | 'romDevice' | 'alias';

/** @internal Everything a MemoryCore factory decides about a new region. */
export interface MemoryRegionInit {
  name: string;
  kind: MemoryRegionKind;
  size: bigint;
  ramBlock?: RamBlock;
  ops?: NormalizedOps;
  aliasTarget?: MemoryRegion;
  aliasOffset?: bigint;
  readonly?: boolean;
}

/**
 * A node of the memory tree (QEMU's MemoryRegion). Create regions with the MemoryCore
 * factories (`core.ram(...)`, `core.io(...)`, ...), then compose them with `addSubregion`.
 *
 * Every mutator is its own transaction unless called inside `core.transaction(...)`, in
 * which case the FlatViews are rebuilt once, when the outermost transaction commits.
 */
export class MemoryRegion {
  readonly core: MemoryCore;
  readonly name: string;
  readonly kind: MemoryRegionKind;
  /** The host memory of a RAM, ROM or ROM-device region. */
  readonly ramBlock: RamBlock | undefined;
  /** The callbacks of an I/O or ROM-device region. */
  readonly ops: NormalizedOps | undefined;
  /** The region an alias looks into. */
  readonly aliasTarget: MemoryRegion | undefined;
  /** @internal Scratch result for 8-byte device callbacks (avoids an allocation per access). */
  readonly scratch64: Uint64Halves = { low: 0, high: 0 };

  private sizeValue: bigint;
  private addrValue = 0n;
  private priorityValue = 0;
  private containerRegion: MemoryRegion | undefined;
  private readonly children: MemoryRegion[] = [];
  private enabledValue = true;
  private readonlyValue: boolean;
  private romdModeValue = true;
  private aliasOffsetValue: bigint;
  private vgaLoggingCount = 0;
  private aliasMappings = 0;

  /** @internal Use the MemoryCore factories. */
  constructor(core: MemoryCore, init: MemoryRegionInit) {
    this.core = core;
    this.name = init.name;
    this.kind = init.kind;
    this.sizeValue = init.size;
    this.ramBlock = init.ramBlock;
    this.ops = init.ops;
    this.aliasTarget = init.aliasTarget;
    this.aliasOffsetValue = init.aliasOffset ?? 0n;
    this.readonlyValue = init.readonly ?? false;
  }

  /** Size in bytes; 2^64 for a region covering the whole 64-bit space. */
  get size(): bigint {
    return this.sizeValue;
  }
  /** Offset of this region inside its container (0 when it has none). */
  get addr(): bigint {
    return this.addrValue;
  }
  /** Priority among its container's subregions; higher wins where they overlap. */
  get priority(): number {
    return this.priorityValue;
  }
  get container(): MemoryRegion | undefined {
    return this.containerRegion;
  }
  /** Subregions in rendering order: highest priority first, later additions first on ties. */
  get subregions(): readonly MemoryRegion[] {
    return this.children;
  }
  get enabled(): boolean {
    return this.enabledValue;
  }
  get readonly(): boolean {
    return this.readonlyValue;
  }
  /** ROM devices: true when reads go straight to the backing RAM (QEMU's romd_mode). */
  get romdMode(): boolean {
    return this.romdModeValue;
  }
  get aliasOffset(): bigint {
    return this.aliasOffsetValue;
  }
  /** Leaf regions terminate the lookup; containers and aliases only route it. */
  get terminates(): boolean {
    return this.kind === 'ram' || this.kind === 'io' || this.kind === 'romDevice';
  }
  /** Mapped somewhere: inside a container, or reachable through an alias. */
  get isMapped(): boolean {
    return this.containerRegion !== undefined || this.aliasMappings > 0;
  }

  /** The backing bytes of a RAM, ROM or ROM-device region. Host writes here bypass the dirty log: call `setDirty` after them. */
  get bytes(): Uint8Array {
    return this.requireRamBlock('bytes').bytes;
  }

  /** Where the backing store starts in ram_addr space (QEMU's memory_region_get_ram_addr). */
  get ramAddr(): number {
    return this.requireRamBlock('ramAddr').ramAddr;
  }

  /** The clients that log writes to this region (QEMU's memory_region_get_dirty_log_mask). */
  get dirtyLogMask(): number {
    if (!this.ramBlock) return 0;
    let mask = 1 << DirtyClient.CODE;
    if (this.vgaLoggingCount > 0) mask |= 1 << DirtyClient.VGA;
    if (this.core.globalDirtyLogging) mask |= 1 << DirtyClient.MIGRATION;
    return mask;
  }

  /** Adds a subregion that is not expected to overlap its siblings (priority 0). */
  addSubregion(offset: AddressLike, subregion: MemoryRegion): void {
    this.addSubregionCommon(offset, subregion, 0);
  }

  /** Adds a subregion that may overlap its siblings; the higher priority is visible. */
  addSubregionOverlap(offset: AddressLike, subregion: MemoryRegion, priority: number): void {
    if (!Number.isInteger(priority)) {
      throw new Error(`region "${subregion.name}": priority must be an integer, got ${priority}`);
    }
    this.addSubregionCommon(offset, subregion, priority);
  }

  removeSubregion(subregion: MemoryRegion): void {
    if (subregion.containerRegion !== this) {
      throw new Error(`region "${subregion.name}" is not a subregion of "${this.name}"`);
    }
    this.update(() => {
      this.children.splice(this.children.indexOf(subregion), 1);
      subregion.containerRegion = undefined;
      for (let a = subregion.aliasTarget; a; a = a.aliasTarget) a.aliasMappings--;
    });
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabledValue) return;
    this.update(() => {
      this.enabledValue = enabled;
    });
  }

  setReadonly(readonly: boolean): void {
    if (readonly === this.readonlyValue) return;
    this.update(() => {
      this.readonlyValue = readonly;
    });
  }

  /** Moves the region inside its container (a PCI BAR being reprogrammed). */
  setAddress(offset: AddressLike): void {
    const addr = toAddress(offset, `region "${this.name}" address`);
    if (addr === this.addrValue) return;
    this.update(() => {
      this.addrValue = addr;
      const parent = this.containerRegion;
      if (parent) {
        // Re-insert so that, as in QEMU, it now ranks first among equal priorities.
        parent.children.splice(parent.children.indexOf(this), 1);
        parent.insertChild(this);
      }
    });
  }

  setAliasOffset(offset: AddressLike): void {
    if (this.kind !== 'alias') throw new Error(`region "${this.name}" is not an alias`);
    const value = toAddress(offset, `region "${this.name}" alias offset`);
    if (value === this.aliasOffsetValue) return;
    this.update(() => {
      this.aliasOffsetValue = value;
    });
  }

  setSize(size: AddressLike): void {
    if (this.ramBlock) {
      throw new Error(`region "${this.name}" is RAM-backed; its size is fixed`);
    }
    const value = toSize(size, `region "${this.name}" size`);
    if (value === this.sizeValue) return;
    this.update(() => {
      this.sizeValue = value;
    });
  }

  /** ROM devices: switch reads between the backing RAM (true) and the read callback (false). */
  setRomdMode(romd: boolean): void {
    if (this.kind !== 'romDevice') throw new Error(`region "${this.name}" is not a ROM device`);
    if (romd === this.romdModeValue) return;
    this.update(() => {
      this.romdModeValue = romd;
    });
  }

  /**
   * Starts or stops dirty logging for a client on this RAM region (QEMU's
   * memory_region_set_log). Only VGA is per region: CODE is always logged and MIGRATION
   * follows `core.startGlobalDirtyLog()`. Calls nest: logging stops after as many stops.
   */
  setLog(log: boolean, client: DirtyClient): void {
    if (client !== DirtyClient.VGA) {
      throw new Error(`setLog: only DirtyClient.VGA is per region (got client ${client})`);
    }
    const block = this.requireRamBlock('setLog');
    const before = this.vgaLoggingCount > 0;
    if (!log && this.vgaLoggingCount === 0) {
      throw new Error(`region "${this.name}": setLog(false) without a matching setLog(true)`);
    }
    this.vgaLoggingCount += log ? 1 : -1;
    if (before === this.vgaLoggingCount > 0) return;
    this.update(() => {
      this.core.dirty.setLogMask(block.ramAddr, block.length, this.dirtyLogMask);
    });
  }

  /** Is any page of [offset, offset + size) dirty for `client`? */
  getDirty(offset: number, size: number, client: DirtyClient): boolean {
    return this.core.dirty.get(this.ramRange(offset, size), size, client);
  }

  /** Returns whether any page of the range was dirty for `client`, and clears them. */
  testAndClearDirty(offset: number, size: number, client: DirtyClient): boolean {
    return this.core.dirty.testAndClear(this.ramRange(offset, size), size, client);
  }

  /** Clears `client`'s dirty bits over the range (QEMU's memory_region_reset_dirty). */
  resetDirty(offset: number, size: number, client: DirtyClient): void {
    this.core.dirty.testAndClear(this.ramRange(offset, size), size, client);
  }

  /**
   * Tells the memory API that the host changed `bytes` directly: marks the range dirty for
   * every client logging it and notifies the JIT if it held code (QEMU's
   * memory_region_flush_rom_device / invalidate_and_set_dirty).
   */
  setDirty(offset: number, size: number): void {
    this.core.dirty.markWritten(this.ramRange(offset, size), size, this.dirtyLogMask);
  }

  private ramRange(offset: number, size: number): number {
    const block = this.requireRamBlock('dirty log');
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(size) ||
      offset < 0 ||
      size < 0 ||
      offset + size > block.length
    ) {
      throw new Error(
        `region "${this.name}": range [${offset}, ${offset + size}) is outside its ${block.length} bytes`,
      );
    }
    return block.ramAddr + offset;
  }

  private requireRamBlock(what: string): RamBlock {
    if (!this.ramBlock) {
      throw new Error(`region "${this.name}" (${this.kind}) has no RAM: ${what} needs RAM`);
    }
    return this.ramBlock;
  }

  private addSubregionCommon(offset: AddressLike, sub: MemoryRegion, priority: number): void {
    if (sub.core !== this.core) {
      throw new Error(`region "${sub.name}" belongs to another MemoryCore`);
    }
    if (this.kind === 'alias') {
      throw new Error(`region "${this.name}" is an alias; aliases cannot have subregions`);
    }
    if (sub.containerRegion) {
      throw new Error(
        `region "${sub.name}" is already a subregion of "${sub.containerRegion.name}"`,
      );
    }
    if (sub.reaches(this)) {
      throw new Error(`adding "${sub.name}" to "${this.name}" would make a cycle`);
    }
    const addr = toAddress(offset, `region "${sub.name}" offset`);
    this.update(() => {
      sub.containerRegion = this;
      sub.addrValue = addr;
      sub.priorityValue = priority;
      for (let a = sub.aliasTarget; a; a = a.aliasTarget) a.aliasMappings++;
      this.insertChild(sub);
    });
  }

  /** Can rendering this region lead (through subregions or alias targets) to `other`? */
  private reaches(other: MemoryRegion): boolean {
    const seen = new Set<MemoryRegion>();
    const stack: MemoryRegion[] = [this];
    while (stack.length > 0) {
      const r = stack.pop() as MemoryRegion;
      if (r === other) return true;
      if (seen.has(r)) continue;
      seen.add(r);
      if (r.aliasTarget) stack.push(r.aliasTarget);
      stack.push(...r.children);
    }
    return false;
  }

  /** Keeps children sorted by descending priority, newest first among equals. */
  private insertChild(sub: MemoryRegion): void {
    let i = 0;
    while (i < this.children.length && this.children[i].priorityValue > sub.priorityValue) i++;
    this.children.splice(i, 0, sub);
  }

  private update(change: () => void): void {
    this.core.beginTransaction();
    try {
      change();
      this.core.markTopologyChanged();
    } finally {
      this.core.commitTransaction();
    }
  }
}
