/**
 * The 512-byte IDENTIFY DEVICE and IDENTIFY PACKET DEVICE answers, word for word as QEMU's
 * hw/ide/core.c fills them (ide_identify, ide_atapi_identify), so guests see the drive they
 * see under QEMU.
 */

/** A drive's geometry in the old cylinder/head/sector addressing. */
export interface ChsGeometry {
  cylinders: number;
  heads: number;
  sectors: number;
}

/** What the identify data says about the drive and its current settings. */
export interface IdentifyParams {
  serial: string;
  firmware: string;
  model: string;
  /** Total 512-byte sectors of the medium. */
  totalSectors: number;
  geometry: ChsGeometry;
  /** READ/WRITE MULTIPLE block size in sectors (0: disabled). */
  multSectors: number;
  writeCache: boolean;
  /** Transfer mode chosen by SET FEATURES 03h: the word-62/63/88 "selected" bits. */
  transferMode: TransferMode;
}

/** The DMA mode a guest selected with SET FEATURES (none: PIO). */
export type TransferMode =
  | { kind: 'pio' }
  | { kind: 'sdma'; mode: number }
  | { kind: 'mdma'; mode: number }
  | { kind: 'udma'; mode: number };

/** QEMU's hd_geometry_guess without a partition table: 16 heads, 63 sectors per track. */
export function guessGeometry(totalSectors: number): ChsGeometry {
  const cylinders = Math.min(16383, Math.max(2, Math.floor(totalSectors / (16 * 63))));
  return { cylinders, heads: 16, sectors: 63 };
}

/** Writes an ATA string: space-padded, two characters per word, first one in the high byte. */
function putString(words: Uint16Array, first: number, text: string, length: number): void {
  for (let i = 0; i < length; i += 2) {
    const hi = i < text.length ? text.charCodeAt(i) & 0xff : 0x20;
    const lo = i + 1 < text.length ? text.charCodeAt(i + 1) & 0xff : 0x20;
    words[first + i / 2] = (hi << 8) | lo;
  }
}

/** Stores words little-endian into the 512-byte buffer a guest reads from the data port. */
function toBytes(words: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(512);
  for (let i = 0; i < 256; i++) {
    bytes[i * 2] = words[i] & 0xff;
    bytes[i * 2 + 1] = words[i] >> 8;
  }
  return bytes;
}

function dmaModeWords(mode: TransferMode): [number, number, number] {
  const selected = (kind: TransferMode['kind']) =>
    mode.kind === kind ? 1 << ((mode as { mode: number }).mode + 8) : 0;
  return [0x07 | selected('sdma'), 0x07 | selected('mdma'), 0x3f | selected('udma')];
}

/** IDENTIFY DEVICE (ECh) for an ATA disk. */
export function ataIdentify(p: IdentifyParams): Uint8Array {
  const w = new Uint16Array(256);
  const { cylinders, heads, sectors } = p.geometry;
  w[0] = 0x0040; // fixed (non-removable) device
  w[1] = cylinders;
  w[3] = heads;
  w[4] = (512 * sectors) & 0xffff; // retired: bytes per track
  w[5] = 512; // retired: bytes per sector
  w[6] = sectors;
  putString(w, 10, p.serial, 20);
  w[20] = 3; // retired: buffer type
  w[21] = 512; // cache size in sectors
  w[22] = 4; // ECC bytes
  putString(w, 23, p.firmware, 8);
  putString(w, 27, p.model, 40);
  w[47] = 0x8000 | 16; // READ/WRITE MULTIPLE: at most 16 sectors per block
  w[48] = 1; // 32-bit PIO allowed
  w[49] = (1 << 11) | (1 << 9) | (1 << 8); // IORDY, LBA, DMA
  w[51] = 0x200; // PIO cycle timing
  w[52] = 0x200; // DMA cycle timing
  w[53] = 1 | (1 << 1) | (1 << 2); // words 54-58, 64-70 and 88 are valid
  w[54] = cylinders;
  w[55] = heads;
  w[56] = sectors;
  const chsCapacity = cylinders * heads * sectors;
  w[57] = chsCapacity & 0xffff;
  w[58] = Math.floor(chsCapacity / 0x10000) & 0xffff;
  if (p.multSectors) w[59] = 0x100 | p.multSectors;
  const lba28 = Math.min(p.totalSectors, 0x0fffffff);
  w[60] = lba28 & 0xffff;
  w[61] = Math.floor(lba28 / 0x10000) & 0xffff;
  [w[62], w[63], w[88]] = dmaModeWords(p.transferMode);
  w[64] = 0x03; // PIO modes 3 and 4
  w[65] = 120;
  w[66] = 120;
  w[67] = 120;
  w[68] = 120;
  w[80] = 0xf0; // ATA-4 to ATA-7
  w[81] = 0x16;
  w[82] = (1 << 14) | (1 << 5) | 1; // NOP, write cache, SMART supported
  w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10); // FLUSH CACHE (EXT), LBA48
  w[84] = 1 << 14;
  w[85] = (1 << 14) | (p.writeCache ? 1 << 5 : 0) | 1; // write cache enabled?
  w[86] = (1 << 13) | (1 << 12) | (1 << 10);
  w[87] = 1 << 14;
  w[93] = 1 | (1 << 14) | 0x2000; // 80-conductor cable detected
  let total = p.totalSectors;
  for (let i = 100; i <= 103; i++) {
    w[i] = total % 0x10000;
    total = Math.floor(total / 0x10000);
  }
  return toBytes(w);
}

/** IDENTIFY PACKET DEVICE (A1h) for an ATAPI CD/DVD-ROM. */
export function atapiIdentify(
  p: Omit<IdentifyParams, 'totalSectors' | 'geometry' | 'multSectors' | 'writeCache'>,
): Uint8Array {
  const w = new Uint16Array(256);
  // ATAPI, CD-ROM device type, removable, DRQ within 50 us, 12-byte packets.
  w[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
  putString(w, 10, p.serial, 20);
  w[20] = 3;
  w[21] = 512;
  w[22] = 4;
  putString(w, 23, p.firmware, 8);
  putString(w, 27, p.model, 40);
  w[48] = 1;
  w[49] = (1 << 9) | (1 << 8); // LBA, DMA
  w[53] = 7;
  [w[62], w[63], w[88]] = dmaModeWords(p.transferMode);
  w[64] = 3;
  w[65] = 0xb4;
  w[66] = 0xb4;
  w[67] = 0x12c;
  w[68] = 0xb4;
  w[71] = 30;
  w[72] = 30;
  w[80] = 0x1e; // up to ATA/ATAPI-4
  return toBytes(w);
}
