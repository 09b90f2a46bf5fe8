/**
 * The items QEMU's pc machine puts in fw_cfg (fw_cfg_common_realize, fw_cfg_arch_create,
 * fw_cfg_reboot, fw_cfg_bootsplash, x86_load_linux), as one call, so that SeaBIOS finds
 * on tsemu what it finds on QEMU. SeaBIOS reads: the signature and ID (to detect fw_cfg
 * and DMA), FILE_DIR, BOOT_MENU (`etc/show-boot-menu`), IRQ0_OVERRIDE
 * (`etc/irq0-override`), MAX_CPUS (`etc/max-cpus`), NUMA, the ACPI_TABLES and
 * SMBIOS_ENTRIES counts, and the files `etc/e820`, `bootorder`, `etc/boot-fail-wait`,
 * `etc/boot-menu-wait`, `etc/table-loader`, `etc/smbios/...`, `genroms/...`.
 */
import { type E820Table, pcE820Table } from './e820.js';
import { type FwCfg, littleEndianBytes, stringBytes } from './fw-cfg.js';
import {
  FW_CFG_ACPI_TABLES,
  FW_CFG_BOOT_MENU,
  FW_CFG_CMDLINE_ADDR,
  FW_CFG_CMDLINE_DATA,
  FW_CFG_CMDLINE_SIZE,
  FW_CFG_HPET,
  FW_CFG_INITRD_ADDR,
  FW_CFG_INITRD_DATA,
  FW_CFG_INITRD_SIZE,
  FW_CFG_IRQ0_OVERRIDE,
  FW_CFG_KERNEL_ADDR,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_SIZE,
  FW_CFG_MAX_CPUS,
  FW_CFG_NB_CPUS,
  FW_CFG_NOGRAPHIC,
  FW_CFG_NUMA,
  FW_CFG_RAM_SIZE,
  FW_CFG_SETUP_ADDR,
  FW_CFG_SETUP_DATA,
  FW_CFG_SETUP_SIZE,
  FW_CFG_UUID,
} from './fw-cfg-keys.js';

export interface PcFwCfgConfig {
  /** Guest RAM in bytes (QEMU's ram_size: FW_CFG_RAM_SIZE). */
  ramSize: number;
  /** RAM below the PCI hole; with `aboveFourGig`, builds `etc/e820` unless `e820` is given. */
  belowFourGig: number;
  aboveFourGig?: number;
  /** The e820 table; default pcE820Table(belowFourGig, aboveFourGig). */
  e820?: E820Table;
  /** CPUs at boot (FW_CFG_NB_CPUS); default 1. */
  bootCpus?: number;
  /** The APIC ID limit (FW_CFG_MAX_CPUS, `etc/max-cpus` to SeaBIOS); default bootCpus. */
  apicIdLimit?: number;
  /** 16 bytes (`-uuid`); default all zero, as QEMU without -uuid. */
  uuid?: Uint8Array;
  /** `-nographic`. */
  nographic?: boolean;
  /** `-boot menu=on`. */
  bootMenu?: boolean;
  /** `-boot splash-time=MS`: adds `etc/boot-menu-wait`. */
  splashTimeMs?: number;
  /** `-boot reboot-timeout=MS`; default -1 (never reboot after a failed boot). */
  rebootTimeoutMs?: number;
  /** The `bootorder` file's text (OpenFirmware paths, one per line); default empty. */
  bootOrder?: string;
  /** `-acpitable` tables as FW_CFG_ACPI_TABLES holds them; default none (empty item). */
  acpiTables?: Uint8Array;
  /** FW_CFG_HPET (struct hpet_fw_config); default "no HPET described" (count 255). */
  hpet?: Uint8Array;
}

/** Bytes of struct hpet_fw_config: a count, then 8 packed 15-byte entries. */
export const HPET_FW_CONFIG_SIZE = 1 + 8 * 15;

/** struct hpet_fw_config for the given HPET blocks (QEMU fills it as HPETs realize). */
export function hpetFwConfig(
  blocks:
    | readonly {
        eventTimerBlockId: number;
        address: number;
        minTick?: number;
        pageProtection?: number;
      }[]
    | undefined,
): Uint8Array {
  const out = new Uint8Array(HPET_FW_CONFIG_SIZE);
  const view = new DataView(out.buffer);
  if (blocks === undefined) {
    out[0] = 0xff;
    return out;
  }
  if (blocks.length > 8) throw new Error(`fw_cfg: at most 8 HPET blocks, got ${blocks.length}`);
  out[0] = blocks.length;
  blocks.forEach((b, i) => {
    const at = 1 + i * 15;
    view.setUint32(at, b.eventTimerBlockId >>> 0, true);
    view.setBigUint64(at + 4, BigInt(b.address), true);
    view.setUint16(at + 12, b.minTick ?? 0, true);
    out[at + 14] = b.pageProtection ?? 0;
  });
  return out;
}

/** Add every item QEMU's pc machine provides (call once, after the device is realized). */
export function addPcFwCfgItems(fwCfg: FwCfg, config: PcFwCfgConfig): void {
  const bootCpus = config.bootCpus ?? 1;
  const apicIdLimit = config.apicIdLimit ?? bootCpus;
  if (config.uuid && config.uuid.length !== 16) {
    throw new Error(`fw_cfg: a UUID is 16 bytes, got ${config.uuid.length}`);
  }
  // fw_cfg_common_realize
  fwCfg.addBytes(FW_CFG_UUID, config.uuid ? Uint8Array.from(config.uuid) : new Uint8Array(16));
  fwCfg.addI16(FW_CFG_NOGRAPHIC, config.nographic ? 1 : 0);
  fwCfg.addI16(FW_CFG_BOOT_MENU, config.bootMenu ? 1 : 0);
  if (config.splashTimeMs !== undefined) {
    if (
      !Number.isInteger(config.splashTimeMs) ||
      config.splashTimeMs < 0 ||
      config.splashTimeMs > 0xffff
    ) {
      throw new Error('splash-time is invalid, it should be a value between 0 and 65535');
    }
    fwCfg.addFile('etc/boot-menu-wait', littleEndianBytes(config.splashTimeMs, 2));
  }
  const reboot = config.rebootTimeoutMs ?? -1;
  if (!Number.isInteger(reboot) || reboot < -1 || reboot > 0xffff) {
    throw new Error('reboot timeout is invalid, it should be a value between -1 and 65535');
  }
  fwCfg.addFile('etc/boot-fail-wait', littleEndianBytes(reboot >>> 0, 4));
  // fw_cfg_arch_create
  fwCfg.addI16(FW_CFG_NB_CPUS, bootCpus);
  fwCfg.addI16(FW_CFG_MAX_CPUS, apicIdLimit);
  fwCfg.addI64(FW_CFG_RAM_SIZE, config.ramSize);
  fwCfg.addBytes(FW_CFG_ACPI_TABLES, config.acpiTables ?? new Uint8Array(0));
  fwCfg.addI32(FW_CFG_IRQ0_OVERRIDE, 1);
  const e820 =
    config.e820 ??
    pcE820Table({ belowFourGig: config.belowFourGig, aboveFourGig: config.aboveFourGig });
  fwCfg.addFile('etc/e820', e820.toBytes());
  fwCfg.addBytes(FW_CFG_HPET, config.hpet ?? hpetFwConfig(undefined));
  // NUMA without nodes: a zero node count, then one (zero) node per APIC ID.
  fwCfg.addBytes(FW_CFG_NUMA, new Uint8Array(8 * (1 + apicIdLimit)));
  // fw_cfg_machine_reset: the boot order (empty without bootindex properties).
  fwCfg.addFile('bootorder', new TextEncoder().encode(config.bootOrder ?? ''));
}

/** What QEMU's x86_load_linux gives the linuxboot option ROM for `-kernel` with SeaBIOS. */
export interface LinuxBootItems {
  /** Where the real-mode setup code goes, and the code (the bzImage's first sectors). */
  setupAddr: number;
  setup: Uint8Array;
  /** Where the protected-mode kernel goes (0x100000), and its bytes. */
  kernelAddr: number;
  kernel: Uint8Array;
  /** Where the initrd goes (top of low RAM, aligned) and its bytes; omit both for none. */
  initrdAddr?: number;
  initrd?: Uint8Array;
  /** Where the command line goes, and its text (stored NUL-terminated). */
  cmdlineAddr: number;
  cmdline: string;
}

/** Add the direct kernel boot items (the machine computes the addresses from the bzImage header). */
export function addLinuxBootItems(fwCfg: FwCfg, items: LinuxBootItems): void {
  const cmdline = stringBytes(items.cmdline);
  fwCfg.addI32(FW_CFG_CMDLINE_ADDR, items.cmdlineAddr);
  fwCfg.addI32(FW_CFG_CMDLINE_SIZE, cmdline.length);
  fwCfg.addBytes(FW_CFG_CMDLINE_DATA, cmdline);
  fwCfg.addI32(FW_CFG_SETUP_ADDR, items.setupAddr);
  fwCfg.addI32(FW_CFG_SETUP_SIZE, items.setup.length);
  fwCfg.addBytes(FW_CFG_SETUP_DATA, items.setup);
  fwCfg.addI32(FW_CFG_KERNEL_ADDR, items.kernelAddr);
  fwCfg.addI32(FW_CFG_KERNEL_SIZE, items.kernel.length);
  fwCfg.addBytes(FW_CFG_KERNEL_DATA, items.kernel);
  if (items.initrd) {
    if (items.initrdAddr === undefined) throw new Error('fw_cfg: an initrd needs initrdAddr');
    fwCfg.addI32(FW_CFG_INITRD_ADDR, items.initrdAddr);
    fwCfg.addI32(FW_CFG_INITRD_SIZE, items.initrd.length);
    fwCfg.addBytes(FW_CFG_INITRD_DATA, items.initrd);
  }
}
