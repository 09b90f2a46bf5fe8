/**
 * An IDE channel (QEMU's IDEBus with its two IDEStates, hw/ide/core.c for behaviour): the
 * command block registers (offsets 0-7), the control block (alternate status / device
 * control), master and slave, ATA disk commands and the ATAPI packet protocol. Block I/O
 * goes through `@tsemu/block`'s `BlockBackend`, whose requests resolve (never reject);
 * the command completes, and the interrupt is raised, when they do.
 *
 * ```ts
 * const channel = new IdeChannel({ master: { kind: 'disk', backend }, irq });
 * channel.write(IDE_SELECT, 0xe0, 1);       // master, LBA
 * channel.write(IDE_NSECTOR, 1, 1);
 * channel.write(IDE_COMMAND, WIN_READ, 1);
 * await channel.drain();                     // the read completed: DRQ and INTRQ are set
 * const word = channel.read(IDE_DATA, 2);
 * ```
 */
import type { BlockResult } from '@tsemu/block';
import { type IrqTrigger, type LogSink, SILENT_LOG, UNCONNECTED_IRQ } from '../device-env.js';
import { type AtapiAction, decodeAtapiPacket } from './atapi.js';
import {
  DmaKind,
  type DmaKind as DmaKindT,
  type IdeDriveConfig,
  IdeDrivePosition,
  type IdeDriveState,
  Transfer,
} from './ide-drive.js';
import {
  ASC_UNRECOVERED_READ_ERROR,
  ATAPI_INT_REASON_CD,
  ATAPI_INT_REASON_IO,
  ATAPI_PACKET_SIZE,
  CD_SECTOR_SIZE,
  CTRL_HOB,
  CTRL_NIEN,
  CTRL_SRST,
  ERROR_ABRT,
  ERROR_IDNF,
  IDE_COMMAND,
  IDE_DATA,
  IDE_ERROR,
  IDE_HCYL,
  IDE_LCYL,
  IDE_NSECTOR,
  IDE_SECTOR,
  IDE_SELECT,
  MAX_MULT_SECTORS,
  SELECT_DEV,
  SENSE_UNIT_ATTENTION,
  STATUS_BSY,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
  WIN_CHECKPOWERMODE1,
  WIN_DEVICE_RESET,
  WIN_DIAGNOSE,
  WIN_FLUSH_CACHE,
  WIN_FLUSH_CACHE_EXT,
  WIN_IDENTIFY,
  WIN_IDLEIMMEDIATE,
  WIN_MULTREAD,
  WIN_MULTREAD_EXT,
  WIN_MULTWRITE,
  WIN_MULTWRITE_EXT,
  WIN_PACKETCMD,
  WIN_PIDENTIFY,
  WIN_READ,
  WIN_READ_EXT,
  WIN_READ_ONCE,
  WIN_READDMA,
  WIN_READDMA_EXT,
  WIN_READDMA_ONCE,
  WIN_SETFEATURES,
  WIN_SETIDLE1,
  WIN_SETMULT,
  WIN_SLEEPNOW1,
  WIN_SPECIFY,
  WIN_STANDBY,
  WIN_STANDBYNOW1,
  WIN_VERIFY,
  WIN_VERIFY_EXT,
  WIN_VERIFY_ONCE,
  WIN_WRITE,
  WIN_WRITE_EXT,
  WIN_WRITE_ONCE,
  WIN_WRITEDMA,
  WIN_WRITEDMA_EXT,
  WIN_WRITEDMA_ONCE,
} from './ide-regs.js';
import { ataIdentify, atapiIdentify } from './identify.js';

/** How one bus-master copy went: all bytes, the PRD table ran out, or a PRD hit no memory. */
export type DmaTransferStatus = 'ok' | 'short' | 'fault';

/** The bus master as the channel sees it while a DMA command runs. */
export interface IdeDmaBus {
  /** Copies `buf` to (or fills it from) guest memory along the PRD table. */
  transfer(buf: Uint8Array, toMemory: boolean): DmaTransferStatus;
  /** The command's DMA is over: the bus master goes inactive (with ERROR for a fault). */
  end(outcome: DmaTransferStatus): void;
}

/** The bus master as the channel notifies it: a DMA command is waiting. */
export interface IdeDmaController {
  dmaRequested(): void;
}

export interface IdeChannelOptions {
  master?: IdeDriveConfig;
  slave?: IdeDriveConfig;
  /** INTRQ (IRQ 14 or 15 on a PC, through the bus master's interrupt bit). */
  irq?: IrqTrigger;
  log?: LogSink;
  /** Distinguishes serial numbers between channels (QEMU numbers drives QM00001...). */
  firstSerial?: number;
}

/** A channel's saved state (`state()` / `IdeChannel.fromState`). */
export interface IdeChannelState {
  unit: 0 | 1;
  control: number;
  irqPending: boolean;
  drives: [IdeDriveState, IdeDriveState];
}

const ATA_SECTOR = 512;
/** Sectors per block-layer request for DMA: 64 KiB, the buffer size. */
const DMA_CHUNK_SECTORS = 128;
const CD_CHUNK_SECTORS = 32;

export class IdeChannel {
  readonly drives: readonly [IdeDrivePosition, IdeDrivePosition];
  private unit: 0 | 1 = 0;
  private control = 0;
  private irqPending = false;
  private irqLevel = false;
  /** Bumped by resets and DMA cancels: completions of older requests are dropped. */
  private epoch = 0;
  private dmaRunning = false;
  private dmaController: IdeDmaController | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly irq: IrqTrigger;
  private readonly log: LogSink;
  private readonly removers: (() => void)[] = [];

  constructor(options: IdeChannelOptions = {}) {
    const first = options.firstSerial ?? 1;
    const position = (unit: 0 | 1, config: IdeDriveConfig | undefined) =>
      new IdeDrivePosition(
        unit,
        config?.kind ?? null,
        config?.backend ?? null,
        config,
        first + unit,
      );
    this.drives = [position(0, options.master), position(1, options.slave)];
    this.irq = options.irq ?? UNCONNECTED_IRQ;
    this.log = options.log ?? SILENT_LOG;
    for (const d of this.drives) {
      d.reset();
      if (d.kind === 'cdrom' && d.backend) {
        this.removers.push(d.backend.onMediumChange(() => this.mediumChanged(d)));
      }
    }
  }

  /**
   * The channel's state as plain data. Block requests must have settled (`await drain()`),
   * as QEMU drains its block layer before saving; a DMA command waiting for the bus master
   * is saved and resumes when the bus master is started.
   */
  state(): IdeChannelState {
    if (this.busy || this.dmaRunning) {
      throw new Error(
        'IdeChannel.state(): a block request is in flight; await channel.drain() first',
      );
    }
    return {
      unit: this.unit,
      control: this.control,
      irqPending: this.irqPending,
      drives: [this.drives[0].state(), this.drives[1].state()],
    };
  }

  /** A channel with the given drives in a saved state; re-raises the interrupt it implies. */
  static fromState(state: IdeChannelState, options: IdeChannelOptions = {}): IdeChannel {
    const channel = new IdeChannel(options);
    channel.unit = state.unit === 1 ? 1 : 0;
    channel.control = state.control & 0xff;
    channel.irqPending = state.irqPending;
    channel.drives[0].loadState(state.drives[0]);
    channel.drives[1].loadState(state.drives[1]);
    channel.updateIrq();
    return channel;
  }

  /** Stops listening to the drives' media changes. */
  detach(): void {
    for (const remove of this.removers.splice(0)) remove();
  }

  /** Connects the bus master that runs this channel's DMA commands. */
  attachDma(controller: IdeDmaController): void {
    this.dmaController = controller;
  }

  /** Resolves once no block request of this channel is in flight (tests, snapshots). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Whether a block request is in flight. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** The level INTRQ is driven to. */
  get irqAsserted(): boolean {
    return this.irqLevel;
  }

  private get current(): IdeDrivePosition {
    return this.drives[this.unit];
  }

  private get noDevices(): boolean {
    return !this.drives[0].present && !this.drives[1].present;
  }

  /** Whether the selected position reads as "nothing there" (QEMU: both absent, or absent slave). */
  private get selectedAbsent(): boolean {
    return this.noDevices || (this.unit === 1 && !this.drives[1].present);
  }

  // ---- Command block ---------------------------------------------------------------------

  /** Reads a command block register (`size` 2 or 4 only for the data register). */
  read(offset: number, size: 1 | 2 | 4 = 1): number {
    const reg = offset & 7;
    if (reg === IDE_DATA) return size === 1 ? 0xff : this.readData(size);
    const d = this.current;
    const hob = (this.control & CTRL_HOB) !== 0;
    switch (reg) {
      case IDE_ERROR:
        if (this.selectedAbsent) return 0;
        return hob ? d.hobFeature : d.error;
      case IDE_NSECTOR:
        if (this.noDevices) return 0;
        return hob ? d.hobNsector : d.nsector;
      case IDE_SECTOR:
        if (this.noDevices) return 0;
        return hob ? d.hobSector : d.sector;
      case IDE_LCYL:
        if (this.noDevices) return 0;
        return hob ? d.hobLcyl : d.lcyl;
      case IDE_HCYL:
        if (this.noDevices) return 0;
        return hob ? d.hobHcyl : d.hcyl;
      case IDE_SELECT:
        return this.noDevices ? 0 : d.select;
      default: {
        // Status: reading it acknowledges the interrupt.
        this.irqPending = false;
        this.updateIrq();
        return this.selectedAbsent ? 0 : d.status;
      }
    }
  }

  /** Writes a command block register. */
  write(offset: number, value: number, size: 1 | 2 | 4 = 1): void {
    const reg = offset & 7;
    if (reg === IDE_DATA) {
      if (size !== 1) this.writeData(value, size);
      return;
    }
    const v = value & 0xff;
    // The taskfile belongs to the device while it is busy or transferring data.
    if (reg !== IDE_COMMAND && this.current.status & (STATUS_BSY | STATUS_DRQ)) {
      this.guestError(`taskfile write ${reg}=0x${v.toString(16)} while busy ignored`);
      return;
    }
    this.control &= ~CTRL_HOB;
    for (const d of this.drives) {
      switch (reg) {
        case IDE_ERROR:
          d.hobFeature = d.feature;
          d.feature = v;
          break;
        case IDE_NSECTOR:
          d.hobNsector = d.nsector;
          d.nsector = v;
          break;
        case IDE_SECTOR:
          d.hobSector = d.sector;
          d.sector = v;
          break;
        case IDE_LCYL:
          d.hobLcyl = d.lcyl;
          d.lcyl = v;
          break;
        case IDE_HCYL:
          d.hobHcyl = d.hcyl;
          d.hcyl = v;
          break;
        case IDE_SELECT:
          d.select = d.unit === 1 ? v | SELECT_DEV : v & ~SELECT_DEV;
          break;
      }
    }
    if (reg === IDE_SELECT) this.unit = v & SELECT_DEV ? 1 : 0;
    if (reg === IDE_COMMAND) {
      this.irqPending = false;
      this.updateIrq();
      this.execute(v);
    }
  }

  // ---- Control block ---------------------------------------------------------------------

  /** Alternate status: the status without acknowledging the interrupt. */
  readControl(): number {
    return this.selectedAbsent ? 0 : this.current.status;
  }

  /** Device control: nIEN, SRST and HOB. */
  writeControl(value: number): void {
    const v = value & 0xff;
    const wasReset = (this.control & CTRL_SRST) !== 0;
    if (!wasReset && v & CTRL_SRST) {
      // Reset asserted: both devices busy until it is released.
      this.cancelAll();
      for (const d of this.drives) {
        d.endCommand();
        d.status = STATUS_BSY | STATUS_DSC;
        d.error = 0x01;
      }
      this.irqPending = false;
    } else if (wasReset && !(v & CTRL_SRST)) {
      for (const d of this.drives) d.reset();
      this.unit = 0;
    }
    this.control = v;
    this.updateIrq();
  }

  /** Power-on / bus reset (QEMU's ide_bus_reset). */
  reset(): void {
    this.cancelAll();
    this.control = 0;
    this.unit = 0;
    this.irqPending = false;
    for (const d of this.drives) {
      d.reset();
      d.atapi.trayOpen = false;
      d.atapi.trayLocked = false;
    }
    this.updateIrq();
  }

  // ---- Data port -------------------------------------------------------------------------

  private readData(size: 2 | 4): number {
    const d = this.current;
    const dataIn =
      d.transfer === Transfer.DataIn ||
      d.transfer === Transfer.AtaRead ||
      d.transfer === Transfer.AtapiDataIn;
    if (!(d.status & STATUS_DRQ) || !dataIn || d.dataPos + size > d.dataEnd) return 0;
    const b = d.buffer;
    const p = d.dataPos;
    const value =
      size === 2
        ? b[p] | (b[p + 1] << 8)
        : (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    d.dataPos += size;
    if (d.dataPos >= d.dataEnd) this.blockDone(d);
    return value;
  }

  private writeData(value: number, size: 2 | 4): void {
    const d = this.current;
    const dataOut = d.transfer === Transfer.AtaWrite || d.transfer === Transfer.AtapiPacket;
    if (!(d.status & STATUS_DRQ) || !dataOut || d.dataPos + size > d.dataEnd) return;
    for (let i = 0; i < size; i++) d.buffer[d.dataPos + i] = (value >>> (8 * i)) & 0xff;
    d.dataPos += size;
    if (d.dataPos >= d.dataEnd) this.blockDone(d);
  }

  /** The host moved the whole DRQ block: what the command does next. */
  private blockDone(d: IdeDrivePosition): void {
    switch (d.transfer) {
      case Transfer.DataIn:
        d.endCommand();
        d.status = STATUS_DRDY | STATUS_DSC;
        return;
      case Transfer.AtaRead:
        if (d.remaining === 0) {
          d.endCommand();
          d.status = STATUS_DRDY | STATUS_DSC;
        } else {
          this.readNextBlock(d);
        }
        return;
      case Transfer.AtaWrite:
        this.writeBlock(d);
        return;
      case Transfer.AtapiPacket:
        this.runPacket(d);
        return;
      case Transfer.AtapiDataIn:
        if (d.dataEnd < d.bufferFill) this.atapiNextDrq(d);
        else if (d.remaining > 0) this.atapiReadChunk(d);
        else this.atapiOk(d);
        return;
    }
  }

  // ---- Commands --------------------------------------------------------------------------

  private execute(cmd: number): void {
    const d = this.current;
    if (this.noDevices || (this.unit === 1 && !d.present)) return; // nobody to answer
    if (d.status & (STATUS_BSY | STATUS_DRQ) && !(cmd === WIN_DEVICE_RESET && d.kind === 'cdrom')) {
      this.guestError(`command 0x${cmd.toString(16)} while busy ignored`);
      return;
    }
    d.error = 0;
    d.lba48 = false;
    if (d.kind === null || !d.backend) {
      this.abort(d); // an absent master behind a present slave
      return;
    }
    if (d.kind === 'cdrom') this.executeAtapiDeviceCommand(d, cmd);
    else this.executeDiskCommand(d, cmd);
  }

  private executeDiskCommand(d: IdeDrivePosition, cmd: number): void {
    switch (cmd) {
      case WIN_IDENTIFY:
        this.dataIn(d, ataIdentify(this.identifyParams(d)));
        return;
      case WIN_READ:
      case WIN_READ_ONCE:
      case WIN_READ_EXT:
        d.lba48 = cmd === WIN_READ_EXT;
        this.startPio(d, false, 1);
        return;
      case WIN_MULTREAD:
      case WIN_MULTREAD_EXT:
        if (!d.multSectors) {
          this.abort(d);
          return;
        }
        d.lba48 = cmd === WIN_MULTREAD_EXT;
        this.startPio(d, false, d.multSectors);
        return;
      case WIN_WRITE:
      case WIN_WRITE_ONCE:
      case WIN_WRITE_EXT:
        d.lba48 = cmd === WIN_WRITE_EXT;
        this.startPio(d, true, 1);
        return;
      case WIN_MULTWRITE:
      case WIN_MULTWRITE_EXT:
        if (!d.multSectors) {
          this.abort(d);
          return;
        }
        d.lba48 = cmd === WIN_MULTWRITE_EXT;
        this.startPio(d, true, d.multSectors);
        return;
      case WIN_READDMA:
      case WIN_READDMA_ONCE:
      case WIN_READDMA_EXT:
        d.lba48 = cmd === WIN_READDMA_EXT;
        this.startAtaDma(d, DmaKind.AtaRead);
        return;
      case WIN_WRITEDMA:
      case WIN_WRITEDMA_ONCE:
      case WIN_WRITEDMA_EXT:
        d.lba48 = cmd === WIN_WRITEDMA_EXT;
        this.startAtaDma(d, DmaKind.AtaWrite);
        return;
      case WIN_VERIFY:
      case WIN_VERIFY_ONCE:
      case WIN_VERIFY_EXT: {
        d.lba48 = cmd === WIN_VERIFY_EXT;
        const start = d.currentSector();
        if (!this.rangeOk(d, start, d.sectorCount())) {
          this.idnf(d);
          return;
        }
        this.complete(d);
        return;
      }
      case WIN_SETMULT: {
        const n = d.nsector;
        if (n > MAX_MULT_SECTORS || (n & (n - 1)) !== 0) {
          this.abort(d);
          return;
        }
        d.multSectors = n;
        this.complete(d);
        return;
      }
      case WIN_FLUSH_CACHE:
      case WIN_FLUSH_CACHE_EXT: {
        d.status = STATUS_DRDY | STATUS_BSY;
        const backend = d.backend!;
        this.request(backend.flush(), (result) => {
          if (!result.ok) {
            this.ioError(d, result);
            return;
          }
          this.complete(d);
        });
        return;
      }
      case WIN_SPECIFY:
        // INITIALIZE DEVICE PARAMETERS: accepted; the translation stays as IDENTIFY reports (QEMU).
        this.complete(d);
        return;
      case WIN_PIDENTIFY:
      case WIN_PACKETCMD:
      case WIN_DEVICE_RESET:
        this.abort(d);
        return;
      default:
        if ((cmd & 0xf0) === 0x10 || (cmd & 0xf0) === 0x70) {
          this.complete(d); // RECALIBRATE, SEEK
          return;
        }
        this.commonCommand(d, cmd);
        return;
    }
  }

  private executeAtapiDeviceCommand(d: IdeDrivePosition, cmd: number): void {
    switch (cmd) {
      case WIN_PIDENTIFY:
        this.dataIn(d, atapiIdentify({ ...this.identifyParams(d) }));
        return;
      case WIN_IDENTIFY:
      case WIN_READ:
      case WIN_READ_ONCE:
      case WIN_READ_EXT:
        // ATA-4: a packet device aborts these with its signature in the taskfile.
        d.setSignature();
        this.abort(d);
        return;
      case WIN_PACKETCMD:
        d.atapiDma = (d.feature & 1) !== 0;
        d.byteCountLimit = (d.hcyl << 8) | d.lcyl;
        d.nsector = (d.nsector & ~7) | ATAPI_INT_REASON_CD;
        d.transfer = Transfer.AtapiPacket;
        d.dataPos = 0;
        d.dataEnd = ATAPI_PACKET_SIZE;
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
        return;
      case WIN_DEVICE_RESET:
        this.cancelAll();
        d.reset();
        return;
      default:
        this.commonCommand(d, cmd);
        return;
    }
  }

  /** Commands both kinds of device take. */
  private commonCommand(d: IdeDrivePosition, cmd: number): void {
    switch (cmd) {
      case WIN_DIAGNOSE:
        d.setSignature();
        d.error = 0x01; // device 0 passed, device 1 passed or absent
        if (d.kind === 'cdrom') {
          d.status = 0;
          return;
        }
        d.status = STATUS_DRDY | STATUS_DSC;
        this.raiseIrq();
        return;
      case WIN_SETFEATURES:
        this.setFeatures(d);
        return;
      case WIN_CHECKPOWERMODE1:
        d.nsector = 0xff; // active or idle
        this.complete(d);
        return;
      case WIN_STANDBYNOW1:
      case WIN_IDLEIMMEDIATE:
      case WIN_STANDBY:
      case WIN_SETIDLE1:
      case WIN_SLEEPNOW1:
        this.complete(d); // power management has no effect on an emulated drive
        return;
      default:
        this.log.enabled('unimp') &&
          this.log.write('unimp', `ide: command 0x${cmd.toString(16)} not supported`);
        this.abort(d);
        return;
    }
  }

  private setFeatures(d: IdeDrivePosition): void {
    switch (d.feature) {
      case 0x02: // enable write cache
      case 0x82: // disable write cache
        if (d.kind === 'disk' && d.backend) d.backend.writeCacheEnabled = d.feature === 0x02;
        this.complete(d);
        return;
      case 0x03: {
        // Set transfer mode from the sector count register.
        const mode = d.nsector & 7;
        switch (d.nsector >> 3) {
          case 0:
          case 1:
            d.transferMode = { kind: 'pio' };
            break;
          case 2:
            d.transferMode = { kind: 'sdma', mode };
            break;
          case 4:
            d.transferMode = { kind: 'mdma', mode };
            break;
          case 8:
            d.transferMode = { kind: 'udma', mode };
            break;
          default:
            this.abort(d);
            return;
        }
        this.complete(d);
        return;
      }
      // Features QEMU accepts without effect: revert to defaults, read look-ahead,
      // advanced power management, acoustic management, reporting of retries...
      case 0xcc:
      case 0x66:
      case 0xaa:
      case 0x55:
      case 0x05:
      case 0x85:
      case 0x69:
      case 0x67:
      case 0x96:
      case 0x9a:
      case 0x42:
      case 0xc2:
        this.complete(d);
        return;
      default:
        this.abort(d);
        return;
    }
  }

  private identifyParams(d: IdeDrivePosition) {
    return {
      serial: d.serial,
      firmware: d.firmware,
      model: d.model,
      totalSectors: d.backend?.sectors ?? 0,
      geometry: d.geometry,
      multSectors: d.multSectors,
      writeCache: d.backend?.writeCacheEnabled ?? false,
      transferMode: d.transferMode,
    };
  }

  // ---- ATA transfers ---------------------------------------------------------------------

  private rangeOk(d: IdeDrivePosition, start: number, count: number): boolean {
    const total = d.backend?.sectors ?? 0;
    return start >= 0 && start <= total && count <= total - start;
  }

  /** Starts a PIO READ/WRITE (SECTORS or MULTIPLE) at the taskfile address. */
  private startPio(d: IdeDrivePosition, isWrite: boolean, blockLimit: number): void {
    const start = d.currentSector();
    const count = d.sectorCount();
    if (!this.rangeOk(d, start, count)) {
      this.idnf(d);
      return;
    }
    d.nextSector = start;
    d.remaining = count;
    d.blockLimit = blockLimit;
    if (isWrite) {
      d.transfer = Transfer.AtaWrite;
      this.openWriteBlock(d); // the first block is requested without an interrupt
    } else {
      d.transfer = Transfer.AtaRead;
      this.readNextBlock(d);
    }
  }

  private readNextBlock(d: IdeDrivePosition): void {
    const n = Math.min(d.remaining, d.blockLimit);
    d.status = STATUS_DRDY | STATUS_BSY;
    this.request(
      d.backend!.readSectors(d.nextSector, d.buffer.subarray(0, n * ATA_SECTOR)),
      (result) => {
        if (!result.ok) {
          this.ioError(d, result);
          return;
        }
        this.advance(d, n);
        d.dataPos = 0;
        d.dataEnd = n * ATA_SECTOR;
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
        this.raiseIrq();
      },
    );
  }

  private openWriteBlock(d: IdeDrivePosition): void {
    d.blockSectors = Math.min(d.remaining, d.blockLimit);
    d.dataPos = 0;
    d.dataEnd = d.blockSectors * ATA_SECTOR;
    d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
  }

  private writeBlock(d: IdeDrivePosition): void {
    const n = d.blockSectors;
    d.status = STATUS_DRDY | STATUS_BSY;
    this.request(
      d.backend!.writeSectors(d.nextSector, d.buffer.subarray(0, n * ATA_SECTOR)),
      (result) => {
        if (!result.ok) {
          this.ioError(d, result);
          return;
        }
        this.advance(d, n);
        if (d.remaining === 0) {
          d.endCommand();
          d.status = STATUS_DRDY | STATUS_DSC;
        } else {
          this.openWriteBlock(d);
        }
        this.raiseIrq();
      },
    );
  }

  /** `n` sectors were transferred: the taskfile shows the next address and what is left. */
  private advance(d: IdeDrivePosition, n: number): void {
    d.nextSector += n;
    d.remaining -= n;
    d.setCurrentSector(d.nextSector);
    d.nsector = d.remaining & 0xff;
    if (d.lba48) d.hobNsector = (d.remaining >> 8) & 0xff;
  }

  private startAtaDma(d: IdeDrivePosition, kind: DmaKindT): void {
    const start = d.currentSector();
    const count = d.sectorCount();
    if (!this.rangeOk(d, start, count)) {
      this.idnf(d);
      return;
    }
    d.nextSector = start;
    d.remaining = count;
    this.requestDma(d, kind, STATUS_DRDY | STATUS_DSC | STATUS_DRQ);
  }

  private requestDma(d: IdeDrivePosition, kind: DmaKindT, status: number): void {
    d.dma = kind;
    d.status = status;
    this.dmaController?.dmaRequested();
  }

  // ---- ATAPI -----------------------------------------------------------------------------

  private runPacket(d: IdeDrivePosition): void {
    const packet = d.buffer.slice(0, ATAPI_PACKET_SIZE);
    d.transfer = Transfer.None;
    d.status = STATUS_DRDY | STATUS_BSY;
    const backend = d.backend!;
    const inserted = backend.isInserted;
    const sectors512 = inserted ? backend.sectors : 0;
    const action: AtapiAction = decodeAtapiPacket(
      packet,
      d.atapi,
      { inserted, present: inserted && !d.atapi.trayOpen && sectors512 > 0, sectors512 },
      { vendor: 'QEMU', product: d.model, revision: d.firmware },
    );
    switch (action.kind) {
      case 'ok':
        this.atapiOk(d);
        return;
      case 'error':
        this.atapiError(d, action.senseKey, action.asc);
        return;
      case 'reply':
        if (action.data.length === 0) {
          this.atapiOk(d);
          return;
        }
        d.buffer.set(action.data);
        d.bufferFill = action.data.length;
        d.packetRemaining = action.data.length;
        d.remaining = 0;
        d.dataEnd = 0;
        if (d.atapiDma) {
          this.requestDma(
            d,
            DmaKind.AtapiReply,
            STATUS_DRDY | STATUS_DSC | STATUS_DRQ | STATUS_BSY,
          );
          return;
        }
        d.transfer = Transfer.AtapiDataIn;
        this.atapiNextDrq(d);
        return;
      case 'read':
        d.nextSector = action.lba;
        d.remaining = action.count;
        d.packetRemaining = action.count * CD_SECTOR_SIZE;
        if (d.atapiDma) {
          this.requestDma(d, DmaKind.AtapiRead, STATUS_DRDY | STATUS_DSC | STATUS_DRQ | STATUS_BSY);
          return;
        }
        d.transfer = Transfer.AtapiDataIn;
        this.atapiReadChunk(d);
        return;
    }
  }

  /** Reads the next CD sectors into the buffer, then offers them in DRQ blocks. */
  private atapiReadChunk(d: IdeDrivePosition): void {
    const n = Math.min(d.remaining, CD_CHUNK_SECTORS);
    d.status = STATUS_DRDY | STATUS_BSY;
    const buf = d.buffer.subarray(0, n * CD_SECTOR_SIZE);
    this.request(d.backend!.readSectors(d.nextSector * 4, buf), (result) => {
      if (!result.ok) {
        this.atapiReadFailed(d, result);
        return;
      }
      d.nextSector += n;
      d.remaining -= n;
      d.bufferFill = n * CD_SECTOR_SIZE;
      d.dataEnd = 0;
      this.atapiNextDrq(d);
    });
  }

  /** Offers the next DRQ block: at most the byte count limit, never past the buffer. */
  private atapiNextDrq(d: IdeDrivePosition): void {
    let limit = d.byteCountLimit;
    if (limit === 0 || limit === 0xffff) limit = 0xfffe; // 0 would never progress
    let size = d.packetRemaining;
    if (size > limit) size = Math.max(2, limit & ~1); // a partial block must be even
    size = Math.min(size, d.bufferFill - d.dataEnd);
    d.lcyl = size & 0xff;
    d.hcyl = (size >> 8) & 0xff;
    d.dataPos = d.dataEnd;
    d.dataEnd += size;
    d.packetRemaining -= size;
    d.nsector = (d.nsector & ~7) | ATAPI_INT_REASON_IO;
    d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    this.raiseIrq();
  }

  private atapiOk(d: IdeDrivePosition): void {
    d.endCommand();
    d.error = 0;
    if (d.atapi.senseKey !== SENSE_UNIT_ATTENTION) {
      d.atapi.senseKey = 0;
      d.atapi.asc = 0;
    }
    d.status = STATUS_DRDY | STATUS_DSC;
    d.nsector = (d.nsector & ~7) | ATAPI_INT_REASON_IO | ATAPI_INT_REASON_CD;
    this.raiseIrq();
  }

  private atapiError(d: IdeDrivePosition, senseKey: number, asc: number): void {
    d.endCommand();
    d.error = senseKey << 4;
    d.status = STATUS_DRDY | STATUS_ERR;
    d.nsector = (d.nsector & ~7) | ATAPI_INT_REASON_IO | ATAPI_INT_REASON_CD;
    d.atapi.senseKey = senseKey;
    d.atapi.asc = asc;
    this.raiseIrq();
  }

  private atapiReadFailed(d: IdeDrivePosition, result: BlockResult): void {
    if (!result.ok && result.error.code === 'no-medium') {
      this.atapiError(d, 2, 0x3a);
      return;
    }
    this.atapiError(d, 3, ASC_UNRECOVERED_READ_ERROR); // MEDIUM ERROR
  }

  private mediumChanged(d: IdeDrivePosition): void {
    // QEMU's ide_cd_change_cb: the tray follows the medium, the next commands report the
    // change (see decodeAtapiPacket), and an interrupt tells a polling-free guest.
    d.atapi.trayOpen = !d.backend?.isInserted;
    d.atapi.cdromChanged = 1;
    d.atapi.newMediaEvent = true;
    this.raiseIrq();
  }

  // ---- DMA -------------------------------------------------------------------------------

  /** Whether a DMA command waits for the bus master. */
  get dmaPending(): boolean {
    const d = this.current;
    return d.dma !== DmaKind.None && !this.dmaRunning;
  }

  /** The bus master was started (or already was): run the waiting DMA command. */
  startDma(bus: IdeDmaBus): void {
    if (!this.dmaPending) return;
    const d = this.current;
    this.dmaRunning = true;
    this.track(this.runDma(d, bus, this.epoch));
  }

  /** The guest stopped the bus master in the middle of a transfer: drop what is in flight. */
  cancelDma(): void {
    if (!this.dmaRunning) return;
    this.epoch++;
    this.dmaRunning = false;
  }

  private async runDma(d: IdeDrivePosition, bus: IdeDmaBus, epoch: number): Promise<void> {
    const backend = d.backend!;
    const kind = d.dma;
    const atapi = kind === DmaKind.AtapiRead || kind === DmaKind.AtapiReply;
    let outcome: DmaTransferStatus = 'ok';
    if (kind === DmaKind.AtapiReply) {
      outcome = bus.transfer(d.buffer.subarray(0, d.bufferFill), true);
    }
    while (outcome === 'ok' && d.remaining > 0 && kind !== DmaKind.AtapiReply) {
      const cd = kind === DmaKind.AtapiRead;
      const n = Math.min(d.remaining, cd ? CD_CHUNK_SECTORS : DMA_CHUNK_SECTORS);
      const buf = d.buffer.subarray(0, n * (cd ? CD_SECTOR_SIZE : ATA_SECTOR));
      const first = cd ? d.nextSector * 4 : d.nextSector;
      let result: BlockResult;
      if (kind === DmaKind.AtaWrite) {
        outcome = bus.transfer(buf, false);
        if (outcome !== 'ok') break;
        result = await backend.writeSectors(first, buf);
      } else {
        result = await backend.readSectors(first, buf);
      }
      if (epoch !== this.epoch) return; // reset or cancelled meanwhile
      if (!result.ok) {
        this.dmaRunning = false;
        bus.end('ok');
        return atapi ? this.atapiReadFailed(d, result) : this.ioError(d, result);
      }
      if (kind !== DmaKind.AtaWrite) {
        outcome = bus.transfer(buf, true);
        if (outcome === 'fault') break;
      }
      if (cd) {
        d.nextSector += n;
        d.remaining -= n;
      } else {
        this.advance(d, n);
      }
    }
    this.dmaRunning = false;
    bus.end(outcome);
    if (outcome === 'short') {
      // QEMU: the PRDs were too short; the device stops without an interrupt.
      d.endCommand();
      d.status = STATUS_DRDY | STATUS_DSC;
      return;
    }
    if (outcome === 'fault') {
      if (atapi) {
        this.atapiError(d, 5, 0x21);
        return;
      }
      this.abort(d);
      return;
    }
    if (atapi) {
      this.atapiOk(d);
      return;
    }
    this.complete(d);
  }

  // ---- Completion, errors, interrupts ------------------------------------------------------

  private dataIn(d: IdeDrivePosition, data: Uint8Array): void {
    d.buffer.set(data);
    d.transfer = Transfer.DataIn;
    d.dataPos = 0;
    d.dataEnd = data.length;
    d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    this.raiseIrq();
  }

  private complete(d: IdeDrivePosition): void {
    d.endCommand();
    d.status = STATUS_DRDY | STATUS_DSC;
    this.raiseIrq();
  }

  private abort(d: IdeDrivePosition): void {
    d.endCommand();
    d.status = STATUS_DRDY | STATUS_ERR;
    d.error = ERROR_ABRT;
    this.raiseIrq();
  }

  /** An address beyond the medium: ID NOT FOUND, as a real drive reports it. */
  private idnf(d: IdeDrivePosition): void {
    this.guestError('sector address out of range');
    d.endCommand();
    d.status = STATUS_DRDY | STATUS_ERR;
    d.error = ERROR_IDNF;
    this.raiseIrq();
  }

  private ioError(d: IdeDrivePosition, result: BlockResult): void {
    if (!result.ok) this.guestError(`${result.error.code}: ${result.error.message}`);
    this.abort(d);
  }

  private raiseIrq(): void {
    this.irqPending = true;
    this.updateIrq();
  }

  private updateIrq(): void {
    const level = this.irqPending && !(this.control & CTRL_NIEN);
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }

  private cancelAll(): void {
    this.epoch++;
    this.dmaRunning = false;
  }

  /** Runs `done` when the request resolves, unless a reset or cancel came first. */
  private request(request: Promise<BlockResult>, done: (result: BlockResult) => void): void {
    const epoch = this.epoch;
    this.track(
      request.then((result) => {
        if (epoch === this.epoch) done(result);
      }),
    );
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      // A bug in this file, not a guest error: say so loudly rather than hang the guest.
      this.log.write('guest_errors', `ide: internal error ${String(error)}`);
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private guestError(text: string): void {
    if (this.log.enabled('guest_errors')) this.log.write('guest_errors', `ide: ${text}`);
  }
}
