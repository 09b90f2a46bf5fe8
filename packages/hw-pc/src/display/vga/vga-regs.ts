/**
 * VGA register numbers and bits (IBM VGA Technical Reference; FreeVGA).
 *
 * Port offsets are relative to 0x3c0, the start of the colour/mono-independent block, so
 * that the same numbers serve the ISA ports (a region over 0x3b0-0x3df, offset - 0x10) and
 * the PCI MMIO BAR's copy of 0x3c0-0x3df. The monochrome CRTC and status ports at 0x3bx
 * are therefore negative.
 */

// ---- Port offsets (port - 0x3c0) -------------------------------------------------------

/** 0x3b4: CRTC index while the misc output register selects monochrome. */
export const VGA_CRT_IM = -0x0c;
/** 0x3b5: CRTC data (monochrome). */
export const VGA_CRT_DM = -0x0b;
/** 0x3ba: input status 1 (read) / feature control (write), monochrome. */
export const VGA_IS1_RM = -0x06;
/** 0x3c0: attribute controller index, and data on every second write (the flip-flop). */
export const VGA_ATT_W = 0x00;
/** 0x3c1: attribute controller data (read). */
export const VGA_ATT_R = 0x01;
/** 0x3c2: misc output (write) / input status 0 (read). */
export const VGA_MIS_W = 0x02;
/** 0x3c3: video subsystem enable (ignored). */
export const VGA_VIDEO_ENABLE = 0x03;
/** 0x3c4: sequencer index. */
export const VGA_SEQ_I = 0x04;
/** 0x3c5: sequencer data. */
export const VGA_SEQ_D = 0x05;
/** 0x3c6: DAC pixel mask (ANDed with each pixel's colour index). */
export const VGA_PEL_MSK = 0x06;
/** 0x3c7: DAC read index (write) / DAC state (read). */
export const VGA_PEL_IR = 0x07;
/** 0x3c8: DAC write index. */
export const VGA_PEL_IW = 0x08;
/** 0x3c9: DAC data: red, green, blue in turn. */
export const VGA_PEL_D = 0x09;
/** 0x3ca: feature control (read). */
export const VGA_FTC_R = 0x0a;
/** 0x3cc: misc output (read). */
export const VGA_MIS_R = 0x0c;
/** 0x3ce: graphics controller index. */
export const VGA_GFX_I = 0x0e;
/** 0x3cf: graphics controller data. */
export const VGA_GFX_D = 0x0f;
/** 0x3d4: CRTC index (colour). */
export const VGA_CRT_IC = 0x14;
/** 0x3d5: CRTC data (colour). */
export const VGA_CRT_DC = 0x15;
/** 0x3da: input status 1 (read) / feature control (write), colour. */
export const VGA_IS1_RC = 0x1a;

/** Lowest and one past the highest port offset the VGA answers (0x3b0-0x3df). */
export const VGA_PORT_OFFSET_MIN = -0x10;
export const VGA_PORT_OFFSET_END = 0x20;

// ---- Misc output register (0x3c2 / 0x3cc) --------------------------------------------

/** I/O address select: CRTC and status at 0x3dx (colour) instead of 0x3bx (mono). */
export const VGA_MIS_COLOR = 0x01;
/** RAM enable: the CPU may reach video memory. */
export const VGA_MIS_ENB_MEM_ACCESS = 0x02;

// ---- Input status 1 (0x3ba / 0x3da) ---------------------------------------------------

/** Display enable is off: the beam is in a horizontal or vertical blank. */
export const ST01_DISP_ENABLE = 0x01;
/** Vertical retrace in progress. */
export const ST01_V_RETRACE = 0x08;

// ---- Sequencer ------------------------------------------------------------------------

export const VGA_SEQ_RESET = 0x00;
export const VGA_SEQ_CLOCK_MODE = 0x01;
export const VGA_SEQ_PLANE_WRITE = 0x02;
export const VGA_SEQ_CHARACTER_MAP = 0x03;
export const VGA_SEQ_MEMORY_MODE = 0x04;
export const VGA_SEQ_COUNT = 8;

/** Clocking mode: 8-dot characters (else 9). */
export const VGA_SR01_CHAR_CLK_8DOTS = 0x01;
/** Clocking mode: dot clock halved (40-column text, 320-pixel modes). */
export const VGA_SR01_DOT_CLOCK_DIV2 = 0x08;
/** Clocking mode: screen off (the display shows black). */
export const VGA_SR01_SCREEN_OFF = 0x20;
/** Map mask: all four planes. */
export const VGA_SR02_ALL_PLANES = 0x0f;
/** Memory mode: odd/even addressing off (planar writes). */
export const VGA_SR04_ODD_EVEN_DISABLE = 0x04;
/** Memory mode: chain 4 (the low two address bits pick the plane). */
export const VGA_SR04_CHN_4M = 0x08;

/** Bits that exist in each sequencer register. */
export const SR_MASK: readonly number[] = [0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff];

// ---- Graphics controller --------------------------------------------------------------

export const VGA_GFX_SR_VALUE = 0x00;
export const VGA_GFX_SR_ENABLE = 0x01;
export const VGA_GFX_COMPARE_VALUE = 0x02;
export const VGA_GFX_DATA_ROTATE = 0x03;
export const VGA_GFX_PLANE_READ = 0x04;
export const VGA_GFX_MODE = 0x05;
export const VGA_GFX_MISC = 0x06;
export const VGA_GFX_COMPARE_MASK = 0x07;
export const VGA_GFX_BIT_MASK = 0x08;
export const VGA_GFX_COUNT = 16;

/** Mode: read mode 1 (colour compare). */
export const VGA_GR05_READ_MODE_1 = 0x08;
/** Mode: host odd/even addressing (text modes). */
export const VGA_GR05_HOST_ODD_EVEN = 0x10;
/** Misc: graphics mode (else alphanumeric). */
export const VGA_GR06_GRAPHICS_MODE = 0x01;

/** Bits that exist in each graphics controller register. */
export const GR_MASK: readonly number[] = [
  0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff, 0, 0, 0, 0, 0, 0, 0,
];

// ---- Attribute controller -------------------------------------------------------------

export const VGA_ATC_PALETTE0 = 0x00;
export const VGA_ATC_PALETTEF = 0x0f;
export const VGA_ATC_MODE = 0x10;
export const VGA_ATC_OVERSCAN = 0x11;
export const VGA_ATC_PLANE_ENABLE = 0x12;
export const VGA_ATC_PEL = 0x13;
export const VGA_ATC_COLOR_PAGE = 0x14;
/** Number of attribute registers. */
export const VGA_ATT_COUNT = 0x15;

/** Attribute index bit 5: palette address source; clear, the screen is blanked. */
export const VGA_AR_ENABLE_DISPLAY = 0x20;
/** Mode control: graphics (else text). */
export const VGA_AR10_GRAPHICS = 0x01;
/** Mode control: monochrome emulation (underline attribute). */
export const VGA_AR10_MONO = 0x02;
/** Mode control: line graphics, the 9th column repeats the 8th for codes 0xc0-0xdf. */
export const VGA_AR10_LINE_GRAPHICS = 0x04;
/** Mode control: attribute bit 7 is blink (else bright background). */
export const VGA_AR10_BLINK = 0x08;
/** Mode control: palette bits 5-4 from the colour select register. */
export const VGA_AR10_PALETTE_BITS_54 = 0x80;

// ---- CRT controller -------------------------------------------------------------------

export const VGA_CRTC_H_TOTAL = 0x00;
export const VGA_CRTC_H_DISP = 0x01;
export const VGA_CRTC_V_TOTAL = 0x06;
export const VGA_CRTC_OVERFLOW = 0x07;
export const VGA_CRTC_MAX_SCAN = 0x09;
export const VGA_CRTC_CURSOR_START = 0x0a;
export const VGA_CRTC_CURSOR_END = 0x0b;
export const VGA_CRTC_START_HI = 0x0c;
export const VGA_CRTC_START_LO = 0x0d;
export const VGA_CRTC_CURSOR_HI = 0x0e;
export const VGA_CRTC_CURSOR_LO = 0x0f;
export const VGA_CRTC_V_SYNC_END = 0x11;
export const VGA_CRTC_V_DISP_END = 0x12;
export const VGA_CRTC_OFFSET = 0x13;
export const VGA_CRTC_UNDERLINE = 0x14;
export const VGA_CRTC_MODE = 0x17;
export const VGA_CRTC_LINE_COMPARE = 0x18;
/** The CRTC index is 8 bits; registers above 0x18 hold what is written (as QEMU keeps them). */
export const VGA_CRTC_COUNT = 256;

/** Vertical retrace end: write-protect CR0-CR7 (except CR7 bit 4). */
export const VGA_CR11_LOCK_CR0_CR7 = 0x80;
/** Overflow bit 4: line compare bit 8, writable even while CR0-CR7 are locked. */
export const VGA_CR07_LINE_COMPARE_8 = 0x10;
/** Cursor start: cursor off. */
export const VGA_CR0A_CURSOR_OFF = 0x20;
/** Maximum scan line: double scanning (each line twice). */
export const VGA_CR09_DOUBLE_SCAN = 0x80;

// ---- DAC ------------------------------------------------------------------------------

/** DAC state read at 0x3c7: the last index written was the write index. */
export const VGA_DAC_STATE_WRITE = 0x00;
/** DAC state read at 0x3c7: the last index written was the read index. */
export const VGA_DAC_STATE_READ = 0x03;

// ---- Memory ---------------------------------------------------------------------------

/** The legacy window 0xa0000-0xbffff. */
export const VGA_LEGACY_BASE = 0xa0000;
export const VGA_LEGACY_SIZE = 0x20000;
