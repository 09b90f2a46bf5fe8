/**
 * Register offsets, bits and command codes of an ATA/ATAPI channel (ATA/ATAPI-6 and
 * SFF-8020/MMC for the packet commands), as QEMU's hw/ide names them.
 */

// ---- Command block (0x1f0-0x1f7 on the primary channel) -------------------------------
/** Data: 16-bit (or 32-bit, as two words) PIO data port. */
export const IDE_DATA = 0;
/** Read: error register. Write: features register. */
export const IDE_ERROR = 1;
export const IDE_FEATURES = 1;
/** Sector count (for ATAPI: the interrupt reason). */
export const IDE_NSECTOR = 2;
/** Sector number / LBA bits 0-7. */
export const IDE_SECTOR = 3;
/** Cylinder low / LBA bits 8-15 (for ATAPI: byte count low). */
export const IDE_LCYL = 4;
/** Cylinder high / LBA bits 16-23 (for ATAPI: byte count high). */
export const IDE_HCYL = 5;
/** Device/head: drive select, LBA mode, head or LBA bits 24-27. */
export const IDE_SELECT = 6;
/** Read: status (clears the pending interrupt). Write: command. */
export const IDE_STATUS = 7;
export const IDE_COMMAND = 7;

// ---- Control block (0x3f6) -------------------------------------------------------------
/** Read: alternate status (does not clear the interrupt). Write: device control. */
export const IDE_ALT_STATUS = 0;
export const IDE_DEVICE_CONTROL = 0;

/** Device control: interrupts disabled (nIEN): INTRQ is not driven. */
export const CTRL_NIEN = 0x02;
/** Device control: software reset of both devices while set (SRST). */
export const CTRL_SRST = 0x04;
/** Device control: high order byte: reads of registers 1-5 return the previous (LBA48) values. */
export const CTRL_HOB = 0x80;

// ---- Device/head register bits -----------------------------------------------------------
/** Selects device 1 (the slave). */
export const SELECT_DEV = 0x10;
/** The address in the taskfile is an LBA, not cylinder/head/sector. */
export const SELECT_LBA = 0x40;

// ---- Status bits -------------------------------------------------------------------------
/** An error occurred: see the error register (or, for ATAPI, the sense key). */
export const STATUS_ERR = 0x01;
/** Data request: the device is ready to transfer a PIO block. */
export const STATUS_DRQ = 0x08;
/** Device seek complete (DSC), set by QEMU on ATA completions. */
export const STATUS_DSC = 0x10;
/** Device fault. */
export const STATUS_DF = 0x20;
/** Device ready: the device accepts commands. */
export const STATUS_DRDY = 0x40;
/** Busy: the device owns the taskfile; other bits are not valid. */
export const STATUS_BSY = 0x80;

// ---- Error bits --------------------------------------------------------------------------
/** Address mark not found; after reset/diagnostics, 0x01 means "device 0 passed". */
export const ERROR_AMNF = 0x01;
/** Command aborted: unknown command, bad parameter or failed transfer. */
export const ERROR_ABRT = 0x04;
/** ID not found: the requested address is beyond the medium. */
export const ERROR_IDNF = 0x10;

// ---- ATAPI interrupt reason (in the sector count register) --------------------------------
/** Command/data: 1 when the device expects a command packet or reports completion. */
export const ATAPI_INT_REASON_CD = 0x01;
/** Input/output: 1 when the transfer is to the host. */
export const ATAPI_INT_REASON_IO = 0x02;

// ---- ATA commands ------------------------------------------------------------------------
export const WIN_NOP = 0x00;
export const WIN_DEVICE_RESET = 0x08;
/** RECALIBRATE is 0x10-0x1f. */
export const WIN_RECAL = 0x10;
export const WIN_READ = 0x20;
export const WIN_READ_ONCE = 0x21;
export const WIN_READ_EXT = 0x24;
export const WIN_READDMA_EXT = 0x25;
export const WIN_READ_NATIVE_MAX_EXT = 0x27;
export const WIN_MULTREAD_EXT = 0x29;
export const WIN_WRITE = 0x30;
export const WIN_WRITE_ONCE = 0x31;
export const WIN_WRITE_EXT = 0x34;
export const WIN_WRITEDMA_EXT = 0x35;
export const WIN_MULTWRITE_EXT = 0x39;
export const WIN_VERIFY = 0x40;
export const WIN_VERIFY_ONCE = 0x41;
export const WIN_VERIFY_EXT = 0x42;
/** SEEK is 0x70-0x7f. */
export const WIN_SEEK = 0x70;
export const WIN_DIAGNOSE = 0x90;
export const WIN_SPECIFY = 0x91;
export const WIN_PACKETCMD = 0xa0;
export const WIN_PIDENTIFY = 0xa1;
export const WIN_MULTREAD = 0xc4;
export const WIN_MULTWRITE = 0xc5;
export const WIN_SETMULT = 0xc6;
export const WIN_READDMA = 0xc8;
export const WIN_READDMA_ONCE = 0xc9;
export const WIN_WRITEDMA = 0xca;
export const WIN_WRITEDMA_ONCE = 0xcb;
export const WIN_STANDBYNOW1 = 0xe0;
export const WIN_IDLEIMMEDIATE = 0xe1;
export const WIN_STANDBY = 0xe2;
export const WIN_SETIDLE1 = 0xe3;
export const WIN_CHECKPOWERMODE1 = 0xe5;
export const WIN_SLEEPNOW1 = 0xe6;
export const WIN_FLUSH_CACHE = 0xe7;
export const WIN_FLUSH_CACHE_EXT = 0xea;
export const WIN_IDENTIFY = 0xec;
export const WIN_SETFEATURES = 0xef;
export const WIN_READ_NATIVE_MAX = 0xf8;

/** The largest READ/WRITE MULTIPLE block QEMU offers (IDENTIFY word 47). */
export const MAX_MULT_SECTORS = 16;

// ---- Packet (SCSI/MMC) commands ----------------------------------------------------------
export const GPCMD_TEST_UNIT_READY = 0x00;
export const GPCMD_REQUEST_SENSE = 0x03;
export const GPCMD_INQUIRY = 0x12;
export const GPCMD_MODE_SENSE_6 = 0x1a;
export const GPCMD_START_STOP_UNIT = 0x1b;
export const GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1e;
export const GPCMD_READ_CAPACITY = 0x25;
export const GPCMD_READ_10 = 0x28;
export const GPCMD_SEEK = 0x2b;
export const GPCMD_READ_TOC = 0x43;
export const GPCMD_GET_CONFIGURATION = 0x46;
export const GPCMD_GET_EVENT_STATUS_NOTIFICATION = 0x4a;
export const GPCMD_READ_DISC_INFORMATION = 0x51;
export const GPCMD_MODE_SENSE_10 = 0x5a;
export const GPCMD_READ_12 = 0xa8;
export const GPCMD_MECHANISM_STATUS = 0xbd;

/** ATAPI command packets are 12 bytes. */
export const ATAPI_PACKET_SIZE = 12;
/** A CD sector as the guest sees it. */
export const CD_SECTOR_SIZE = 2048;

// ---- Sense keys and additional sense codes -----------------------------------------------
export const SENSE_NONE = 0;
export const SENSE_NOT_READY = 2;
export const SENSE_ILLEGAL_REQUEST = 5;
export const SENSE_UNIT_ATTENTION = 6;

export const ASC_ILLEGAL_OPCODE = 0x20;
export const ASC_LOGICAL_BLOCK_OOR = 0x21;
export const ASC_INV_FIELD_IN_CMD_PACKET = 0x24;
export const ASC_MEDIUM_MAY_HAVE_CHANGED = 0x28;
export const ASC_SAVING_PARAMETERS_NOT_SUPPORTED = 0x39;
export const ASC_MEDIUM_NOT_PRESENT = 0x3a;
export const ASC_MEDIA_REMOVAL_PREVENTED = 0x53;
/** Unrecovered read error (a failed read of the medium). */
export const ASC_UNRECOVERED_READ_ERROR = 0x11;
