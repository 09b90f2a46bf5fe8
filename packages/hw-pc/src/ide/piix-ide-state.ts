/**
 * The PIIX IDE function's state as fixed-shape data for `@tsemu/qom`'s state descriptions
 * (QEMU's vmstate_ide_pci: the bus masters, the two buses and their four drives).
 *
 * The cores' own `state()` values hold a union (`TransferMode`) and a buffer whose length
 * depends on the command in progress; here the union becomes two numbers and the buffer a
 * byte field of variable length (at most the 64 KiB I/O buffer). Values are range-checked
 * when loaded, and the cores clamp them again, so a corrupt snapshot cannot index anything
 * out of range.
 */
import {
  defineState,
  type FieldOptions,
  type FieldSpec,
  QomError,
  type StateJson,
  vmstate,
} from '@tsemu/qom';
import type { AtapiState } from './atapi.js';
import type { BmdmaChannelState } from './bmdma.js';
import type { IdeChannelState } from './ide-channel.js';
import { type IdeDriveState, IO_BUFFER_SIZE } from './ide-drive.js';
import type { TransferMode } from './identify.js';

/** One drive position, saved. */
export interface SavedIdeDrive {
  regs: number[];
  multSectors: number;
  /** 0 PIO, 1 single-word DMA, 2 multiword DMA, 3 Ultra DMA. */
  transferKind: number;
  transferModeNumber: number;
  lba48: boolean;
  nextSector: number;
  remaining: number;
  blockSectors: number;
  blockLimit: number;
  byteCountLimit: number;
  transfer: number;
  dma: number;
  atapiDma: boolean;
  packetRemaining: number;
  bufferFill: number;
  dataPos: number;
  dataEnd: number;
  buffer: Uint8Array;
  atapi: AtapiState;
}

export interface SavedIdeChannel {
  unit: number;
  control: number;
  irqPending: boolean;
  drives: SavedIdeDrive[];
}

/** The whole function's IDE state (the PCI configuration space is saved beside it). */
export interface PiixIdeSavedState {
  channels: SavedIdeChannel[];
  bmdma: BmdmaChannelState[];
}

/** Taskfile registers kept per position (IdeDrivePosition's REG_NAMES). */
const DRIVE_REGISTERS = 13;

const TRANSFER_KINDS = ['pio', 'sdma', 'mdma', 'udma'] as const;

function transferToSaved(mode: TransferMode): { kind: number; mode: number } {
  const kind = TRANSFER_KINDS.indexOf(mode.kind);
  return { kind, mode: mode.kind === 'pio' ? 0 : mode.mode };
}

function transferFromSaved(kind: number, mode: number): TransferMode {
  // Modes above 7 do not exist in IDENTIFY's mode words; clamp as the cores clamp.
  const m = Math.min(mode, 7);
  switch (kind) {
    case 1:
      return { kind: 'sdma', mode: m };
    case 2:
      return { kind: 'mdma', mode: m };
    case 3:
      return { kind: 'udma', mode: m };
    default:
      return { kind: 'pio' };
  }
}

/**
 * A byte buffer of 0 to `max` bytes, saved as an array of numbers (vmstate's typed arrays
 * have a fixed length; QEMU saves the I/O buffer with its length, VMSTATE_VBUFFER).
 */
export function variableBytes(max: number, options: FieldOptions = {}): FieldSpec<Uint8Array> {
  const kind = `uint8[0..${max}]`;
  return {
    kind,
    since: options.since,
    save: (value): StateJson => Array.from(value),
    validate(data, current, where) {
      if (!(current instanceof Uint8Array)) {
        throw new QomError(`State field ${where} should hold a Uint8Array for ${kind}`);
      }
      if (!Array.isArray(data) || data.length > max) {
        return `${where}: expected ${kind}, got ${Array.isArray(data) ? `${data.length} bytes` : typeof data}`;
      }
      for (let i = 0; i < data.length; i++) {
        const byte = data[i];
        if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 0xff) {
          return `${where}[${i}]: expected uint8, got ${String(byte)}`;
        }
      }
      return undefined;
    },
    load: (data) => Uint8Array.from(data as number[]),
  };
}

const atapiDescription = defineState<AtapiState>({
  name: 'ide-atapi',
  fields: {
    senseKey: vmstate.uint8(),
    asc: vmstate.uint8(),
    cdromChanged: vmstate.uint8(),
    newMediaEvent: vmstate.bool(),
    trayOpen: vmstate.bool(),
    trayLocked: vmstate.bool(),
  },
});

const driveDescription = defineState<SavedIdeDrive>({
  name: 'ide-drive',
  fields: {
    regs: vmstate.array(vmstate.uint8(), DRIVE_REGISTERS),
    multSectors: vmstate.uint16(),
    transferKind: vmstate.uint8(),
    transferModeNumber: vmstate.uint8(),
    lba48: vmstate.bool(),
    nextSector: vmstate.uint64(),
    remaining: vmstate.uint32(),
    blockSectors: vmstate.uint16(),
    blockLimit: vmstate.uint16(),
    byteCountLimit: vmstate.uint32(),
    transfer: vmstate.uint8(),
    dma: vmstate.uint8(),
    atapiDma: vmstate.bool(),
    packetRemaining: vmstate.uint64(),
    bufferFill: vmstate.uint32(),
    dataPos: vmstate.uint32(),
    dataEnd: vmstate.uint32(),
    buffer: variableBytes(IO_BUFFER_SIZE),
    atapi: vmstate.struct(atapiDescription),
  },
});

const channelDescription = defineState<SavedIdeChannel>({
  name: 'ide-bus',
  fields: {
    unit: vmstate.uint8(),
    control: vmstate.uint8(),
    irqPending: vmstate.bool(),
    drives: vmstate.array(vmstate.struct(driveDescription), 2),
  },
});

const bmdmaDescription = defineState<BmdmaChannelState>({
  name: 'ide-bmdma',
  fields: {
    cmd: vmstate.uint8(),
    status: vmstate.uint8(),
    prdTable: vmstate.uint32(),
    prdCursor: vmstate.uint16(),
    entryAddr: vmstate.uint64(),
    entryLeft: vmstate.uint32(),
    entryLast: vmstate.bool(),
  },
});

/** The IDE part of `piix3-ide`'s state description. */
export const piixIdeStateDescription = defineState<PiixIdeSavedState>({
  name: 'piix-ide',
  fields: {
    channels: vmstate.array(vmstate.struct(channelDescription), 2),
    bmdma: vmstate.array(vmstate.struct(bmdmaDescription), 2),
  },
});

function driveToSaved(s: IdeDriveState): SavedIdeDrive {
  const { transferMode, ...rest } = s;
  const transfer = transferToSaved(transferMode);
  return {
    ...rest,
    regs: [...s.regs],
    transferKind: transfer.kind,
    transferModeNumber: transfer.mode,
    buffer: s.buffer.slice(),
    atapi: { ...s.atapi },
  };
}

function driveFromSaved(s: SavedIdeDrive): IdeDriveState {
  const { transferKind, transferModeNumber, ...rest } = s;
  return {
    ...rest,
    regs: [...s.regs],
    transferMode: transferFromSaved(transferKind, transferModeNumber),
    transfer: s.transfer as IdeDriveState['transfer'],
    dma: s.dma as IdeDriveState['dma'],
    buffer: s.buffer.slice(),
    atapi: { ...s.atapi },
  };
}

export function channelToSaved(s: IdeChannelState): SavedIdeChannel {
  return {
    unit: s.unit,
    control: s.control,
    irqPending: s.irqPending,
    drives: s.drives.map(driveToSaved),
  };
}

export function channelFromSaved(s: SavedIdeChannel): IdeChannelState {
  return {
    unit: s.unit === 1 ? 1 : 0,
    control: s.control,
    irqPending: s.irqPending,
    drives: [driveFromSaved(s.drives[0]), driveFromSaved(s.drives[1])],
  };
}
