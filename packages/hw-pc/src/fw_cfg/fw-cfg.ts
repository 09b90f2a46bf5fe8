/**
 * QEMU's firmware configuration device (hw/nvram/fw_cfg.c, docs/specs/fw_cfg.rst), the
 * device core: a table of items (numbered keys, and named files listed in a directory) the
 * firmware reads through a selector and a data register, or by DMA.
 *
 * - `select(key)` (16-bit write to the selector) picks an item and rewinds it;
 * - each data read returns the next byte of the item (zero past its end);
 * - the DMA interface takes the guest address of a `FWCfgDmaAccess` descriptor (control,
 *   length, address; all big-endian) and copies, skips or (for writable items) writes the
 *   item's bytes, then writes the control word back: 0 on success, ERROR on failure.
 *
 * It knows nothing of ports: the `fw_cfg_io` wrapper maps it at 0x510 and 0x514.
 */
import type { AddressSpace } from '@tsemu/memory';
import type { LogSink } from '../device-env.js';
import { SILENT_LOG } from '../device-env.js';
import {
  FW_CFG_ARCH_LOCAL,
  FW_CFG_DMA_CTL_ERROR,
  FW_CFG_DMA_CTL_READ,
  FW_CFG_DMA_CTL_SELECT,
  FW_CFG_DMA_CTL_SKIP,
  FW_CFG_DMA_CTL_WRITE,
  FW_CFG_DMA_SIGNATURE,
  FW_CFG_ENTRY_MASK,
  FW_CFG_FILE_DIR,
  FW_CFG_FILE_FIRST,
  FW_CFG_FILE_SIZE,
  FW_CFG_FILE_SLOTS_DFLT,
  FW_CFG_ID,
  FW_CFG_INVALID,
  FW_CFG_MAX_FILE_PATH,
  FW_CFG_SIGNATURE,
  FW_CFG_VERSION,
  FW_CFG_VERSION_DMA,
} from './fw-cfg-keys.js';

/** The guest memory the DMA interface reads descriptors from and copies to. */
export type FwCfgDmaMemory = Pick<AddressSpace, 'rw'>;

export interface FwCfgOptions {
  /** Guest memory for DMA; without it the DMA interface is absent (FW_CFG_ID says so). */
  dma?: FwCfgDmaMemory;
  /** Named-file slots (QEMU's `x-file-slots`); default 0x20. */
  fileSlots?: number;
  log?: LogSink;
}

/** What `addFile` and `addBytes` may attach to an item. */
export interface FwCfgItemOptions {
  /** The guest may overwrite the item by DMA write (QEMU's read_only = false). */
  allowWrite?: boolean;
  /** Runs when the guest selects the item, before it reads (QEMU's select_cb). */
  onSelect?: () => void;
  /** Runs after a DMA write changed `length` bytes at `offset` (QEMU's write_cb). */
  onWrite?: (offset: number, length: number) => void;
}

interface FwCfgEntry {
  data: Uint8Array;
  allowWrite: boolean;
  onSelect: (() => void) | undefined;
  onWrite: ((offset: number, length: number) => void) | undefined;
}

/** One file of the directory. */
export interface FwCfgFile {
  readonly name: string;
  readonly select: number;
  readonly size: number;
}

/** The device's runtime state as plain data (items are configuration, not state). */
export interface FwCfgState {
  curEntry: number;
  curOffset: number;
  dmaAddress: number;
}

/** Bytes copied per step of a DMA transfer: a guest-chosen 4 GiB length must not allocate 4 GiB. */
const DMA_CHUNK = 0x10000;
const TWO_32 = 2 ** 32;
const textEncoder = new TextEncoder();

/** A number as `size` little-endian bytes (how QEMU stores fw_cfg integers). */
export function littleEndianBytes(value: number, size: 2 | 4 | 8): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  if (size === 2) view.setUint16(0, value, true);
  else if (size === 4) view.setUint32(0, value >>> 0, true);
  else view.setBigUint64(0, BigInt.asUintN(64, BigInt(value)), true);
  return out;
}

export class FwCfg {
  /** The selected key, or FW_CFG_INVALID (state). */
  curEntry = FW_CFG_INVALID;
  /** The next byte of the selected item (state). */
  curOffset = 0;
  /** The DMA descriptor address being assembled (state). */
  dmaAddress = 0;
  readonly dmaEnabled: boolean;
  readonly fileSlots: number;
  readonly #entries: [(FwCfgEntry | undefined)[], (FwCfgEntry | undefined)[]];
  readonly #files: FwCfgFile[] = [];
  /** The FILE_DIR item: count and every slot, as QEMU allocates it. */
  readonly #directory: Uint8Array;
  readonly #dma: FwCfgDmaMemory | undefined;
  readonly #log: LogSink;
  readonly #zeros = new Uint8Array(DMA_CHUNK);

  constructor(options: FwCfgOptions = {}) {
    const slots = options.fileSlots ?? FW_CFG_FILE_SLOTS_DFLT;
    const maxSlots = FW_CFG_ENTRY_MASK - FW_CFG_FILE_FIRST + 1;
    if (!Number.isInteger(slots) || slots < 0x10 || slots > maxSlots) {
      throw new Error(
        `fw_cfg: file slots must be 0x10 to 0x${maxSlots.toString(16)}, got ${slots}`,
      );
    }
    this.fileSlots = slots;
    this.#dma = options.dma;
    this.dmaEnabled = options.dma !== undefined;
    this.#log = options.log ?? SILENT_LOG;
    const max = FW_CFG_FILE_FIRST + slots;
    this.#entries = [new Array(max).fill(undefined), new Array(max).fill(undefined)];
    this.#directory = new Uint8Array(4 + FW_CFG_FILE_SIZE * slots);
    // What every fw_cfg holds (fw_cfg_common_realize).
    this.addBytes(FW_CFG_SIGNATURE, textEncoder.encode('QEMU'));
    this.addI32(FW_CFG_ID, FW_CFG_VERSION | (this.dmaEnabled ? FW_CFG_VERSION_DMA : 0));
    this.addBytes(FW_CFG_FILE_DIR, this.#directory);
  }

  /** One past the highest valid item number (QEMU's fw_cfg_max_entry). */
  get maxEntry(): number {
    return FW_CFG_FILE_FIRST + this.fileSlots;
  }

  // ---- items -------------------------------------------------------------------------------

  #slot(key: number): { table: (FwCfgEntry | undefined)[]; index: number } {
    if (!Number.isInteger(key) || key < 0 || key > 0xffff) {
      throw new Error(`fw_cfg: key must be a 16-bit integer, got ${key}`);
    }
    const index = key & FW_CFG_ENTRY_MASK;
    if (index >= this.maxEntry) {
      throw new Error(
        `fw_cfg: key 0x${key.toString(16)} is beyond the last item 0x${(this.maxEntry - 1).toString(16)}`,
      );
    }
    return { table: this.#entries[key & FW_CFG_ARCH_LOCAL ? 1 : 0], index };
  }

  /** Add item `key` with `data` (QEMU's fw_cfg_add_bytes); a key may be added once. */
  addBytes(key: number, data: Uint8Array, options: FwCfgItemOptions = {}): void {
    const { table, index } = this.#slot(key);
    if (table[index]) throw new Error(`fw_cfg: key 0x${key.toString(16)} already has an item`);
    this.#set(table, index, data, options);
  }

  /** Replace item `key` (QEMU's fw_cfg_modify_bytes_read); adds it when missing. */
  modifyBytes(key: number, data: Uint8Array): void {
    const { table, index } = this.#slot(key);
    this.#set(table, index, data, {});
  }

  #set(
    table: (FwCfgEntry | undefined)[],
    index: number,
    data: Uint8Array,
    options: FwCfgItemOptions,
  ): void {
    if (data.length >= TWO_32 - 1) throw new Error('fw_cfg: an item must be below 4 GiB');
    table[index] = {
      data,
      allowWrite: options.allowWrite ?? false,
      onSelect: options.onSelect,
      onWrite: options.onWrite,
    };
  }

  /** A NUL-terminated string item. */
  addString(key: number, value: string): void {
    this.addBytes(key, stringBytes(value));
  }

  addI16(key: number, value: number): void {
    this.addBytes(key, littleEndianBytes(value, 2));
  }

  addI32(key: number, value: number): void {
    this.addBytes(key, littleEndianBytes(value, 4));
  }

  addI64(key: number, value: number): void {
    this.addBytes(key, littleEndianBytes(value, 8));
  }

  modifyI16(key: number, value: number): void {
    this.modifyBytes(key, littleEndianBytes(value, 2));
  }

  modifyI32(key: number, value: number): void {
    this.modifyBytes(key, littleEndianBytes(value, 4));
  }

  modifyI64(key: number, value: number): void {
    this.modifyBytes(key, littleEndianBytes(value, 8));
  }

  /** The bytes of item `key`, if it has one. */
  getBytes(key: number): Uint8Array | undefined {
    const { table, index } = this.#slot(key);
    return table[index]?.data;
  }

  /**
   * Add a named file (QEMU's fw_cfg_add_file): it gets the selector of its place in the
   * directory, which is sorted by name as in current machine types, so adding a file can
   * move the selectors of the files after it.
   */
  addFile(name: string, data: Uint8Array, options: FwCfgItemOptions = {}): void {
    const nameBytes = textEncoder.encode(name);
    if (nameBytes.length === 0 || nameBytes.length >= FW_CFG_MAX_FILE_PATH) {
      throw new Error(
        `fw_cfg: a file name must be 1 to ${FW_CFG_MAX_FILE_PATH - 1} bytes: '${name}'`,
      );
    }
    if (this.#files.some((f) => f.name === name))
      throw new Error(`duplicate fw_cfg file name: ${name}`);
    if (this.#files.length >= this.fileSlots) {
      throw new Error(
        `fw_cfg: no free file slot for '${name}' (x-file-slots is ${this.fileSlots})`,
      );
    }
    let index = this.#files.length;
    while (index > 0 && compareNames(name, this.#files[index - 1].name) < 0) index--;
    const table = this.#entries[0];
    for (let i = this.#files.length; i > index; i--) {
      table[FW_CFG_FILE_FIRST + i] = table[FW_CFG_FILE_FIRST + i - 1];
    }
    this.#files.splice(index, 0, { name, select: 0, size: 0 });
    table[FW_CFG_FILE_FIRST + index] = undefined;
    this.#set(table, FW_CFG_FILE_FIRST + index, data, options);
    this.#rebuildDirectory();
  }

  /** Replace a file's contents, or add it (QEMU's fw_cfg_modify_file). */
  modifyFile(name: string, data: Uint8Array): void {
    const index = this.#files.findIndex((f) => f.name === name);
    if (index < 0) {
      this.addFile(name, data);
      return;
    }
    this.#set(this.#entries[0], FW_CFG_FILE_FIRST + index, data, {});
    this.#rebuildDirectory();
  }

  /** The directory, in selector order. */
  get files(): readonly FwCfgFile[] {
    return this.#files;
  }

  /** A file's contents by name. */
  getFile(name: string): Uint8Array | undefined {
    const index = this.#files.findIndex((f) => f.name === name);
    return index < 0 ? undefined : this.#entries[0][FW_CFG_FILE_FIRST + index]?.data;
  }

  #rebuildDirectory(): void {
    const dir = this.#directory;
    const view = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
    dir.fill(0);
    view.setUint32(0, this.#files.length, false);
    this.#files.forEach((file, i) => {
      const select = FW_CFG_FILE_FIRST + i;
      const size = this.#entries[0][select]?.data.length ?? 0;
      this.#files[i] = { name: file.name, select, size };
      const at = 4 + i * FW_CFG_FILE_SIZE;
      view.setUint32(at, size, false);
      view.setUint16(at + 4, select, false);
      dir.set(textEncoder.encode(file.name), at + 8);
    });
  }

  // ---- the selector and data registers -------------------------------------------------------

  #current(): FwCfgEntry | undefined {
    if (this.curEntry === FW_CFG_INVALID) return undefined;
    const table = this.#entries[this.curEntry & FW_CFG_ARCH_LOCAL ? 1 : 0];
    return table[this.curEntry & FW_CFG_ENTRY_MASK];
  }

  /** Select item `key` and rewind it (QEMU's fw_cfg_select); an unknown key selects nothing. */
  select(key: number): boolean {
    key &= 0xffff;
    this.curOffset = 0;
    if ((key & FW_CFG_ENTRY_MASK) >= this.maxEntry) {
      this.curEntry = FW_CFG_INVALID;
      return false;
    }
    this.curEntry = key;
    this.#current()?.onSelect?.();
    return true;
  }

  /**
   * Read `size` bytes of the item as a big-endian number (QEMU's fw_cfg_data_read: the
   * bytes keep their order in a wide read), zero-padded past the end.
   */
  readData(size = 1): number {
    const entry = this.#current();
    let value = 0;
    for (let i = 0; i < size; i++) {
      let byte = 0;
      if (entry && this.curOffset < entry.data.length) byte = entry.data[this.curOffset++];
      value = value * 256 + byte;
    }
    return value;
  }

  /** The data register no longer takes writes (QEMU 2.4 removed them): ignored. */
  writeData(_value: number): void {
    this.#guestError('write to the data register ignored (use DMA to write items)');
  }

  // ---- the DMA interface ---------------------------------------------------------------------

  /** A read of the DMA address register: the "QEMU CFG" signature, big-endian. */
  readDmaRegister(offset: number, size: number): number {
    let value = 0;
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      value = value * 256 + (at < 8 ? FW_CFG_DMA_SIGNATURE.charCodeAt(at) : 0);
    }
    return value;
  }

  /**
   * A write of the DMA address register (value in the register's big-endian byte order,
   * as a number): the high half at offset 0 starts a new address; the low half at offset 4
   * completes it and runs the transfer; an 8-byte write at 0 does both.
   */
  writeDmaRegister(offset: number, value: number, size: number): void {
    if (!this.dmaEnabled) return;
    if (size === 4 && offset === 0) {
      this.dmaAddress = (value >>> 0) * TWO_32;
    } else if (size === 4 && offset === 4) {
      this.dmaAddress += value >>> 0;
      this.dmaTransfer();
    } else if (size === 8 && offset === 0) {
      this.dmaAddress = value;
      this.dmaTransfer();
    }
  }

  /** Run the transfer the descriptor at `dmaAddress` describes (QEMU's fw_cfg_dma_transfer). */
  dmaTransfer(): void {
    const dma = this.#dma;
    const descriptorAddr = this.dmaAddress;
    this.dmaAddress = 0;
    if (!dma) return;
    const descriptor = new Uint8Array(16);
    if (dma.rw(descriptorAddr, descriptor, false) !== 0) {
      this.#writeControl(descriptorAddr, FW_CFG_DMA_CTL_ERROR);
      this.#guestError(`DMA descriptor at 0x${descriptorAddr.toString(16)} is unreadable`);
      return;
    }
    const view = new DataView(descriptor.buffer);
    let control = view.getUint32(0, false);
    let length = view.getUint32(4, false);
    let address = view.getUint32(8, false) * TWO_32 + view.getUint32(12, false);

    if (control & FW_CFG_DMA_CTL_SELECT) this.select(control >>> 16);
    const entry = this.#current();
    let read = false;
    let write = false;
    if (control & FW_CFG_DMA_CTL_READ) read = true;
    else if (control & FW_CFG_DMA_CTL_WRITE) write = true;
    else if (!(control & FW_CFG_DMA_CTL_SKIP)) length = 0;

    control = 0;
    while (length > 0 && !(control & FW_CFG_DMA_CTL_ERROR)) {
      let len: number;
      if (!entry || this.curOffset >= entry.data.length) {
        // Past the item: a read fills zeros, a write is an error, a skip does nothing.
        len = Math.min(length, DMA_CHUNK);
        if (read && dma.rw(address, this.#zeros.subarray(0, len), true) !== 0) {
          control |= FW_CFG_DMA_CTL_ERROR;
        }
        if (write) control |= FW_CFG_DMA_CTL_ERROR;
        if (!read) len = length;
      } else {
        len = Math.min(length, entry.data.length - this.curOffset);
        const bytes = entry.data.subarray(this.curOffset, this.curOffset + len);
        if (read && dma.rw(address, bytes, true) !== 0) control |= FW_CFG_DMA_CTL_ERROR;
        if (write) {
          if (!entry.allowWrite || len !== length) {
            control |= FW_CFG_DMA_CTL_ERROR;
          } else {
            const incoming = new Uint8Array(len);
            if (dma.rw(address, incoming, false) !== 0) {
              control |= FW_CFG_DMA_CTL_ERROR;
            } else {
              bytes.set(incoming);
              entry.onWrite?.(this.curOffset, len);
            }
          }
        }
        this.curOffset += len;
      }
      address += len;
      length -= len;
    }
    this.#writeControl(descriptorAddr, control);
  }

  #writeControl(descriptorAddr: number, control: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, control >>> 0, false);
    this.#dma?.rw(descriptorAddr, bytes, true);
  }

  // ---- reset and state -----------------------------------------------------------------------

  /** Reset selects the signature (QEMU's fw_cfg_reset). */
  reset(): void {
    this.select(FW_CFG_SIGNATURE);
    this.dmaAddress = 0;
  }

  state(): FwCfgState {
    return { curEntry: this.curEntry, curOffset: this.curOffset, dmaAddress: this.dmaAddress };
  }

  loadState(state: FwCfgState): void {
    const key = state.curEntry & 0xffff;
    this.curEntry = (key & FW_CFG_ENTRY_MASK) < this.maxEntry ? key : FW_CFG_INVALID;
    this.curOffset = Math.max(0, Math.min(Math.floor(state.curOffset), TWO_32 - 1));
    this.dmaAddress = Math.max(0, Math.floor(state.dmaAddress));
  }

  #guestError(text: string): void {
    if (this.#log.enabled('guest_errors')) this.#log.write('guest_errors', `fw_cfg: ${text}\n`);
  }
}

/** A string as fw_cfg stores it: UTF-8 with a terminating NUL. */
export function stringBytes(value: string): Uint8Array {
  const text = textEncoder.encode(value);
  const out = new Uint8Array(text.length + 1);
  out.set(text);
  return out;
}

/** strcmp order of two names (bytes of their UTF-8). */
function compareNames(a: string, b: string): number {
  const x = textEncoder.encode(a);
  const y = textEncoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
