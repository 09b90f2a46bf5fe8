/**
 * ATAPI packet commands of a CD/DVD-ROM (QEMU's hw/ide/atapi.c for behaviour): each
 * 12-byte packet is decoded into what the channel must do next: send reply bytes, read
 * 2048-byte sectors, complete, or fail with sense data. No I/O happens here.
 */
import {
  ASC_ILLEGAL_OPCODE,
  ASC_INV_FIELD_IN_CMD_PACKET,
  ASC_LOGICAL_BLOCK_OOR,
  ASC_MEDIA_REMOVAL_PREVENTED,
  ASC_MEDIUM_MAY_HAVE_CHANGED,
  ASC_MEDIUM_NOT_PRESENT,
  ASC_SAVING_PARAMETERS_NOT_SUPPORTED,
  GPCMD_GET_CONFIGURATION,
  GPCMD_GET_EVENT_STATUS_NOTIFICATION,
  GPCMD_INQUIRY,
  GPCMD_MECHANISM_STATUS,
  GPCMD_MODE_SENSE_10,
  GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL,
  GPCMD_READ_10,
  GPCMD_READ_12,
  GPCMD_READ_CAPACITY,
  GPCMD_READ_DISC_INFORMATION,
  GPCMD_READ_TOC,
  GPCMD_REQUEST_SENSE,
  GPCMD_SEEK,
  GPCMD_START_STOP_UNIT,
  GPCMD_TEST_UNIT_READY,
  SENSE_ILLEGAL_REQUEST,
  SENSE_NONE,
  SENSE_NOT_READY,
  SENSE_UNIT_ATTENTION,
} from './ide-regs.js';

/** What a packet asks the channel to do. */
export type AtapiAction =
  | { kind: 'ok' }
  | { kind: 'reply'; data: Uint8Array }
  | { kind: 'read'; lba: number; count: number }
  | { kind: 'error'; senseKey: number; asc: number };

/** The CD-ROM's own state, kept by the channel and changed by packets and media changes. */
export interface AtapiState {
  senseKey: number;
  asc: number;
  /** QEMU's cdrom_changed: 1 = report "no medium" next, 2 = report UNIT ATTENTION next. */
  cdromChanged: number;
  /** A new-media event is waiting for GET EVENT STATUS NOTIFICATION. */
  newMediaEvent: boolean;
  trayOpen: boolean;
  trayLocked: boolean;
}

export function initialAtapiState(): AtapiState {
  return {
    senseKey: SENSE_NONE,
    asc: 0,
    cdromChanged: 0,
    newMediaEvent: false,
    trayOpen: false,
    trayLocked: false,
  };
}

/** The drive's identity strings as INQUIRY reports them. */
export interface AtapiInquiryStrings {
  vendor: string;
  product: string;
  revision: string;
}

/** What the packet decoder needs to know about the medium. */
export interface AtapiMedium {
  /** Whether a readable disc is in the (closed) drive. */
  present: boolean;
  /** The medium size in 512-byte sectors (0 with no disc). */
  sectors512: number;
  /** The backend still holds a medium (even with the tray open). */
  inserted: boolean;
}

// Which commands may run while a UNIT ATTENTION is pending, and which need a disc.
const ALLOW_UA = new Set([
  GPCMD_INQUIRY,
  GPCMD_REQUEST_SENSE,
  GPCMD_GET_CONFIGURATION,
  GPCMD_GET_EVENT_STATUS_NOTIFICATION,
]);
const CHECK_READY = new Set([
  GPCMD_TEST_UNIT_READY,
  GPCMD_READ_10,
  GPCMD_READ_12,
  GPCMD_READ_CAPACITY,
  GPCMD_READ_TOC,
  GPCMD_SEEK,
  GPCMD_READ_DISC_INFORMATION,
]);

/** A CD holds at most this many 512-byte sectors; larger media are reported as DVDs. */
const CD_MAX_SECTORS512 = (80 * 60 * 75 * 2048) / 512;

const be16 = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const be32 = (b: Uint8Array, i: number) =>
  ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
function put16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >> 8) & 0xff;
  b[i + 1] = v & 0xff;
}
function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 0xff;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}
function putText(b: Uint8Array, at: number, text: string, length: number): void {
  for (let i = 0; i < length; i++) b[at + i] = i < text.length ? text.charCodeAt(i) & 0xff : 0x20;
}

const error = (senseKey: number, asc: number): AtapiAction => ({ kind: 'error', senseKey, asc });
const invalidField = () => error(SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
/** A reply cut to the allocation length the guest gave. */
const reply = (data: Uint8Array, maxLength: number): AtapiAction => ({
  kind: 'reply',
  data: data.subarray(0, Math.min(data.length, maxLength)),
});

/**
 * Decodes one packet. `state` is updated (sense data consumed, tray moved, media-change
 * reporting advanced) as the command requires.
 */
export function decodeAtapiPacket(
  packet: Uint8Array,
  state: AtapiState,
  medium: AtapiMedium,
  ids: AtapiInquiryStrings,
): AtapiAction {
  const op = packet[0];
  // A pending UNIT ATTENTION fails every command that does not report it.
  if (state.senseKey === SENSE_UNIT_ATTENTION && !ALLOW_UA.has(op)) {
    return error(state.senseKey, state.asc);
  }
  // After a media change, report "no disc" then "medium may have changed", as QEMU does,
  // so that guests which only poll TEST UNIT READY see the change.
  if (!ALLOW_UA.has(op) && !state.trayOpen && medium.inserted && state.cdromChanged) {
    if (state.cdromChanged === 1) {
      state.cdromChanged = 2;
      return error(SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
    }
    state.cdromChanged = 0;
    return error(SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED);
  }
  if (CHECK_READY.has(op) && !medium.present) return error(SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
  const cdSectors = Math.floor(medium.sectors512 / 4);

  switch (op) {
    case GPCMD_TEST_UNIT_READY:
    case GPCMD_SEEK:
      return { kind: 'ok' };
    case GPCMD_REQUEST_SENSE: {
      const b = new Uint8Array(18);
      b[0] = 0x70 | 0x80; // current error, fixed format, valid
      b[2] = state.senseKey;
      b[7] = 10; // additional sense length
      b[12] = state.asc;
      // Reporting a UNIT ATTENTION clears it.
      if (state.senseKey === SENSE_UNIT_ATTENTION) state.senseKey = SENSE_NONE;
      return reply(b, packet[4]);
    }
    case GPCMD_INQUIRY: {
      if (packet[1] & 1) return invalidField(); // no vital product data pages
      const b = new Uint8Array(36);
      b[0] = 0x05; // CD/DVD device
      b[1] = 0x80; // removable
      b[2] = 0x00; // version: claims no standard (ATAPI)
      b[3] = 0x21; // ATAPI-2, response data format 1
      b[4] = 36 - 5; // additional length
      putText(b, 8, ids.vendor, 8);
      putText(b, 16, ids.product, 16);
      putText(b, 32, ids.revision, 4);
      return reply(b, be16(packet, 3));
    }
    case GPCMD_READ_CAPACITY: {
      const b = new Uint8Array(8);
      put32(b, 0, cdSectors - 1); // the last LBA
      put32(b, 4, 2048);
      return reply(b, 8);
    }
    case GPCMD_READ_10:
    case GPCMD_READ_12: {
      const lba = be32(packet, 2);
      const count = op === GPCMD_READ_10 ? be16(packet, 7) : be32(packet, 6);
      if (count === 0) return { kind: 'ok' };
      if (lba + count > cdSectors) return error(SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
      return { kind: 'read', lba, count };
    }
    case GPCMD_MODE_SENSE_10:
      return modeSense(packet, state);
    case GPCMD_READ_TOC:
      return readToc(packet, cdSectors);
    case GPCMD_GET_CONFIGURATION: {
      if (be16(packet, 2) !== 0) return invalidField(); // only the profile list (feature 0)
      const b = new Uint8Array(20);
      const current = !medium.present ? 0 : medium.sectors512 > CD_MAX_SECTORS512 ? 0x10 : 0x08;
      put16(b, 6, current); // current profile: DVD-ROM, CD-ROM or none
      b[10] = 0x03; // feature 0 (profile list): persistent, current
      b[11] = 8; // two profile descriptors follow
      put16(b, 12, 0x10); // DVD-ROM
      b[14] = current === 0x10 ? 1 : 0;
      put16(b, 16, 0x08); // CD-ROM
      b[18] = current === 0x08 ? 1 : 0;
      put32(b, 0, b.length - 4);
      return reply(b, be16(packet, 7));
    }
    case GPCMD_GET_EVENT_STATUS_NOTIFICATION: {
      if (!(packet[1] & 1)) return invalidField(); // only polled operation
      const requested = packet[4];
      const mediaClass = 4;
      if (!(requested & (1 << mediaClass))) {
        const b = new Uint8Array(4);
        b[2] = 0x80; // no event available
        b[3] = 1 << mediaClass; // supported classes
        return reply(b, be16(packet, 7));
      }
      const b = new Uint8Array(8);
      put16(b, 0, 8 - 4);
      b[2] = mediaClass;
      b[3] = 1 << mediaClass;
      const mediaStatus = state.trayOpen ? 1 : medium.inserted ? 2 : 0;
      let event = 0; // no change
      if (!state.trayOpen && state.newMediaEvent) {
        event = 2; // new media
        state.newMediaEvent = false;
      }
      b[4] = event;
      b[5] = mediaStatus;
      return reply(b, be16(packet, 7));
    }
    case GPCMD_START_STOP_UNIT: {
      const start = (packet[4] & 1) !== 0;
      const loadEject = (packet[4] & 2) !== 0;
      if (loadEject) {
        if (!start && !state.trayOpen && state.trayLocked) {
          return error(
            medium.inserted ? SENSE_NOT_READY : SENSE_ILLEGAL_REQUEST,
            ASC_MEDIA_REMOVAL_PREVENTED,
          );
        }
        state.trayOpen = !start;
      }
      return { kind: 'ok' };
    }
    case GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL:
      state.trayLocked = (packet[4] & 1) !== 0;
      return { kind: 'ok' };
    case GPCMD_MECHANISM_STATUS: {
      const b = new Uint8Array(8);
      b[5] = 1; // one slot
      return reply(b, be16(packet, 8));
    }
    case GPCMD_READ_DISC_INFORMATION: {
      if ((packet[1] & 7) !== 0) return invalidField(); // types 1 and 2 are for Blu-ray
      const b = new Uint8Array(34);
      b[1] = 32; // length
      b[2] = 0x0e; // last session complete, disc finalized
      b[3] = 1; // first track
      b[4] = 1; // sessions
      b[5] = 1; // first track of last session
      b[6] = 1; // last track of last session
      b[7] = 0x20; // unrestricted use
      return reply(b, be16(packet, 7));
    }
    default:
      return error(SENSE_ILLEGAL_REQUEST, ASC_ILLEGAL_OPCODE);
  }
}

function modeSense(packet: Uint8Array, state: AtapiState): AtapiAction {
  const maxLength = be16(packet, 7);
  const pageControl = packet[2] >> 6;
  const page = packet[2] & 0x3f;
  if (pageControl === 3) return error(SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMETERS_NOT_SUPPORTED);
  if (pageControl !== 0) return invalidField();
  const header = (length: number) => {
    const b = new Uint8Array(length);
    put16(b, 0, length - 2);
    b[2] = 0x70; // medium type: no disc/door closed (QEMU's value)
    b[8] = page;
    b[9] = length - 10;
    return b;
  };
  switch (page) {
    case 0x01: {
      // Read/write error recovery page.
      const b = header(16);
      b[11] = 0x05; // read retry count
      return reply(b, maxLength);
    }
    case 0x0e: // CD audio control page (volumes all zero)
      return reply(header(24), maxLength);
    case 0x2a: {
      // CD/DVD capabilities and mechanical status: what Linux's sr reads at probe.
      const b = header(30);
      b[10] = 0x3b; // reads CD-R, CD-RW, DVD-ROM, DVD-R, DVD-RAM
      b[12] = 0x71; // audio play, multi-session, mode 2 forms
      b[13] = 3 << 5;
      b[14] = 1 | (1 << 3) | (1 << 5) | (state.trayLocked ? 1 << 1 : 0); // lock, eject, tray loader
      put16(b, 16, 704); // 4x maximum read speed
      b[19] = 2; // two volume levels
      put16(b, 20, 512); // 512 KiB buffer
      put16(b, 22, 704); // 4x current read speed
      return reply(b, maxLength);
    }
    default:
      return invalidField();
  }
}

function lbaToMsf(b: Uint8Array, at: number, lba: number): void {
  const l = lba + 150;
  b[at] = Math.floor(l / (75 * 60));
  b[at + 1] = Math.floor(l / 75) % 60;
  b[at + 2] = l % 75;
}

/** READ TOC/PMA/ATIP: one data track and the lead-out, in formats 0, 1 and 2 as QEMU. */
function readToc(packet: Uint8Array, cdSectors: number): AtapiAction {
  const maxLength = be16(packet, 7);
  const msf = (packet[1] & 2) !== 0;
  const startTrack = packet[6];
  // MMC puts the format in byte 2; old (SFF-8020) drivers in the top bits of byte 9.
  const format = packet[2] & 0x0f || packet[9] >> 6;
  const address = (b: Uint8Array, at: number, lba: number) => {
    if (msf) lbaToMsf(b, at + 1, lba);
    else put32(b, at, lba);
  };
  switch (format) {
    case 0: {
      if (startTrack > 1 && startTrack !== 0xaa) return invalidField();
      const withTrack1 = startTrack <= 1;
      const b = new Uint8Array(withTrack1 ? 20 : 12);
      b[2] = 1; // first track
      b[3] = 1; // last track
      let at = 4;
      if (withTrack1) {
        b[at + 1] = 0x14; // data track, ADR 1
        b[at + 2] = 1;
        address(b, at + 4, 0);
        at += 8;
      }
      b[at + 1] = 0x16;
      b[at + 2] = 0xaa; // lead-out
      address(b, at + 4, cdSectors);
      put16(b, 0, b.length - 2);
      return reply(b, maxLength);
    }
    case 1: {
      // Session information: one session, its first track at LBA 0.
      const b = new Uint8Array(12);
      b[1] = 0x0a;
      b[2] = 1;
      b[3] = 1;
      return reply(b, maxLength);
    }
    case 2: {
      // Raw TOC: points A0 (first track), A1 (last track), A2 (lead-out), then track 1.
      const b = new Uint8Array(4 + 4 * 11);
      b[2] = 1;
      b[3] = 1;
      const points = [0xa0, 0xa1, 0xa2, 1];
      points.forEach((point, i) => {
        const at = 4 + i * 11;
        b[at] = 1; // session
        b[at + 1] = 0x14;
        b[at + 3] = point;
        if (point === 0xa0) b[at + 8] = 1;
        else if (point === 0xa1) b[at + 8] = 1;
        else if (point === 0xa2) address(b, at + 7, cdSectors);
        else address(b, at + 7, 0);
      });
      put16(b, 0, b.length - 2);
      return reply(b, maxLength);
    }
    default:
      return invalidField();
  }
}
