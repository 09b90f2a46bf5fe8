/**
 * QEMU's `pc` machine (hw/i386/pc_piix.c, pc_init1, with pc.c and x86.c): one i386 CPU with
 * its local APIC, RAM below the PCI hole, the firmware ROM at the top of 4 GiB with its last
 * 128 KiB visible below 1 MiB, the i440FX/PIIX3/PIIX4-PM chipset, the 8259 pair and the
 * IOAPIC on the GSI lines, PIT and HPET, the RTC with the CMOS as QEMU fills it, i8042,
 * port 0x92, serial ports, fw_cfg, the PIIX3 IDE function and the standard VGA.
 *
 * The wiring is in small steps below, each named after the QEMU function it follows.
 */
import { type AddressSpace, MemoryCore, type MemoryRegion } from '@tsemu/memory';
import {
  createRoot,
  Device,
  formatQomTree,
  getOrCreateContainer,
  IrqLine,
  type QomObject,
  type TypeInfo,
  TypeRegistry,
  unwrap,
} from '@tsemu/qom';
import type { System } from '@tsemu/system';
import { formatJitStatistics, X86Vcpu } from '@tsemu/tcg';
import { ISA_SERIAL, type IsaSerial } from '../char/serial-qdev.js';
import { type PciVga, VGA_PCI } from '../display/vga-pci.js';
import { FW_CFG_IO, type FwCfgIoDevice } from '../fw_cfg/fw-cfg-io.js';
import { addLinuxBootItems, addPcFwCfgItems, hpetFwConfig } from '../fw_cfg/pc-fw-cfg.js';
import { createPiix3Ide, type PiixIde } from '../ide/piix-ide.js';
import { I8042_DEVICE, type IsaI8042 } from '../input/i8042-qdev.js';
import { ApicBus } from '../intc/apic-bus.js';
import type { HwEnvironment } from '../intc/hw-environment.js';
import { ISA_I8259, type IsaI8259, i8259ExtIntSource } from '../intc/i8259-qdev.js';
import { IOAPIC, type IoApicDevice } from '../intc/ioapic-qdev.js';
import { LOCAL_APIC, type LocalApicDevice } from '../intc/local-apic-qdev.js';
import { applyEntryState, type EntryState } from '../loader/entry-state.js';
import { detectKernelFormat, unknownKernelReason } from '../loader/kernel-format.js';
import { KernelImageError } from '../loader/kernel-image-error.js';
import { linuxBootItems } from '../loader/linux-boot-layout.js';
import { prepareLinuxDirectBoot } from '../loader/linux-direct.js';
import { type LoadRegion, writeLoadRegions } from '../loader/load-region.js';
import { addMultibootFwCfgItems, prepareMultibootBoot } from '../loader/multiboot.js';
import { ISA_DEBUG_EXIT, ISA_DEBUGCON, type IsaPort92, PORT92 } from '../misc/misc-qdev.js';
import { pciDevfn, pciSlot } from '../pci/pci-regs.js';
import { createI440fxPiix, I440FX_PIIX_TYPES, type I440fxPiix } from '../pci-host/i440fx-piix.js';
import { MC146818_RTC, type Mc146818Device } from '../rtc/mc146818-qdev.js';
import { HPET, type HpetDevice } from '../timer/hpet-qdev.js';
import { ISA_PCSPK, ISA_PIT, type IsaPit } from '../timer/i8254-qdev.js';
import { fillPcCmos } from './pc-cmos.js';
import { mapPcFirmware } from './pc-firmware.js';
import { PC_MACHINE_DEFAULT, PC_MACHINE_TYPES } from './pc-machine-types.js';
import { PC_MAX_RAM, PC_MIN_RAM, type PcKernelImage, type PcMachineOptions } from './pc-options.js';
import { formatPciInfo } from './pci-info.js';
import { busLessDevices, formatQtree } from './qtree.js';

/** Where QEMU's pc puts things. */
export const PC_IOAPIC_ADDRESS = 0xfec00000;
export const PC_HPET_ADDRESS = 0xfed00000;
/** ISA IRQ 0 arrives at IOAPIC pin 2 (the MADT's interrupt source override). */
const IOAPIC_PIT_PIN = 2;
/** The x87 FPU's error interrupt on a PC. */
const FERR_IRQ = 13;
const SERIAL_PORTS = [
  { iobase: 0x3f8, irq: 4 },
  { iobase: 0x2f8, irq: 3 },
  { iobase: 0x3e8, irq: 4 },
  { iobase: 0x2e8, irq: 3 },
];

/** Every QOM type the pc machine creates, for one registerAll. */
export const PC_DEVICE_TYPES = [
  ...I440FX_PIIX_TYPES,
  ISA_I8259,
  IOAPIC,
  LOCAL_APIC,
  ISA_PIT,
  ISA_PCSPK,
  HPET,
  MC146818_RTC,
  ISA_SERIAL,
  I8042_DEVICE,
  PORT92,
  ISA_DEBUGCON,
  ISA_DEBUG_EXIT,
  FW_CFG_IO,
  VGA_PCI,
  ...PC_MACHINE_TYPES,
] as const;

/** A check of the user's options failed: one line for the user, exit status 1. */
export class PcConfigError extends Error {
  override name = 'PcConfigError';
}

/** The devices of a built machine, by role (for tests, the monitor and the CLI). */
export interface PcDevices {
  chipset: I440fxPiix;
  picMaster: IsaI8259;
  picSlave: IsaI8259;
  ioapic: IoApicDevice;
  apic: LocalApicDevice;
  pit: IsaPit;
  hpet: HpetDevice;
  rtc: Mc146818Device;
  serial: IsaSerial[];
  i8042: IsaI8042;
  port92: IsaPort92;
  fwCfg: FwCfgIoDevice;
  vga: PciVga | undefined;
  ide: PiixIde;
}

export class PcMachine {
  /** The QOM types a pc machine registers (for `-machine help` and `-device help`). */
  static readonly deviceTypes = PC_DEVICE_TYPES;
  readonly system: System;
  readonly registry: TypeRegistry;
  /** The QOM root (`/`); the machine object is `/machine`. */
  readonly root: QomObject;
  readonly machine: QomObject;
  readonly memory: MemoryCore;
  readonly systemMemory: MemoryRegion;
  readonly ioMemory: MemoryRegion;
  /** The CPU's views: physical memory and I/O ports. */
  readonly addressSpace: AddressSpace;
  readonly ioSpace: AddressSpace;
  readonly ram: MemoryRegion;
  readonly vcpu: X86Vcpu;
  readonly devices: PcDevices;
  readonly belowFourGig: number;
  /** The ISA bus devices with `-device` go on. */
  get isaBus() {
    return this.devices.chipset.isaBus;
  }

  constructor(options: PcMachineOptions) {
    const ramSize = options.ramSize;
    if (!Number.isInteger(ramSize) || ramSize < PC_MIN_RAM || ramSize % (1024 * 1024) !== 0) {
      throw new PcConfigError(`invalid RAM size ${ramSize}: a multiple of 1 MiB, at least 1 MiB`);
    }
    if (ramSize > PC_MAX_RAM) {
      throw new PcConfigError(
        `RAM size ${ramSize / 1024 / 1024} MiB is too large: at most ${PC_MAX_RAM / 1024 / 1024} MiB (no RAM above 4 GiB yet)`,
      );
    }
    const system = options.system;
    this.system = system;
    this.registry = new TypeRegistry();
    this.registry.registerAll(PC_DEVICE_TYPES);
    this.root = createRoot(this.registry);
    this.machine = this.registry.objectNew(PC_MACHINE_DEFAULT);
    this.root.addChild('machine', this.machine);

    // pc_memory_init: RAM, the PCI hole above it.
    this.belowFourGig = ramSize;
    const memory = new MemoryCore();
    this.memory = memory;
    this.systemMemory = memory.container('system', 2 ** 32);
    this.ioMemory = memory.container('io', 0x10000);
    this.ram = memory.ram('pc.ram', ramSize);
    this.systemMemory.addSubregion(0, memory.alias('ram-below-4g', this.ram, 0, ramSize));
    this.addressSpace = memory.addressSpace('memory', this.systemMemory);
    this.ioSpace = memory.addressSpace('I/O', this.ioMemory);

    const time = system.clocks.virtual;
    const log = options.log ?? system.log;
    const apicBus = new ApicBus();
    const env: HwEnvironment = {
      memory,
      time,
      log,
      io: this.ioMemory,
      system: this.systemMemory,
      apicBus,
    };

    // The CPU and its local APIC (x86_cpu_realizefn, apic_common_realize).
    const apic = this.registry.objectNew(LOCAL_APIC);
    this.attachUnattached(apic);
    apic.setEnvironment(env);
    unwrap(apic.realize());
    const vcpu = new X86Vcpu({
      memory: this.addressSpace,
      io: this.ioSpace,
      interrupts: apic.apic,
      apic: {
        readBaseMsr: () => apic.apic.readBaseMsr(),
        writeBaseMsr: (value: number) => apic.writeBaseMsr(value),
      },
      clockNs: () => time.now(),
      // The x87's legacy error output (CR0.NE clear) is ISA IRQ 13 (QEMU's ferr_irq).
      ferr: (level: boolean) => this.devices?.chipset.isaBus.getIrq(FERR_IRQ).set(level ? 1 : 0),
      log,
      backend: options.jit?.backend,
      maxTbs: options.jit?.maxTbs,
      icount: options.jit?.icount,
    });
    this.vcpu = vcpu;
    // Reset as QEMU does (qemu_system_reset): every device, then the CPU (and after it, a
    // BIOS-less boot's kernel loading, registered later).
    system.resetHandlers.addDeviceReset(() => this.resetDevices());
    system.resetHandlers.addCpuReset(() => vcpu.reset());
    apic.onKick = () => {
      vcpu.cpu.kick();
      system.mainLoop.notify();
    };
    const setA20 = new IrqLine((level) => vcpu.cpu.setA20(level !== 0));
    const guestReset = new IrqLine((level) => {
      if (level) system.requests.reset('guest-reset');
    });

    // The chipset (i440fx_init, piix3 and piix4_pm).
    const chipset = createI440fxPiix({
      registry: this.registry,
      memory,
      system: this.systemMemory,
      io: this.ioMemory,
      ram: this.ram,
      belowFourGig: this.belowFourGig,
      time,
      log,
      parent: this.machine,
      requests: {
        reset: (cause) => system.requests.reset(cause),
        shutdown: (cause) => system.requests.shutdown(cause),
        suspend: () => system.requests.suspend(),
      },
    });

    // The firmware (x86_bios_rom_init) in the PCI space, so PAM can shadow it.
    if (options.bios) mapPcFirmware(memory, chipset.host.pciSpace, options.bios);

    // The interrupt controllers and the GSI lines (pc_gsi_create, pc_i8259_create, ioapic_init_gsi).
    const picMaster = this.registry.objectNew(ISA_I8259);
    unwrap(picMaster.setProperty('master', true));
    const picSlave = this.registry.objectNew(ISA_I8259);
    unwrap(picSlave.setProperty('iobase', 0xa0));
    unwrap(picSlave.setProperty('elcr-addr', 0x4d1));
    this.attachUnattached(picMaster);
    this.attachUnattached(picSlave);
    for (const pic of [picMaster, picSlave]) {
      pic.setEnvironment(env);
      unwrap(pic.realize());
    }
    picSlave.int.connect(picMaster.getGpioIn('irq', 2));
    // pic_irq_request: with an APIC the 8259's INT goes to LINT0 (ExtINT by default).
    picMaster.int.connect(apic.getGpioIn('lint', 0));
    apic.connectExtInt(i8259ExtIntSource(picMaster, picSlave));
    const ioapic = this.registry.objectNew(IOAPIC);
    unwrap(ioapic.setProperty('address', PC_IOAPIC_ADDRESS));
    this.attachUnattached(ioapic);
    ioapic.setEnvironment(env);
    unwrap(ioapic.realize());
    const gsi = Array.from(
      { length: 24 },
      (_, n) =>
        new IrqLine((level) => {
          if (n < 8) picMaster.getGpioIn('irq', n).set(level);
          else if (n < 16) picSlave.getGpioIn('irq', n - 8).set(level);
          ioapic.getGpioIn('irq', n === 0 ? IOAPIC_PIT_PIN : n).set(level);
        }),
    );
    chipset.isaBus.registerInputIrqs(gsi.slice(0, 16));

    // pc_basic_device_init: HPET (owning the PIT's and RTC's IRQs in legacy mode), RTC, PIT.
    const hpet = this.registry.objectNew(HPET);
    unwrap(hpet.setProperty('address', PC_HPET_ADDRESS));
    this.attachUnattached(hpet);
    hpet.setEnvironment(env);
    unwrap(hpet.realize());
    for (let n = 0; n < 24; n++) hpet.irqs[n].connect(gsi[n]);
    const rtc = this.registry.objectNew(MC146818_RTC);
    if (options.rtcBaseMs !== undefined) unwrap(rtc.setProperty('base-time-ms', options.rtcBaseMs));
    this.attachUnattached(rtc);
    rtc.setEnvironment(env);
    unwrap(rtc.realize());
    rtc.irq.connect(hpet.getGpioIn('legacy', 1));
    const pit = this.registry.objectNew(ISA_PIT);
    this.attachUnattached(pit);
    pit.setEnvironment(env);
    unwrap(pit.realize());
    pit.irq.connect(hpet.getGpioIn('legacy', 0));
    hpet.pitEnabled.connect(pit.getGpioIn('irq-control', 0));
    const pcspk = this.registry.objectNew(ISA_PCSPK);
    unwrap(pcspk.setProperty('pit', pit));
    this.attachUnattached(pcspk);
    pcspk.setEnvironment(env);
    unwrap(pcspk.realize());

    // Serial ports (serial_hds_isa_init), i8042 and port 0x92 (with the A20 line).
    const serial: IsaSerial[] = [];
    (options.serial ?? []).forEach((backend, index) => {
      if (!backend) return;
      if (index >= SERIAL_PORTS.length) throw new PcConfigError('at most 4 serial ports');
      const uart = this.registry.objectNew(ISA_SERIAL);
      unwrap(uart.setProperty('index', index));
      unwrap(uart.setProperty('iobase', SERIAL_PORTS[index].iobase));
      unwrap(uart.setProperty('irq', SERIAL_PORTS[index].irq));
      uart.setChardev(backend);
      unwrap(uart.realize(chipset.isaBus));
      serial.push(uart);
    });
    const i8042 = this.registry.objectNew(I8042_DEVICE);
    unwrap(i8042.realize(chipset.isaBus));
    i8042.a20.connect(setA20);
    i8042.resetRequest.connect(guestReset);
    const port92 = this.registry.objectNew(PORT92);
    unwrap(port92.realize(chipset.isaBus));
    port92.a20.connect(setA20);
    port92.resetRequest.connect(guestReset);

    // Port 0xf0 (QEMU's ioportF0): a write clears the FPU error (IGNNE# on real chipsets).
    this.ioMemory.addSubregion(
      0xf0,
      memory.io('ioportF0', 1, {
        read: () => 0xff,
        write: () => chipset.isaBus.getIrq(FERR_IRQ).set(0),
      }),
    );

    // fw_cfg (fw_cfg_arch_create) with what SeaBIOS reads.
    const fwCfg = this.registry.objectNew(FW_CFG_IO);
    this.machine.addChild('fw_cfg', fwCfg);
    fwCfg.setEnvironment({ memory, io: this.ioMemory, dma: this.addressSpace });
    unwrap(fwCfg.realize());
    const bootRom = options.kernel ? this.loadKernel(fwCfg, options) : undefined;
    addPcFwCfgItems(fwCfg.fwCfg, {
      ramSize,
      belowFourGig: this.belowFourGig,
      nographic: options.nographic,
      // QEMU gives the kernel-loading option ROM bootindex 0: SeaBIOS boots it first.
      bootOrder: bootRom ? `/rom@genroms/${bootRom}\n` : undefined,
      hpet: hpetFwConfig([{ eventTimerBlockId: hpet.hpet.read(0, 4), address: PC_HPET_ADDRESS }]),
    });

    // The VGA at 00:02.0 (pc_vga_init).
    let vga: PciVga | undefined;
    if ((options.vga ?? 'std') === 'std') {
      vga = this.registry.objectNew(VGA_PCI);
      if (options.vgaBios) vga.setOptionRom(options.vgaBios);
      unwrap(vga.setProperty('addr', 0x10));
      if (options.console) vga.attachConsole(options.console);
      unwrap(vga.realize(chipset.pciBus));
    }

    // The PIIX3 IDE function at 01.1 with the drives (pci_ide_create_devs).
    const ide = createPiix3Ide({
      registry: this.registry,
      pciBus: chipset.pciBus,
      isaBus: chipset.isaBus,
      devfn: pciDevfn(pciSlot(chipset.piix3.devfn), 1),
      drives: options.drives ?? [],
    });

    // The CMOS as pc_cmos_init fills it.
    fillPcCmos((index, value) => rtc.rtc.setCmosByte(index, value), {
      belowFourGig: this.belowFourGig,
      aboveFourGig: 0,
      cpus: 1,
      bootOrder: options.bootOrder ?? 'cad',
    });

    this.devices = {
      chipset,
      picMaster,
      picSlave,
      ioapic,
      apic,
      pit,
      hpet,
      rtc,
      serial,
      i8042,
      port92,
      fwCfg,
      vga,
      ide,
    };

    system.addVcpu(vcpu);
  }

  /**
   * `-kernel` (QEMU's x86_load_linux and load_multiboot). With firmware, the kernel, initrd
   * or modules and command line go to fw_cfg with the option ROM SeaBIOS runs to start them
   * (its name is returned for the boot order). Without firmware, the images are written to
   * RAM and the CPU set to the kernel's entry state, at every reset.
   */
  private loadKernel(fwCfg: FwCfgIoDevice, options: PcMachineOptions): string | undefined {
    const kernel = options.kernel as PcKernelImage;
    const fail = (message: string): never => {
      throw new PcConfigError(`-kernel ${kernel.name}: ${message}`);
    };
    try {
      const format = detectKernelFormat(kernel.bytes);
      if (format === undefined) return fail(unknownKernelReason(kernel.bytes));
      const modules = kernel.initrd ?? [];
      if (format === 'linux') {
        if (modules.length > 1) fail('a Linux kernel takes one -initrd file');
        const initrd = modules[0]?.bytes;
        if (options.bios) {
          const rom = options.linuxBootRom ?? fail('the linuxboot_dma.bin option ROM is missing');
          addLinuxBootItems(
            fwCfg.fwCfg,
            linuxBootItems({
              kernel: kernel.bytes,
              initrd,
              cmdline: kernel.cmdline,
              belowFourGig: this.belowFourGig,
            }),
          );
          return this.addOptionRom(fwCfg, 'linuxboot_dma.bin', rom);
        }
        const boot = prepareLinuxDirectBoot({
          kernel: kernel.bytes,
          initrd,
          cmdline: kernel.cmdline,
          belowFourGig: this.belowFourGig,
        });
        this.bootDirectly(boot.regions, boot.entry);
        return undefined;
      }
      const boot = prepareMultibootBoot({
        kernel: kernel.bytes,
        kernelName: kernel.name,
        cmdline: kernel.cmdline,
        modules: modules.map((m) => ({ commandLine: m.commandLine ?? m.name, bytes: m.bytes })),
        belowFourGig: this.belowFourGig,
      });
      if (options.bios) {
        const rom = options.multibootRom ?? fail('the multiboot_dma.bin option ROM is missing');
        addMultibootFwCfgItems(fwCfg.fwCfg, boot);
        return this.addOptionRom(fwCfg, 'multiboot_dma.bin', rom);
      }
      this.bootDirectly(boot.regions, boot.entry);
      return undefined;
    } catch (error) {
      if (error instanceof KernelImageError) fail(error.message);
      throw error;
    }
  }

  private addOptionRom(fwCfg: FwCfgIoDevice, name: string, rom: Uint8Array): string {
    fwCfg.fwCfg.addFile(`genroms/${name}`, rom);
    return name;
  }

  /** The BIOS-less path: after every CPU reset, load the images and enter the kernel. */
  private bootDirectly(regions: readonly LoadRegion[], entry: EntryState): void {
    const memory = this.addressSpace;
    const cpu = this.vcpu.cpu;
    this.system.resetHandlers.addCpuReset(() => {
      writeLoadRegions({ write: (addr, bytes) => memory.writeBytes(addr, bytes) }, regions);
      applyEntryState(cpu, entry);
    });
  }

  /** Every realized device of type `type` in the machine (for example `-device` ones). */
  findDevices<T extends Device>(type: TypeInfo<T>): T[] {
    const found: T[] = [];
    const visit = (obj: QomObject) => {
      if (obj instanceof Device && obj.typeName === type.name) found.push(obj as T);
      for (const child of obj.childObjects()) visit(child);
    };
    visit(this.machine);
    return found;
  }

  /** Hang `dev` at /machine/unattached/device[N], as QEMU does with devices nobody adopts. */
  private attachUnattached(dev: QomObject): void {
    getOrCreateContainer(this.machine, 'unattached').addChild('device[*]', dev);
  }

  /** Cold-reset every device of the machine (the roots of the qdev tree, and their buses). */
  resetDevices(): void {
    for (const dev of busLessDevices(this.machine)) dev.reset('cold');
  }

  /** Builds nothing more: reset into the start state and, unless `paused`, run the vCPU. */
  start(options: { paused?: boolean } = {}): void {
    this.system.systemReset('none');
    this.system.machineInitDone();
    if (!options.paused) this.system.vmStart();
  }

  /** The monitor's `info` texts. */
  info(): Record<string, { help: string; params?: string; run(args: readonly string[]): string }> {
    return {
      mtree: {
        help: 'show memory tree (-f: dump flat view for address spaces; -D: dump disabled regions)',
        params: '[-f][-D]',
        run: (args) =>
          this.memory.mtree({ flatview: args.includes('-f'), disabled: args.includes('-D') }),
      },
      qtree: { help: 'show device tree', run: () => formatQtree(this.machine) },
      'qom-tree': { help: 'show QOM composition tree', run: () => formatQomTree(this.machine) },
      pic: {
        help: 'show PIC state',
        run: () =>
          [
            this.devices.picMaster.pic.info(),
            this.devices.picSlave.pic.info(),
            this.devices.ioapic.ioapic.info(),
          ].join(''),
      },
      pci: { help: 'show PCI info', run: () => formatPciInfo(this.devices.chipset.pciBus) },
      jit: {
        help: 'show dynamic compiler info',
        run: () => formatJitStatistics(this.vcpu.engine.statistics()),
      },
    };
  }
}
