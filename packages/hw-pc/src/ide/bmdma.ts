/**
 * The bus-master IDE function of the PIIX (BAR4, SFF-8038i; QEMU's hw/ide/pci.c BMDMA):
 * per channel a command register (start, direction), a status register (active, error,
 * interrupt, drive DMA-capable bits) and the address of a table of Physical Region
 * Descriptors. Each PRD gives a guest-physical buffer and its size (0 = 64 KiB, bit 0
 * ignored); the last has bit 31 of its second dword set. Every PRD and every buffer is
 * reached through the DMA address space, so a PRD pointing at nothing is a bus-master
 * error, never a host exception.
 */
import type { IrqTrigger } from '../device-env.js';
import type { DmaTransferStatus, IdeChannel, IdeDmaBus, IdeDmaController } from './ide-channel.js';

/** What the bus master reads and writes guest memory through (`@tsemu/memory`'s AddressSpace fits). */
export interface DmaMemory {
  /** Copies between `buf` and guest memory; returns 0 when every byte reached something. */
  rw(addr: number, buf: Uint8Array, isWrite: boolean): number;
}

// Register offsets within one channel's 8 bytes (channel 1 is at +8).
/** Command: start/stop and direction. */
export const BM_CMD = 0;
/** Status: active, error, interrupt, drive DMA capable. */
export const BM_STATUS = 2;
/** Descriptor table pointer (dword aligned). */
export const BM_PRD_TABLE = 4;

/** Command: start the bus master (clearing it stops a transfer). */
export const BM_CMD_START = 0x01;
/** Command: the bus master writes memory (a device read). */
export const BM_CMD_WRITE_MEMORY = 0x08;

/** Status: a transfer is in progress (read-only). */
export const BM_STATUS_ACTIVE = 0x01;
/** Status: a PRD or buffer hit no memory (write 1 to clear). */
export const BM_STATUS_ERROR = 0x02;
/** Status: the device raised its interrupt (write 1 to clear). */
export const BM_STATUS_INT = 0x04;
/** Status: drive 0 / drive 1 can do DMA (set by the BIOS, kept for the driver). */
export const BM_STATUS_DRIVE0_DMA = 0x20;
export const BM_STATUS_DRIVE1_DMA = 0x40;

/** QEMU stops walking a PRD table after 4 KiB (512 entries). */
const PRD_TABLE_LIMIT = 4096;

export interface BmdmaChannelState {
  cmd: number;
  status: number;
  prdTable: number;
  prdCursor: number;
  entryAddr: number;
  entryLeft: number;
  entryLast: boolean;
}

export class BmdmaChannel implements IdeDmaBus, IdeDmaController {
  private cmd = 0;
  private status = 0;
  private prdTable = 0;
  // Where the walk of the PRD table is.
  private prdCursor = 0;
  private entryAddr = 0;
  private entryLeft = 0;
  private entryLast = false;
  private channel: IdeChannel | null = null;
  private readonly prd = new Uint8Array(8);

  /**
   * The channel's INTRQ enters here: a rising interrupt sets the status INT bit, and the
   * level goes on to `irq` (the 8259 input).
   */
  readonly irqInput: IrqTrigger;

  constructor(
    private readonly memory: DmaMemory,
    irq: IrqTrigger,
  ) {
    this.irqInput = {
      set: (level) => {
        if (level) this.status |= BM_STATUS_INT;
        irq.set(level);
      },
    };
  }

  /** Connects the IDE channel whose DMA commands this bus master runs. */
  connect(channel: IdeChannel): void {
    this.channel = channel;
    channel.attachDma(this);
  }

  readByte(reg: number): number {
    switch (reg & 7) {
      case BM_CMD:
        return this.cmd;
      case BM_STATUS:
        return this.status;
      case 4:
      case 5:
      case 6:
      case 7:
        return (this.prdTable >>> (8 * (reg - 4))) & 0xff;
      default:
        return 0;
    }
  }

  writeByte(reg: number, value: number): void {
    const v = value & 0xff;
    switch (reg & 7) {
      case BM_CMD:
        this.writeCommand(v);
        return;
      case BM_STATUS:
        // DMA-capable bits are plain storage; ERROR and INT clear when written with 1.
        this.status =
          (v & (BM_STATUS_DRIVE0_DMA | BM_STATUS_DRIVE1_DMA)) |
          (this.status & BM_STATUS_ACTIVE) |
          (this.status & ~v & (BM_STATUS_ERROR | BM_STATUS_INT));
        return;
      case 4:
      case 5:
      case 6:
      case 7: {
        const shift = 8 * ((reg & 7) - 4);
        const cleared = this.prdTable & ~(0xff << shift);
        this.prdTable = ((cleared | (v << shift)) & ~3) >>> 0;
        return;
      }
    }
  }

  private writeCommand(v: number): void {
    const wasStarted = (this.cmd & BM_CMD_START) !== 0;
    this.cmd = v & (BM_CMD_START | BM_CMD_WRITE_MEMORY);
    if (!wasStarted && v & BM_CMD_START) {
      this.prdCursor = 0;
      this.entryLeft = 0;
      this.entryLast = false;
      this.status |= BM_STATUS_ACTIVE;
      this.channel?.startDma(this);
    } else if (wasStarted && !(v & BM_CMD_START)) {
      this.status &= ~BM_STATUS_ACTIVE;
      this.channel?.cancelDma();
    }
  }

  // ---- IdeDmaController / IdeDmaBus ---------------------------------------------------------

  dmaRequested(): void {
    if (this.cmd & BM_CMD_START && this.status & BM_STATUS_ACTIVE) this.channel?.startDma(this);
  }

  transfer(buf: Uint8Array, toMemory: boolean): DmaTransferStatus {
    let done = 0;
    while (done < buf.length) {
      if (this.entryLeft === 0) {
        if (this.entryLast || this.prdCursor >= PRD_TABLE_LIMIT) return 'short';
        if (this.memory.rw(this.prdTable + this.prdCursor, this.prd, false) !== 0) return 'fault';
        this.prdCursor += 8;
        const p = this.prd;
        this.entryAddr = (p[0] | (p[1] << 8) | (p[2] << 16) | (p[3] << 24)) >>> 0;
        this.entryLeft = (p[4] | (p[5] << 8)) & 0xfffe || 0x10000;
        this.entryLast = (p[7] & 0x80) !== 0;
      }
      const n = Math.min(this.entryLeft, buf.length - done);
      if (this.memory.rw(this.entryAddr, buf.subarray(done, done + n), toMemory) !== 0)
        return 'fault';
      this.entryAddr += n;
      this.entryLeft -= n;
      done += n;
    }
    return 'ok';
  }

  end(outcome: DmaTransferStatus): void {
    // As QEMU: the bus master goes inactive when the device's transfer ends.
    this.status &= ~BM_STATUS_ACTIVE;
    if (outcome === 'fault') this.status |= BM_STATUS_ERROR;
  }

  reset(): void {
    this.cmd = 0;
    this.status = 0;
    this.prdTable = 0;
    this.prdCursor = this.entryAddr = this.entryLeft = 0;
    this.entryLast = false;
  }

  state(): BmdmaChannelState {
    return {
      cmd: this.cmd,
      status: this.status,
      prdTable: this.prdTable,
      prdCursor: this.prdCursor,
      entryAddr: this.entryAddr,
      entryLeft: this.entryLeft,
      entryLast: this.entryLast,
    };
  }

  loadState(s: BmdmaChannelState): void {
    this.cmd = s.cmd & 0x09;
    this.status = s.status & 0x67;
    this.prdTable = s.prdTable >>> 0;
    this.prdCursor = Math.min(Math.max(0, s.prdCursor | 0), PRD_TABLE_LIMIT);
    this.entryAddr = s.entryAddr;
    this.entryLeft = Math.min(Math.max(0, s.entryLeft | 0), 0x10000);
    this.entryLast = s.entryLast;
  }
}

export interface BusMasterDmaOptions {
  memory: DmaMemory;
  /** The two channels' interrupt outputs (IRQ 14 and 15 in legacy mode). */
  irqs: [IrqTrigger, IrqTrigger];
}

/**
 * The 16-byte BAR4 register block for both channels. Accesses of any width are split into
 * byte accesses, little-endian.
 */
export class BusMasterDma {
  readonly channels: readonly [BmdmaChannel, BmdmaChannel];

  constructor(options: BusMasterDmaOptions) {
    this.channels = [
      new BmdmaChannel(options.memory, options.irqs[0]),
      new BmdmaChannel(options.memory, options.irqs[1]),
    ];
  }

  read(offset: number, size: 1 | 2 | 4 = 1): number {
    let value = 0;
    for (let i = 0; i < size; i++) {
      const at = (offset + i) & 15;
      value |= this.channels[at >> 3].readByte(at & 7) << (8 * i);
    }
    return value >>> 0;
  }

  write(offset: number, value: number, size: 1 | 2 | 4 = 1): void {
    for (let i = 0; i < size; i++) {
      const at = (offset + i) & 15;
      this.channels[at >> 3].writeByte(at & 7, (value >>> (8 * i)) & 0xff);
    }
  }

  reset(): void {
    for (const channel of this.channels) channel.reset();
  }

  state(): [BmdmaChannelState, BmdmaChannelState] {
    return [this.channels[0].state(), this.channels[1].state()];
  }

  loadState(state: [BmdmaChannelState, BmdmaChannelState]): void {
    this.channels[0].loadState(state[0]);
    this.channels[1].loadState(state[1]);
  }
}
