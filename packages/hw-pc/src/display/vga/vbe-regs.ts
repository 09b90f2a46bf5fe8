/**
 * The Bochs VBE "dispi" interface (Bochs, QEMU's vga.c; SeaBIOS's bochsvga.c drives it):
 * an index port and a 16-bit data port through which a guest sets a linear framebuffer
 * mode directly, without programming the VGA's timing registers.
 */

/** I/O port offsets of the dispi ports, relative to 0x1ce. */
export const VBE_DISPI_IOPORT_INDEX = 0;
/** 0x1cf: the data port on x86 (QEMU also decodes 0x1d0). */
export const VBE_DISPI_IOPORT_DATA = 1;
export const VBE_DISPI_IOPORT_DATA_ALT = 2;

export const VBE_DISPI_INDEX_ID = 0x0;
export const VBE_DISPI_INDEX_XRES = 0x1;
export const VBE_DISPI_INDEX_YRES = 0x2;
export const VBE_DISPI_INDEX_BPP = 0x3;
export const VBE_DISPI_INDEX_ENABLE = 0x4;
export const VBE_DISPI_INDEX_BANK = 0x5;
export const VBE_DISPI_INDEX_VIRT_WIDTH = 0x6;
export const VBE_DISPI_INDEX_VIRT_HEIGHT = 0x7;
export const VBE_DISPI_INDEX_X_OFFSET = 0x8;
export const VBE_DISPI_INDEX_Y_OFFSET = 0x9;
/** Number of dispi registers with storage. */
export const VBE_DISPI_INDEX_NB = 0xa;
/** Read-only: video memory size in 64 KiB units. */
export const VBE_DISPI_INDEX_VIDEO_MEMORY_64K = 0xa;

/** Interface versions a guest may select by writing the ID register. */
export const VBE_DISPI_ID0 = 0xb0c0;
export const VBE_DISPI_ID1 = 0xb0c1;
export const VBE_DISPI_ID2 = 0xb0c2;
export const VBE_DISPI_ID3 = 0xb0c3;
export const VBE_DISPI_ID4 = 0xb0c4;
export const VBE_DISPI_ID5 = 0xb0c5;

/** ENABLE register bits. */
export const VBE_DISPI_DISABLED = 0x00;
export const VBE_DISPI_ENABLED = 0x01;
/** While set, XRES/YRES/BPP read back the maximums instead. */
export const VBE_DISPI_GETCAPS = 0x02;
/** 8 bits per DAC colour channel instead of 6. */
export const VBE_DISPI_8BIT_DAC = 0x20;
/** The guest uses the linear framebuffer (informational: the BAR always maps it). */
export const VBE_DISPI_LFB_ENABLED = 0x40;
/** Do not clear video memory when the mode is enabled. */
export const VBE_DISPI_NOCLEARMEM = 0x80;

export const VBE_DISPI_MAX_XRES = 16000;
export const VBE_DISPI_MAX_YRES = 12000;
export const VBE_DISPI_MAX_BPP = 32;

/** Where the ISA VGA maps its framebuffer (QEMU's VBE_DISPI_LFB_PHYSICAL_ADDRESS). */
export const VBE_DISPI_LFB_PHYSICAL_ADDRESS = 0xe0000000;
