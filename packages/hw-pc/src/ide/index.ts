// IDE: the channel core (ATA disks, ATAPI CD-ROMs), the PIIX bus-master DMA core, the PIIX3
// IDE PCI function (`piix3-ide`) with its drive-table helpers (docs/hw-pc-ide.md).
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
export * from './ide-drives.js';
export * from './ide-regs.js';
export * from './identify.js';
export * from './piix-ide.js';
export {
  type PiixIdeSavedState,
  piixIdeStateDescription,
  type SavedIdeChannel,
  type SavedIdeDrive,
} from './piix-ide-state.js';
