/**
 * One device position (master or slave) on an IDE channel: its taskfile registers, which
 * QEMU keeps per device (a register write reaches both devices; reads come from the
 * selected one), the drive behind it if any, and its PIO transfer window.
 */
import type { BlockBackend } from '@tsemu/block';
import { type AtapiState, initialAtapiState } from './atapi.js';
import { MAX_MULT_SECTORS, SELECT_LBA, STATUS_DRDY, STATUS_DSC } from './ide-regs.js';
import { type ChsGeometry, guessGeometry, type TransferMode } from './identify.js';

export type IdeDriveKind = 'disk' | 'cdrom';

/** A drive to attach to a channel position. */
export interface IdeDriveConfig {
  kind: IdeDriveKind;
  backend: BlockBackend;
  /** Defaults: QEMU's "QEMU HARDDISK" / "QEMU DVD-ROM", serial "QM0000N", firmware "2.5+". */
  model?: string;
  serial?: string;
  firmware?: string;
  /** CHS geometry for old software; default as QEMU guesses it (16 heads, 63 sectors). */
  geometry?: ChsGeometry;
}

/** What the device is doing with its data port. */
export const Transfer = {
  None: 0,
  /** Data-in of a fixed buffer (IDENTIFY), then done. */
  DataIn: 1,
  /** ATA READ SECTORS/MULTIPLE: one DRQ block, then the next read or done. */
  AtaRead: 2,
  /** ATA WRITE SECTORS/MULTIPLE: the guest fills one block, then it is written. */
  AtaWrite: 3,
  /** ATAPI: receiving the 12-byte command packet. */
  AtapiPacket: 4,
  /** ATAPI: data-in of a reply or of CD sectors. */
  AtapiDataIn: 5,
} as const;
export type Transfer = (typeof Transfer)[keyof typeof Transfer];

/** A DMA command waiting for (or running on) the bus master. */
export const DmaKind = {
  None: 0,
  AtaRead: 1,
  AtaWrite: 2,
  AtapiRead: 3,
  AtapiReply: 4,
} as const;
export type DmaKind = (typeof DmaKind)[keyof typeof DmaKind];

/** A position's saved state: plain data (the buffer is copied only up to what is in use). */
export interface IdeDriveState {
  regs: number[];
  multSectors: number;
  transferMode: TransferMode;
  lba48: boolean;
  nextSector: number;
  remaining: number;
  blockSectors: number;
  blockLimit: number;
  byteCountLimit: number;
  transfer: Transfer;
  dma: DmaKind;
  atapiDma: boolean;
  packetRemaining: number;
  bufferFill: number;
  dataPos: number;
  dataEnd: number;
  buffer: Uint8Array;
  atapi: AtapiState;
}

const REG_NAMES = [
  'feature',
  'hobFeature',
  'nsector',
  'hobNsector',
  'sector',
  'hobSector',
  'lcyl',
  'hobLcyl',
  'hcyl',
  'hobHcyl',
  'select',
  'status',
  'error',
] as const;

/** The PIO/DMA buffer: 128 disk sectors or 32 CD sectors. */
export const IO_BUFFER_SIZE = 0x10000;

export class IdeDrivePosition {
  // Taskfile (the HOB copies are the values written before the last one, for LBA48).
  feature = 0;
  hobFeature = 0;
  nsector = 0;
  hobNsector = 0;
  sector = 0;
  hobSector = 0;
  lcyl = 0;
  hobLcyl = 0;
  hcyl = 0;
  hobHcyl = 0;
  select: number;
  status = 0;
  error = 0;

  // Settings.
  multSectors = MAX_MULT_SECTORS;
  transferMode: TransferMode = { kind: 'pio' };

  // Command in progress.
  lba48 = false;
  /** The next sector (512 bytes for disks, 2048 for CDs) the command reads or writes. */
  nextSector = 0;
  /** Sectors of the command not yet transferred. */
  remaining = 0;
  /** Sectors in the current DRQ block or buffer. */
  blockSectors = 0;
  /** Most sectors per DRQ block: 1, or the READ/WRITE MULTIPLE block size. */
  blockLimit = 1;
  /** ATAPI: the byte count limit the host gave with PACKET (cylinder registers). */
  byteCountLimit = 0;
  transfer: Transfer = Transfer.None;
  dma: DmaKind = DmaKind.None;
  /** ATAPI: the packet asked for DMA (features bit 0). */
  atapiDma = false;
  /** ATAPI data-in: bytes of the command's data not yet sent. */
  packetRemaining = 0;
  /** ATAPI data-in: valid bytes in the buffer. */
  bufferFill = 0;
  readonly buffer = new Uint8Array(IO_BUFFER_SIZE);
  dataPos = 0;
  dataEnd = 0;

  atapi: AtapiState = initialAtapiState();
  readonly geometry: ChsGeometry;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;

  constructor(
    readonly unit: 0 | 1,
    readonly kind: IdeDriveKind | null,
    readonly backend: BlockBackend | null,
    config: IdeDriveConfig | undefined,
    serialNumber: number,
  ) {
    this.select = 0xa0 | (unit << 4);
    this.geometry = config?.geometry ?? guessGeometry(backend?.sectors ?? 0);
    this.model = config?.model ?? (kind === 'cdrom' ? 'QEMU DVD-ROM' : 'QEMU HARDDISK');
    this.serial = config?.serial ?? `QM${String(serialNumber).padStart(5, '0')}`;
    this.firmware = config?.firmware ?? '2.5+';
  }

  get present(): boolean {
    return this.kind !== null;
  }

  /** Status after reset: ATAPI devices do not set DRDY (QEMU, ATA-6 9.12). */
  resetStatus(): number {
    return this.kind === 'cdrom' ? 0 : STATUS_DRDY | STATUS_DSC;
  }

  /** QEMU's ide_set_signature: tells the host what kind of device answers. */
  setSignature(): void {
    this.select &= 0xf0;
    this.nsector = 1;
    this.sector = 1;
    if (this.kind === 'cdrom') {
      this.lcyl = 0x14;
      this.hcyl = 0xeb;
    } else if (this.kind === 'disk') {
      this.lcyl = 0;
      this.hcyl = 0;
    } else {
      this.lcyl = 0xff;
      this.hcyl = 0xff;
    }
  }

  /** Device reset: settings back to power-on, no command in progress. */
  reset(): void {
    this.multSectors = MAX_MULT_SECTORS;
    this.transferMode = { kind: 'pio' };
    this.endCommand();
    this.feature = this.hobFeature = this.hobNsector = this.hobSector = 0;
    this.hobLcyl = this.hobHcyl = 0;
    this.select = 0xa0 | (this.unit << 4);
    this.error = 0x01; // diagnostics passed
    this.status = this.resetStatus();
    this.atapi.senseKey = 0;
    this.atapi.asc = 0;
    this.setSignature();
  }

  state(): IdeDriveState {
    const used = Math.min(IO_BUFFER_SIZE, Math.max(this.dataEnd, this.bufferFill, 512));
    return {
      regs: REG_NAMES.map((name) => this[name]),
      multSectors: this.multSectors,
      transferMode: { ...this.transferMode },
      lba48: this.lba48,
      nextSector: this.nextSector,
      remaining: this.remaining,
      blockSectors: this.blockSectors,
      blockLimit: this.blockLimit,
      byteCountLimit: this.byteCountLimit,
      transfer: this.transfer,
      dma: this.dma,
      atapiDma: this.atapiDma,
      packetRemaining: this.packetRemaining,
      bufferFill: this.bufferFill,
      dataPos: this.dataPos,
      dataEnd: this.dataEnd,
      buffer: this.buffer.slice(0, used),
      atapi: { ...this.atapi },
    };
  }

  /** Restores a saved state; values are clamped so that a corrupt state cannot index out of range. */
  loadState(s: IdeDriveState): void {
    REG_NAMES.forEach((name, i) => {
      this[name] = (s.regs[i] ?? 0) & 0xff;
    });
    const clamp = (v: number, max: number) => Math.min(Math.max(0, Math.floor(v) || 0), max);
    this.multSectors = clamp(s.multSectors, MAX_MULT_SECTORS);
    this.transferMode = { ...s.transferMode };
    this.lba48 = s.lba48;
    this.nextSector = clamp(s.nextSector, 2 ** 48);
    this.remaining = clamp(s.remaining, 0x10000);
    this.blockLimit = clamp(s.blockLimit, MAX_MULT_SECTORS) || 1;
    this.blockSectors = clamp(s.blockSectors, this.blockLimit);
    this.byteCountLimit = clamp(s.byteCountLimit, 0xffff);
    this.transfer = clamp(s.transfer, 5) as Transfer;
    this.dma = clamp(s.dma, 4) as DmaKind;
    this.atapiDma = s.atapiDma;
    this.packetRemaining = clamp(s.packetRemaining, 2 ** 43);
    this.bufferFill = clamp(s.bufferFill, IO_BUFFER_SIZE);
    this.dataEnd = clamp(s.dataEnd, IO_BUFFER_SIZE);
    this.dataPos = clamp(s.dataPos, this.dataEnd);
    this.buffer.fill(0);
    this.buffer.set(s.buffer.subarray(0, IO_BUFFER_SIZE));
    this.atapi = { ...s.atapi };
  }

  endCommand(): void {
    this.transfer = Transfer.None;
    this.dma = DmaKind.None;
    this.dataPos = this.dataEnd = 0;
    this.remaining = 0;
    this.packetRemaining = 0;
    this.bufferFill = 0;
  }

  /** The sector count of the command: 0 means 256 (or 65536 for LBA48). */
  sectorCount(): number {
    if (this.lba48) return (this.hobNsector << 8) | this.nsector || 0x10000;
    return this.nsector || 0x100;
  }

  /** The address in the taskfile as a sector number, or -1 for an impossible CHS address. */
  currentSector(): number {
    if (this.select & SELECT_LBA) {
      if (this.lba48) {
        return (
          this.hobHcyl * 2 ** 40 +
          this.hobLcyl * 2 ** 32 +
          this.hobSector * 2 ** 24 +
          this.hcyl * 2 ** 16 +
          this.lcyl * 2 ** 8 +
          this.sector
        );
      }
      return (this.select & 0x0f) * 2 ** 24 + (this.hcyl << 16) + (this.lcyl << 8) + this.sector;
    }
    const { heads, sectors } = this.geometry;
    const head = this.select & 0x0f;
    if (this.sector < 1 || this.sector > sectors || head >= heads) return -1;
    const cylinder = (this.hcyl << 8) | this.lcyl;
    return (cylinder * heads + head) * sectors + this.sector - 1;
  }

  /** Writes a sector number back into the taskfile (the address after a transfer). */
  setCurrentSector(n: number): void {
    if (this.select & SELECT_LBA) {
      this.sector = n & 0xff;
      this.lcyl = Math.floor(n / 2 ** 8) & 0xff;
      this.hcyl = Math.floor(n / 2 ** 16) & 0xff;
      if (this.lba48) {
        this.hobSector = Math.floor(n / 2 ** 24) & 0xff;
        this.hobLcyl = Math.floor(n / 2 ** 32) & 0xff;
        this.hobHcyl = Math.floor(n / 2 ** 40) & 0xff;
      } else {
        this.select = (this.select & 0xf0) | (Math.floor(n / 2 ** 24) & 0x0f);
      }
      return;
    }
    const { heads, sectors } = this.geometry;
    const cylinder = Math.floor(n / (heads * sectors));
    const rest = n % (heads * sectors);
    this.lcyl = cylinder & 0xff;
    this.hcyl = (cylinder >> 8) & 0xff;
    this.select = (this.select & 0xf0) | (Math.floor(rest / sectors) & 0x0f);
    this.sector = (rest % sectors) + 1;
  }
}
