/**
 * fw_cfg selector keys and interface constants (QEMU's include/standard-headers/linux/
 * qemu_fw_cfg.h and hw/i386/fw_cfg.h; docs/specs/fw_cfg.rst).
 */

/** "QEMU" (4 bytes): written by every fw_cfg, what firmware checks first. */
export const FW_CFG_SIGNATURE = 0x00;
/** Interface version bits (32-bit LE): FW_CFG_VERSION, FW_CFG_VERSION_DMA. */
export const FW_CFG_ID = 0x01;
/** The VM's UUID (16 bytes). */
export const FW_CFG_UUID = 0x02;
/** RAM size in bytes (64-bit LE). */
export const FW_CFG_RAM_SIZE = 0x03;
/** 1 with -nographic (16-bit LE). */
export const FW_CFG_NOGRAPHIC = 0x04;
/** CPUs present at boot (16-bit LE). */
export const FW_CFG_NB_CPUS = 0x05;
export const FW_CFG_MACHINE_ID = 0x06;
/** Where the protected-mode kernel goes (32-bit LE). */
export const FW_CFG_KERNEL_ADDR = 0x07;
export const FW_CFG_KERNEL_SIZE = 0x08;
/** Kernel command line address, for non-x86 boards. */
export const FW_CFG_KERNEL_CMDLINE = 0x09;
export const FW_CFG_INITRD_ADDR = 0x0a;
export const FW_CFG_INITRD_SIZE = 0x0b;
/** Boot device letter (16-bit LE), for boards without CMOS. */
export const FW_CFG_BOOT_DEVICE = 0x0c;
/** NUMA: node count, then a node per possible CPU, then memory per node (64-bit LE each). */
export const FW_CFG_NUMA = 0x0d;
/** 1 to show the boot menu (16-bit LE). */
export const FW_CFG_BOOT_MENU = 0x0e;
/** On x86: the APIC ID limit (16-bit LE), read by SeaBIOS as `etc/max-cpus`. */
export const FW_CFG_MAX_CPUS = 0x0f;
export const FW_CFG_KERNEL_ENTRY = 0x10;
/** The protected-mode part of the kernel image. */
export const FW_CFG_KERNEL_DATA = 0x11;
export const FW_CFG_INITRD_DATA = 0x12;
export const FW_CFG_CMDLINE_ADDR = 0x13;
export const FW_CFG_CMDLINE_SIZE = 0x14;
/** The command line, NUL-terminated. */
export const FW_CFG_CMDLINE_DATA = 0x15;
/** Where the real-mode setup code goes. */
export const FW_CFG_SETUP_ADDR = 0x16;
export const FW_CFG_SETUP_SIZE = 0x17;
export const FW_CFG_SETUP_DATA = 0x18;
/** The file directory: a 32-bit BE count, then 64-byte entries (size, select, name). */
export const FW_CFG_FILE_DIR = 0x19;
/** The first selector of named files. */
export const FW_CFG_FILE_FIRST = 0x20;
/** Named-file slots QEMU allocates by default (`x-file-slots`). */
export const FW_CFG_FILE_SLOTS_DFLT = 0x20;
/** Selector bit 14: the write channel (writes are no longer supported through it). */
export const FW_CFG_WRITE_CHANNEL = 0x4000;
/** Selector bit 15: an architecture-specific item. */
export const FW_CFG_ARCH_LOCAL = 0x8000;
/** The item number within its (generic or arch) table. */
export const FW_CFG_ENTRY_MASK = ~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL) & 0xffff;
/** The selector value meaning "nothing selected". */
export const FW_CFG_INVALID = 0xffff;

// ---- x86 items (FW_CFG_ARCH_LOCAL) ------------------------------------------------------

/** `-acpitable` tables: a 16-bit count, then length-prefixed tables. */
export const FW_CFG_ACPI_TABLES = FW_CFG_ARCH_LOCAL + 0;
/** Legacy SMBIOS fields and tables: a 16-bit count, then entries. */
export const FW_CFG_SMBIOS_ENTRIES = FW_CFG_ARCH_LOCAL + 1;
/** 1: the MADT/MP table should say IRQ0 goes to IOAPIC pin 2 (SeaBIOS: `etc/irq0-override`). */
export const FW_CFG_IRQ0_OVERRIDE = FW_CFG_ARCH_LOCAL + 2;
/** Legacy e820 reservations (used only when `etc/e820` is missing). */
export const FW_CFG_E820_TABLE = FW_CFG_ARCH_LOCAL + 3;
/** HPET description for the ACPI HPET table (struct hpet_fw_config). */
export const FW_CFG_HPET = FW_CFG_ARCH_LOCAL + 4;

// ---- interface bits -----------------------------------------------------------------------

/** FW_CFG_ID bit 0: the traditional port interface. */
export const FW_CFG_VERSION = 0x01;
/** FW_CFG_ID bit 1: the DMA interface. */
export const FW_CFG_VERSION_DMA = 0x02;

/** DMA control: an error occurred (the only bit left set when a transfer fails). */
export const FW_CFG_DMA_CTL_ERROR = 0x01;
/** DMA control: copy item bytes to guest memory. */
export const FW_CFG_DMA_CTL_READ = 0x02;
/** DMA control: advance the item offset without copying. */
export const FW_CFG_DMA_CTL_SKIP = 0x04;
/** DMA control: select the item in bits 16-31 first. */
export const FW_CFG_DMA_CTL_SELECT = 0x08;
/** DMA control: copy guest memory to a writable item. */
export const FW_CFG_DMA_CTL_WRITE = 0x10;
/** What the DMA address register reads as: "QEMU CFG" (big-endian). */
export const FW_CFG_DMA_SIGNATURE = 'QEMU CFG';

/** Ports of the x86 I/O interface: selector (16-bit write), data (8-bit), DMA address (BE). */
export const FW_CFG_IO_BASE = 0x510;
export const FW_CFG_DATA_PORT = 0x511;
export const FW_CFG_DMA_IO_BASE = 0x514;
/** Bytes of the selector/data region (the data port overlaps the selector's high byte). */
export const FW_CFG_CTL_SIZE = 2;
/** Bytes of the DMA address register. */
export const FW_CFG_DMA_SIZE = 8;
/** Bytes of a file name in a directory entry, including its NUL. */
export const FW_CFG_MAX_FILE_PATH = 56;
/** Bytes of one directory entry. */
export const FW_CFG_FILE_SIZE = 64;
