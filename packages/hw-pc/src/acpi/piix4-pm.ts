/**
 * The PIIX4 power management function (82371AB function 3, 8086:7113) as QEMU's
 * hw/acpi/piix4.c models it on the PC (where it sits next to a PIIX3, at 01.3):
 *
 * - PMBA (config 0x40) and PMREGMISC bit 0 (0x80) place and enable the 64-byte PM I/O block:
 *   PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8;
 * - the GPE0 block at port 0xafe0 (4 bytes), as QEMU's DSDT and FADT say;
 * - the APM ports 0xb2/0xb3: ACPI_ENABLE (0xf1) and ACPI_DISABLE (0xf0) written to 0xb2
 *   set and clear SCI_EN;
 * - SMBBA (0x90) and SMBHSTCFG bit 0 (0xd2) place and enable the SMBus host controller;
 * - the SCI is an output (`sci`) the machine wires to ISA IRQ 9; SLP_EN with the S5 type
 *   asks the system to power off (`shutdown('guest-shutdown')`).
 */
import type { MemoryRegion } from '@tsemu/memory';
import { defineState, err, prop, type ResetType, type Result, vmstate } from '@tsemu/qom';
import { definePciDevice, PciDevice, pciDeviceStateFields } from '../pci/pci-device.js';
import { PCI_CLASS_BRIDGE_OTHER, PCI_VENDOR_ID_INTEL } from '../pci/pci-regs.js';
import { AcpiPm, type AcpiPmState, type PmSystemRequests, SLP_TYP_S3 } from './acpi-pm.js';
import { APM_CNT_IOPORT, Apm, type ApmState } from './apm.js';
import { PmSmbus, type PmSmbusState, SMBUS_IO_SIZE, type SmbusDevice } from './pm-smbus.js';

export const TYPE_PIIX4_PM = 'PIIX4_PM';

/** 82371AB function 3. */
export const PCI_DEVICE_ID_INTEL_82371AB_3 = 0x7113;

/** PMBA: power management base address (bits 6-15; bit 0 hardwired 1 = I/O space). */
export const PIIX4_PMBA = 0x40;
/** PMREGMISC bit 0: PMIOSE, the PM I/O block is decoded. */
export const PIIX4_PMREGMISC = 0x80;
/** DEVACTB (0x58-0x5b); byte 0x5b bit 1 is APMC_EN, which QEMU sets to tell firmware SMM is set up. */
export const PIIX4_DEVACTB = 0x58;
export const PIIX4_DEVACTB_APMC_EN_BYTE = 0x5b;
export const PIIX4_APMC_EN = 0x02;
/** SMBBA: SMBus base address (bits 4-15; bit 0 hardwired 1). */
export const PIIX4_SMBBA = 0x90;
/** SMBHSTCFG bit 0: SMB_HST_EN, the SMBus host I/O block is decoded (bits 1-3: IRQ select). */
export const PIIX4_SMBHSTCFG = 0xd2;

/** Bytes of the PM I/O block, and its registers' offsets in it. */
export const PIIX4_PM_IO_SIZE = 64;
export const PM_IO_EVT = 0x00;
export const PM_IO_CNT = 0x04;
export const PM_IO_TMR = 0x08;

/** Where QEMU's PIIX4 puts GPE0 (its FADT and DSDT say so), and its length. */
export const PIIX4_GPE0_BASE = 0xafe0;
export const PIIX4_GPE0_LEN = 4;

/** The SMI_CMD values QEMU's FADT declares for switching to and from ACPI mode. */
export const ACPI_ENABLE = 0xf1;
export const ACPI_DISABLE = 0xf0;

/** The ISA IRQ the SCI is wired to on a PC (the FADT's SCI_INT). */
export const PIIX4_SCI_IRQ = 9;

const piix4PmProps = {
  smb_io_base: prop.uint32({
    default: 0,
    max: 0xffff,
    description: "SMBus base port at realize (QEMU's pc machine uses 0xb100)",
  }),
  disable_s3: prop.uint8({ default: 0, description: 'the DSDT offers no S3' }),
  disable_s4: prop.uint8({ default: 0, description: 'the DSDT offers no S4' }),
  s4_val: prop.uint8({ default: 2, max: 7, description: 'SLP_TYP value of S4' }),
  'smm-enabled': prop.bool({ default: false, description: 'SMM is available to firmware' }),
};

const acpiPmStateDescription = defineState<AcpiPmState>({
  name: 'acpi-pm-regs',
  fields: {
    pm1Status: vmstate.uint16(),
    pm1Enable: vmstate.uint16(),
    pm1Control: vmstate.uint16(),
    overflowTick: vmstate.uint64(),
    gpeStatus: vmstate.array(vmstate.uint8(), PIIX4_GPE0_LEN / 2),
    gpeEnable: vmstate.array(vmstate.uint8(), PIIX4_GPE0_LEN / 2),
  },
});

const apmStateDescription = defineState<ApmState>({
  name: 'APM State',
  fields: { control: vmstate.uint8(), status: vmstate.uint8() },
});

const smbusStateDescription = defineState<PmSmbusState>({
  name: 'pmsmb',
  fields: {
    status: vmstate.uint8(),
    control: vmstate.uint8(),
    command: vmstate.uint8(),
    address: vmstate.uint8(),
    data0: vmstate.uint8(),
    data1: vmstate.uint8(),
    blockIndex: vmstate.uint8(),
    block: vmstate.array(vmstate.uint8(), 32),
  },
});

export class Piix4Pm extends PciDevice<typeof piix4PmProps> {
  /** The SCI (QEMU's GPIO out 0): level, to ISA IRQ 9. */
  readonly sci = this.outputLine('sci');
  /** An SMI request from an APM command other than ACPI enable/disable (when APMC_EN). */
  readonly smi = this.outputLine('smi');
  #requests: PmSystemRequests | undefined;
  #smbusDevices: SmbusDevice[] = [];
  #acpi: AcpiPm | undefined;
  #apm: Apm | undefined;
  #smbus: PmSmbus | undefined;
  #pmIo: MemoryRegion | undefined;
  #smbusIo: MemoryRegion | undefined;
  #fixedRegions: MemoryRegion[] = [];

  /**
   * Who handles power-off and suspend (structurally, @tsemu/system's SystemRequests);
   * before realize.
   */
  setRequests(requests: PmSystemRequests): void {
    if (this.realized) throw new Error(`${TYPE_PIIX4_PM}: requests are set before realize`);
    this.#requests = requests;
  }

  /** Devices on the SMBus (none by default: every transaction then ends with DEV_ERR). */
  setSmbusDevices(devices: readonly SmbusDevice[]): void {
    if (this.realized) throw new Error(`${TYPE_PIIX4_PM}: SMBus devices are set before realize`);
    this.#smbusDevices = [...devices];
  }

  /** The ACPI register block (after realize). */
  get acpi(): AcpiPm {
    if (!this.#acpi) throw new Error(`${TYPE_PIIX4_PM}: not realized`);
    return this.#acpi;
  }

  get apm(): Apm {
    if (!this.#apm) throw new Error(`${TYPE_PIIX4_PM}: not realized`);
    return this.#apm;
  }

  get smbus(): PmSmbus {
    if (!this.#smbus) throw new Error(`${TYPE_PIIX4_PM}: not realized`);
    return this.#smbus;
  }

  /** The PM I/O base the guest programmed (QEMU's `pm_io_base` property). */
  get pmIoBase(): number {
    return this.getLong(PIIX4_PMBA) & 0xffc0;
  }

  /** The SMBus I/O base the guest programmed. */
  get smbusIoBase(): number {
    return this.getLong(PIIX4_SMBBA) & 0xfff0;
  }

  protected override pciRealize(): Result<void> | undefined {
    const env = this.pciEnvironment;
    if (!env.time) return err(`${TYPE_PIIX4_PM}: the PCI bus has no clock for the PM timer`);
    const memory = env.memory;
    this.setByte(0x06, 0x80); // status: fast back-to-back capable
    this.setByte(0x07, 0x02); // status: DEVSEL medium
    this.setInterruptPin(1);
    // PMBA and SMBBA decode 16-bit I/O addresses; bit 0 says "I/O" and is read-only.
    this.setLongIn(this.wmask, PIIX4_PMBA, 0xffc0);
    this.setLongIn(this.wmask, PIIX4_SMBBA, 0xfff0);
    const acpi = new AcpiPm({
      time: env.time,
      sci: this.sci,
      requests: this.#requests,
      s4Value: this.props.s4_val,
      gpeLength: PIIX4_GPE0_LEN,
      log: env.log,
    });
    const apm = new Apm((value) => this.#apmControl(value));
    const smbus = new PmSmbus({ devices: this.#smbusDevices, log: env.log });
    this.#acpi = acpi;
    this.#apm = apm;
    this.#smbus = smbus;

    const pmIo = memory.container('piix4-pm', PIIX4_PM_IO_SIZE);
    pmIo.addSubregion(
      PM_IO_EVT,
      memory.io('acpi-evt', 4, {
        read: (offset) => acpi.readEvent(offset),
        write: (offset, value) => acpi.writeEvent(offset, value),
        valid: { minAccessSize: 2, maxAccessSize: 2 },
      }),
    );
    pmIo.addSubregion(
      PM_IO_CNT,
      memory.io('acpi-cnt', 2, {
        read: () => acpi.readControl(),
        write: (_offset, value) => acpi.writeControl(value),
        valid: { minAccessSize: 2, maxAccessSize: 2 },
      }),
    );
    pmIo.addSubregion(
      PM_IO_TMR,
      memory.io('acpi-tmr', 4, {
        read: () => acpi.readTimer(),
        write: () => {},
        valid: { minAccessSize: 4, maxAccessSize: 4 },
      }),
    );
    const smbusIo = memory.io('pm-smbus', SMBUS_IO_SIZE, {
      read: (offset) => smbus.read(offset),
      write: (offset, value) => smbus.write(offset, value),
      valid: { minAccessSize: 1, maxAccessSize: 1 },
    });
    const gpe = memory.io('acpi-gpe0', PIIX4_GPE0_LEN, {
      read: (offset) => acpi.readGpe(offset),
      write: (offset, value) => acpi.writeGpe(offset, value),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
      impl: { maxAccessSize: 1 },
    });
    const apmIo = memory.io('apm-io', 2, {
      read: (offset) => apm.read(offset),
      write: (offset, value) => apm.write(offset, value),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
      impl: { maxAccessSize: 1 },
    });
    memory.transaction(() => {
      pmIo.setEnabled(false);
      env.ioSpace.addSubregion(0, pmIo);
      smbusIo.setEnabled(false);
      env.ioSpace.addSubregion(0, smbusIo);
      env.ioSpace.addSubregion(PIIX4_GPE0_BASE, gpe);
      env.ioSpace.addSubregion(APM_CNT_IOPORT, apmIo);
    });
    this.#pmIo = pmIo;
    this.#smbusIo = smbusIo;
    this.#fixedRegions = [gpe, apmIo];
    // QEMU: the SMBus is enabled at the machine's base from the start.
    this.setWord(PIIX4_SMBBA, this.props.smb_io_base | 1);
    this.setByte(PIIX4_SMBHSTCFG, 0x09);
    this.#applyResetValues();
    this.#updateSmbusIo();
    return undefined;
  }

  protected override pciUnrealize(): void {
    const io = this.pciEnvironment.ioSpace;
    for (const region of [this.#pmIo, this.#smbusIo, ...this.#fixedRegions]) {
      if (region) io.removeSubregion(region);
    }
    this.#pmIo = undefined;
    this.#smbusIo = undefined;
    this.#fixedRegions = [];
  }

  override configWrite(offset: number, value: number, size: number): void {
    super.configWrite(offset, value, size);
    const touches = (reg: number, len: number) => offset < reg + len && offset + size > reg;
    if (touches(PIIX4_PMBA, 4) || touches(PIIX4_PMREGMISC, 1)) this.#updatePmIo();
    if (touches(PIIX4_SMBBA, 4) || touches(PIIX4_SMBHSTCFG, 1)) this.#updateSmbusIo();
  }

  /** Move and enable the PM block per PMBA and PMIOSE (QEMU's pm_io_space_update). */
  #updatePmIo(): void {
    const region = this.#pmIo;
    if (!region) return;
    region.core.transaction(() => {
      region.setEnabled((this.getByte(PIIX4_PMREGMISC) & 1) !== 0);
      region.setAddress(this.pmIoBase);
    });
  }

  #updateSmbusIo(): void {
    const region = this.#smbusIo;
    if (!region) return;
    region.core.transaction(() => {
      region.setEnabled((this.getByte(PIIX4_SMBHSTCFG) & 1) !== 0);
      region.setAddress(this.smbusIoBase);
    });
  }

  /** A byte written to APMC (QEMU's apm_ctrl_changed). */
  #apmControl(value: number): void {
    if (value === ACPI_ENABLE || value === ACPI_DISABLE) {
      this.acpi.setSciEnable(value === ACPI_ENABLE);
      return;
    }
    if (this.getByte(PIIX4_DEVACTB_APMC_EN_BYTE) & PIIX4_APMC_EN) this.smi.pulse();
  }

  /** The power button (QEMU's powerdown notifier for `system_powerdown`). */
  powerButton(): void {
    this.acpi.powerButton();
  }

  /**
   * What QEMU learns when the machine is complete (piix4_pm_machine_ready): which legacy
   * parallel and serial ports exist, for the device resource registers the DSDT reads.
   */
  machineInitDone(portPresent: (port: number) => boolean): void {
    this.setByte(0x5f, 0x10 | (portPresent(0x378) ? 0x80 : 0));
    this.setByte(0x63, 0x60);
    this.setByte(0x67, (portPresent(0x3f8) ? 0x08 : 0) | (portPresent(0x2f8) ? 0x90 : 0));
  }

  /**
   * The 6-byte `etc/system-states` fw_cfg file QEMU publishes: S3 and S4 availability
   * (bit 7) and their SLP_TYP values, for firmware that builds its own DSDT.
   */
  systemStatesFile(): Uint8Array {
    return Uint8Array.of(
      128,
      0,
      0,
      SLP_TYP_S3 | (this.props.disable_s3 ? 0 : 0x80),
      this.props.s4_val | (this.props.disable_s4 ? 0 : 0x80),
      128,
    );
  }

  #applyResetValues(): void {
    this.config.fill(0, PIIX4_DEVACTB, PIIX4_DEVACTB + 4);
    this.setLong(PIIX4_PMBA, 0x00000001);
    this.setByte(PIIX4_PMREGMISC, 0);
    if (!this.props['smm-enabled']) {
      // QEMU: "SMM already initialized", so firmware skips setting it up.
      this.setByte(PIIX4_DEVACTB_APMC_EN_BYTE, PIIX4_APMC_EN);
    }
  }

  protected override resetHold(type: ResetType): void {
    super.resetHold(type);
    this.#applyResetValues();
    this.#updatePmIo();
    this.#acpi?.reset();
  }

  /** The ACPI registers as data (for the state description). */
  get acpiState(): AcpiPmState {
    return this.acpi.state();
  }

  set acpiState(state: AcpiPmState) {
    this.acpi.loadState(state);
  }

  get apmState(): ApmState {
    return this.apm.state();
  }

  set apmState(state: ApmState) {
    this.apm.loadState(state);
  }

  get smbusState(): PmSmbusState {
    return this.smbus.state();
  }

  set smbusState(state: PmSmbusState) {
    this.smbus.loadState(state);
  }

  postLoad(): void {
    this.pciPostLoad();
    this.#updatePmIo();
    this.#updateSmbusIo();
  }
}

export const PIIX4_PM = definePciDevice<Piix4Pm>({
  name: TYPE_PIIX4_PM,
  instance: Piix4Pm,
  props: piix4PmProps,
  desc: 'PM',
  userCreatable: false,
  hotpluggable: false,
  categories: ['bridge'],
  pci: {
    vendorId: PCI_VENDOR_ID_INTEL,
    deviceId: PCI_DEVICE_ID_INTEL_82371AB_3,
    revision: 0x03,
    classId: PCI_CLASS_BRIDGE_OTHER,
  },
  state: {
    name: 'piix4_pm',
    version: 3,
    fields: {
      ...pciDeviceStateFields<Piix4Pm>(),
      acpiState: vmstate.struct(acpiPmStateDescription),
      apmState: vmstate.struct(apmStateDescription),
      smbusState: vmstate.struct(smbusStateDescription),
    },
    postLoad: (dev) => dev.postLoad(),
  },
});
