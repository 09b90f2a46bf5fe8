/**
 * What a user chooses about a `pc` machine: the command line's `-m`, `-bios`, `-kernel`,
 * `-serial`, `-vga`, `-boot`... turned into values (no parsing here: apps/cli parses, and a
 * library user fills this in directly).
 */
import type { LogSink, System } from '@tsemu/system';
import type { BackendKind } from '@tsemu/tcg';
import type { CharBackend } from '../char/char-backend.js';
import type { ConsolePort } from '../display/console-port.js';
import type { IdeDriveSpec } from '../ide/ide-drives.js';

/** A kernel given with `-kernel` (and `-initrd`, `-append`). */
export interface PcKernelImage {
  /** The file's name, for messages. */
  name: string;
  bytes: Uint8Array;
  /**
   * `-initrd`: for Linux one file; for Multiboot the modules, each with its command line
   * (the module's file name and arguments; default the name).
   */
  initrd?: { name: string; bytes: Uint8Array; commandLine?: string }[];
  /** `-append`. */
  cmdline: string;
}

export interface PcMachineOptions {
  /** The System the machine runs in (runstate, clocks, main loop), made by the caller. */
  system: System;
  /** `-m`, in bytes: a multiple of 1 MiB, at least 1 MiB, at most {@link PC_MAX_RAM}. */
  ramSize: number;
  /**
   * The firmware image (`-bios`, default SeaBIOS's bios-256k.bin): a multiple of 64 KiB,
   * at most 16 MiB. Omitted for the BIOS-less fast path (`-machine pc,firmware=none`).
   */
  bios?: Uint8Array;
  /** The VGA card's BIOS (vgabios-stdvga.bin), exposed through its expansion ROM BAR. */
  vgaBios?: Uint8Array;
  /** The option ROM SeaBIOS runs for `-kernel` (linuxboot_dma.bin / multiboot_dma.bin). */
  linuxBootRom?: Uint8Array;
  multibootRom?: Uint8Array;
  /** `-vga std` (default) or `-vga none`. */
  vga?: 'std' | 'none';
  /** Where the VGA shows its picture (a display's console); none with `-nographic`. */
  console?: ConsolePort;
  /** `-nographic` (fw_cfg tells the BIOS). */
  nographic?: boolean;
  /** `-serial` backends for COM1-COM4; `null` or missing: no port. */
  serial?: readonly (CharBackend | null)[];
  /** `-boot order=`: default "cad" as QEMU's pc. */
  bootOrder?: string;
  /** `-kernel` with `-initrd` / `-append`. */
  kernel?: PcKernelImage;
  /** IDE drives on the PIIX3 IDE function. */
  drives?: readonly IdeDriveSpec[];
  /** `-rtc base=`: the RTC's start time in ms since the epoch; default now. */
  rtcBaseMs?: number;
  /** JIT options (`-accel tcg,...`). */
  jit?: { backend?: BackendKind; maxTbs?: number; icount?: boolean };
  log?: LogSink;
}

/** Largest `-m`: RAM ends below the PCI hole (tsemu has no RAM above 4 GiB yet). */
export const PC_MAX_RAM = 0xe000_0000;
/** Smallest `-m` that SeaBIOS and Linux can use at all. */
export const PC_MIN_RAM = 1 * 1024 * 1024;
