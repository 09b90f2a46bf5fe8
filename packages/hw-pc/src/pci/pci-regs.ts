/**
 * The PCI configuration header (type 0), as the PCI Local Bus Specification 3.0 lays it out,
 * with the names Linux and QEMU use (`include/uapi/linux/pci_regs.h`).
 */

/** Bytes of conventional PCI configuration space per function. */
export const PCI_CONFIG_SPACE_SIZE = 0x100;
/** Bytes of the standard header; device-specific registers follow it. */
export const PCI_CONFIG_HEADER_SIZE = 0x40;

/** Slots on one bus, functions per slot, device/function numbers per bus. */
export const PCI_SLOT_MAX = 32;
export const PCI_FUNC_MAX = 8;
export const PCI_DEVFN_MAX = 256;

/** Interrupt pins INTA#..INTD#. */
export const PCI_NUM_PINS = 4;

// ---- header registers (offsets) ----------------------------------------------------------

/** Vendor ID (16 bits, read-only); 0xffff means "no function here". */
export const PCI_VENDOR_ID = 0x00;
/** Device ID (16 bits, read-only). */
export const PCI_DEVICE_ID = 0x02;
/** Command register (16 bits): decode enables, bus mastering, INTx disable. */
export const PCI_COMMAND = 0x04;
/** Status register (16 bits): interrupt status, capabilities, error bits (write 1 to clear). */
export const PCI_STATUS = 0x06;
/** Revision ID (8 bits). */
export const PCI_REVISION_ID = 0x08;
/** Programming interface (8 bits), low byte of the class code. */
export const PCI_CLASS_PROG = 0x09;
/** Class and subclass (16 bits), e.g. 0x0600 host bridge. */
export const PCI_CLASS_DEVICE = 0x0a;
/** Cache line size (8 bits, writable, ignored by the emulation). */
export const PCI_CACHE_LINE_SIZE = 0x0c;
/** Latency timer (8 bits). */
export const PCI_LATENCY_TIMER = 0x0d;
/** Header type (8 bits): layout in bits 0-6, multi-function device in bit 7. */
export const PCI_HEADER_TYPE = 0x0e;
/** Built-in self test (8 bits). */
export const PCI_BIST = 0x0f;
/** First of six 32-bit base address registers (BAR0 .. BAR5). */
export const PCI_BASE_ADDRESS_0 = 0x10;
/** Subsystem vendor ID (16 bits). */
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
/** Subsystem ID (16 bits). */
export const PCI_SUBSYSTEM_ID = 0x2e;
/** Expansion ROM base address (32 bits) of a type-0 header. */
export const PCI_ROM_ADDRESS = 0x30;
/** Offset of the first capability, valid when the status has CAP_LIST. */
export const PCI_CAPABILITY_LIST = 0x34;
/** Expansion ROM base address of a type-1 (bridge) header. */
export const PCI_ROM_ADDRESS1 = 0x38;
/** Interrupt line (8 bits): the IRQ firmware routed the pin to; hardware ignores it. */
export const PCI_INTERRUPT_LINE = 0x3c;
/** Interrupt pin (8 bits, read-only): 0 none, 1 INTA# .. 4 INTD#. */
export const PCI_INTERRUPT_PIN = 0x3d;
export const PCI_MIN_GNT = 0x3e;
export const PCI_MAX_LAT = 0x3f;

// ---- command register bits ----------------------------------------------------------------

/** Respond to I/O space accesses: I/O BARs are decoded. */
export const PCI_COMMAND_IO = 0x0001;
/** Respond to memory space accesses: memory and ROM BARs are decoded. */
export const PCI_COMMAND_MEMORY = 0x0002;
/** Bus master: the function may start DMA. */
export const PCI_COMMAND_MASTER = 0x0004;
export const PCI_COMMAND_SPECIAL = 0x0008;
export const PCI_COMMAND_INVALIDATE = 0x0010;
export const PCI_COMMAND_VGA_PALETTE = 0x0020;
export const PCI_COMMAND_PARITY = 0x0040;
export const PCI_COMMAND_WAIT = 0x0080;
/** SERR# driver enable. */
export const PCI_COMMAND_SERR = 0x0100;
export const PCI_COMMAND_FAST_BACK = 0x0200;
/** INTx emulation disable: the function's INTx# pin stays deasserted. */
export const PCI_COMMAND_INTX_DISABLE = 0x0400;

// ---- status register bits -----------------------------------------------------------------

/** The function asserts its INTx# (before the command register's INTx disable). */
export const PCI_STATUS_INTERRUPT = 0x0008;
/** A capability list starts at PCI_CAPABILITY_LIST. */
export const PCI_STATUS_CAP_LIST = 0x0010;
export const PCI_STATUS_66MHZ = 0x0020;
export const PCI_STATUS_FAST_BACK = 0x0080;
/** Master data parity error (write 1 to clear). */
export const PCI_STATUS_PARITY = 0x0100;
/** DEVSEL# timing, medium (bits 9-10 = 01). */
export const PCI_STATUS_DEVSEL_MEDIUM = 0x0200;
/** Signaled target abort (write 1 to clear). */
export const PCI_STATUS_SIG_TARGET_ABORT = 0x0800;
/** Received target abort (write 1 to clear). */
export const PCI_STATUS_REC_TARGET_ABORT = 0x1000;
/** Received master abort (write 1 to clear). */
export const PCI_STATUS_REC_MASTER_ABORT = 0x2000;
/** Signaled system error (write 1 to clear). */
export const PCI_STATUS_SIG_SYSTEM_ERROR = 0x4000;
/** Detected parity error (write 1 to clear). */
export const PCI_STATUS_DETECTED_PARITY = 0x8000;

// ---- header type --------------------------------------------------------------------------

export const PCI_HEADER_TYPE_NORMAL = 0x00;
export const PCI_HEADER_TYPE_BRIDGE = 0x01;
export const PCI_HEADER_TYPE_CARDBUS = 0x02;
/** Bit 7 of the header type of function 0: functions 1-7 may exist. */
export const PCI_HEADER_TYPE_MULTI_FUNCTION = 0x80;

// ---- base address registers ---------------------------------------------------------------

/** BAR bit 0: the BAR decodes I/O space (else memory space). */
export const PCI_BASE_ADDRESS_SPACE_IO = 0x01;
export const PCI_BASE_ADDRESS_SPACE_MEMORY = 0x00;
/** Memory BAR type (bits 1-2): anywhere in 32-bit space. */
export const PCI_BASE_ADDRESS_MEM_TYPE_32 = 0x00;
/** Memory BAR type: below 1 MiB (obsolete). */
export const PCI_BASE_ADDRESS_MEM_TYPE_1M = 0x02;
/** Memory BAR type: 64-bit, the next BAR holds the high half. */
export const PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
export const PCI_BASE_ADDRESS_MEM_TYPE_MASK = 0x06;
/** Memory BAR bit 3: prefetchable (reads have no side effects). */
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
/** The address bits of a memory BAR. */
export const PCI_BASE_ADDRESS_MEM_MASK = 0xfffffff0;
/** The address bits of an I/O BAR. */
export const PCI_BASE_ADDRESS_IO_MASK = 0xfffffffc;
/** Expansion ROM BAR bit 0: decode enable. */
export const PCI_ROM_ADDRESS_ENABLE = 0x01;
/** The address bits of the expansion ROM BAR. */
export const PCI_ROM_ADDRESS_MASK = 0xfffff800;

/** BAR slots: BAR0-BAR5 and the expansion ROM (QEMU's PCI_ROM_SLOT). */
export const PCI_NUM_BARS = 6;
export const PCI_ROM_SLOT = 6;
export const PCI_NUM_REGIONS = 7;

// ---- vendors, classes ---------------------------------------------------------------------

export const PCI_VENDOR_ID_INTEL = 0x8086;
/** Red Hat / Qumranet: QEMU's default subsystem vendor. */
export const PCI_SUBVENDOR_ID_REDHAT_QUMRANET = 0x1af4;
/** QEMU's default subsystem ID ("QEMU virtual machine"); SeaBIOS checks it on 00:00.0. */
export const PCI_SUBDEVICE_ID_QEMU = 0x1100;

export const PCI_CLASS_STORAGE_IDE = 0x0101;
export const PCI_CLASS_DISPLAY_VGA = 0x0300;
export const PCI_CLASS_BRIDGE_HOST = 0x0600;
export const PCI_CLASS_BRIDGE_ISA = 0x0601;
export const PCI_CLASS_BRIDGE_PCI = 0x0604;
export const PCI_CLASS_BRIDGE_OTHER = 0x0680;
export const PCI_CLASS_OTHERS = 0xff;

/** devfn of slot `slot`, function `fn`. */
export function pciDevfn(slot: number, fn: number): number {
  return ((slot & 0x1f) << 3) | (fn & 0x07);
}

/** The slot (device number) of a devfn. */
export function pciSlot(devfn: number): number {
  return (devfn >> 3) & 0x1f;
}

/** The function number of a devfn. */
export function pciFunc(devfn: number): number {
  return devfn & 0x07;
}
