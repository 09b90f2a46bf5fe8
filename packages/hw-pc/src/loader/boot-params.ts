/**
 * struct boot_params, the Linux "zero page" (Documentation/arch/x86/zero-page.rst): what a
 * 32-bit boot protocol loader fills in place of the real-mode setup code, which would
 * otherwise ask the BIOS. Offsets are those of arch/x86/include/uapi/asm/bootparam.h.
 */
// struct boot_e820_entry has the layout of an etc/e820 entry, so E820Table.toBytes() fits.
import type { E820Table } from '../fw_cfg/e820.js';
import { KernelImageError } from './kernel-image-error.js';
import { LINUX_HDR, type LinuxSetupHeader } from './linux-header.js';

/** The size of struct boot_params. */
export const BOOT_PARAMS_SIZE = 0x1000;

/** Offsets of the zero page fields the loader writes. */
export const BOOT_PARAMS = {
  /** struct screen_info (0x40 bytes). */
  SCREEN_INFO: 0x000,
  /** The BIOS's E801 extended memory count in KiB (u32). */
  ALT_MEM_K: 0x1e0,
  /** Entries in E820_TABLE (u8). */
  E820_ENTRIES: 0x1e8,
  /** The setup header, copied from the image from 0x1f1 to its end. */
  HDR: LINUX_HDR.SETUP_SECTS,
  /** struct boot_e820_entry[128]: u64 address, u64 size, u32 type, packed. */
  E820_TABLE: 0x2d0,
} as const;

/** The entries the zero page's e820 table holds (E820_MAX_ENTRIES_ZEROPAGE). */
export const E820_MAX_ENTRIES_ZEROPAGE = 128;

/** Offsets inside struct screen_info. */
export const SCREEN_INFO = {
  ORIG_X: 0x00,
  ORIG_Y: 0x01,
  /** Extended memory in KiB from INT 15h AH=88h (u16). */
  EXT_MEM_K: 0x02,
  ORIG_VIDEO_PAGE: 0x04,
  ORIG_VIDEO_MODE: 0x06,
  ORIG_VIDEO_COLS: 0x07,
  ORIG_VIDEO_EGA_BX: 0x0a,
  ORIG_VIDEO_LINES: 0x0e,
  ORIG_VIDEO_IS_VGA: 0x0f,
  ORIG_VIDEO_POINTS: 0x10,
} as const;

/** The text console the kernel is told about, as a BIOS leaves it after POST. */
export interface TextScreen {
  /** BIOS video mode (3: 80x25 colour text). */
  mode: number;
  cols: number;
  lines: number;
  /** Character height in scan lines. */
  points: number;
}

/** Mode 3, what SeaBIOS and the VGA BIOS leave on a PC. */
export const VGA_TEXT_80X25: TextScreen = { mode: 3, cols: 80, lines: 25, points: 16 };

export interface BootParamsOptions {
  /** The image (its setup header is copied). */
  image: Uint8Array;
  header: LinuxSetupHeader;
  /** The memory map the BIOS would report (see biosE820Table). */
  e820: E820Table;
  /** Extended memory above 1 MiB in KiB (alt_mem_k; ext_mem_k gets it capped at 0xffff). */
  extendedMemoryKib: number;
  /** The console in screen_info; undefined leaves screen_info zero (no video). */
  screen?: TextScreen;
}

/**
 * A zero page: zero-filled, the image's setup header copied to its place (boot.rst: from
 * 0x1f1 to 0x202 plus the jump's byte), screen_info, the memory sizes and the e820 table.
 * The caller then fills the header's loader fields (writeSetupHeaderFields).
 */
export function buildBootParams(options: BootParamsOptions): Uint8Array {
  const { image, header, e820 } = options;
  const page = new Uint8Array(BOOT_PARAMS_SIZE);
  const view = new DataView(page.buffer);
  page.set(image.subarray(LINUX_HDR.SETUP_SECTS, header.headerEnd), BOOT_PARAMS.HDR);

  const kib = Math.max(0, Math.floor(options.extendedMemoryKib));
  view.setUint16(BOOT_PARAMS.SCREEN_INFO + SCREEN_INFO.EXT_MEM_K, Math.min(kib, 0xffff), true);
  view.setUint32(BOOT_PARAMS.ALT_MEM_K, Math.min(kib, 0xffffffff), true);

  const screen = options.screen;
  if (screen) {
    const at = BOOT_PARAMS.SCREEN_INFO;
    page[at + SCREEN_INFO.ORIG_X] = 0;
    page[at + SCREEN_INFO.ORIG_Y] = 0;
    page[at + SCREEN_INFO.ORIG_VIDEO_MODE] = screen.mode;
    page[at + SCREEN_INFO.ORIG_VIDEO_COLS] = screen.cols;
    page[at + SCREEN_INFO.ORIG_VIDEO_LINES] = screen.lines;
    page[at + SCREEN_INFO.ORIG_VIDEO_IS_VGA] = 1;
    view.setUint16(at + SCREEN_INFO.ORIG_VIDEO_POINTS, screen.points, true);
    // INT 10h AH=12h BL=10h: BH=0 (colour), BL=3 (256 KiB of video memory).
    view.setUint16(at + SCREEN_INFO.ORIG_VIDEO_EGA_BX, 0x0003, true);
  }

  const entries = e820.entries;
  if (entries.length > E820_MAX_ENTRIES_ZEROPAGE) {
    throw new KernelImageError(
      `the memory map has ${entries.length} entries, the zero page holds ${E820_MAX_ENTRIES_ZEROPAGE}`,
    );
  }
  page[BOOT_PARAMS.E820_ENTRIES] = entries.length;
  page.set(e820.toBytes(), BOOT_PARAMS.E820_TABLE);
  return page;
}
