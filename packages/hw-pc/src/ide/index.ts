// IDE: the channel core (ATA disks, ATAPI CD-ROMs), the PIIX bus-master DMA core, and the
// helpers their tests and benchmark use (docs/hw-pc-ide.md).
export * from './atapi.js';
export * from './bmdma.js';
export * from './ide-channel.js';
export {
  DmaKind,
  type IdeDriveConfig,
  type IdeDriveKind,
  IdeDrivePosition,
  IO_BUFFER_SIZE,
  Transfer,
} from './ide-drive.js';
export * from './ide-regs.js';
export * from './identify.js';
