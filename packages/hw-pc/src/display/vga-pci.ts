/**
 * QEMU's `VGA` (`-vga std`, hw/display/vga-pci.c): the standard VGA as PCI function
 * 1234:1111, class 0x0300.
 *
 * - BAR0 (prefetchable memory): video memory, the VBE linear framebuffer.
 * - BAR2 (memory, 4 KiB, with `mmio=on`): the registers without I/O ports, as Linux's
 *   bochs-drm uses them: the VGA ports 0x3c0-0x3df at 0x400, the Bochs dispi registers at
 *   0x500 (register n at 0x500 + 2n) and, with `qemu-extended-regs=on`, QEMU's extension
 *   registers at 0x600 (the block's size, and the framebuffer byte order).
 * - The legacy window at 0xa0000 of the PCI memory space and the ports 0x3b0-0x3df,
 *   0x1ce-0x1d0 of the PCI I/O space, always decoded (a VGA is exempt from the command
 *   register's decode enables, as in QEMU).
 * - An expansion ROM (the VGA BIOS, `vgabios-stdvga.bin`) when the machine gives one with
 *   {@link PciVga.setOptionRom}: SeaBIOS copies it to 0xc0000 and runs it.
 */
import type { MemoryRegion } from '@tsemu/memory';
import { prop, type ResetType, type Result, vmstate } from '@tsemu/qom';
import { definePciDevice, PciDevice, pciDeviceStateFields } from '../pci/pci-device.js';
import {
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_SPACE_MEMORY,
  PCI_CLASS_DISPLAY_VGA,
} from '../pci/pci-regs.js';
import type { ConsolePort, HardwareConsolePort } from './console-port.js';
import type { VgaCore } from './vga/vga-core.js';
import type { VgaRenderer } from './vga/vga-renderer.js';
import { type VgaState, vgaStateDescription } from './vga/vga-state.js';
import { VgaCommon, vgaVramSize } from './vga-common.js';

/** QEMU's PCI IDs for its standard VGA. */
export const PCI_VENDOR_ID_QEMU = 0x1234;
export const PCI_DEVICE_ID_QEMU_VGA = 0x1111;

/** Layout of the MMIO BAR (QEMU's include/hw/display/bochs-vbe.h). */
export const PCI_VGA_MMIO_SIZE = 0x1000;
export const PCI_VGA_IOPORT_OFFSET = 0x400;
export const PCI_VGA_IOPORT_SIZE = 0x3e0 - 0x3c0;
export const PCI_VGA_BOCHS_OFFSET = 0x500;
export const PCI_VGA_BOCHS_SIZE = 0x0b * 2;
export const PCI_VGA_QEXT_OFFSET = 0x600;
export const PCI_VGA_QEXT_SIZE = 2 * 4;
/** QEMU extension registers: the size of the block, and the framebuffer byte order. */
export const PCI_VGA_QEXT_REG_SIZE = 0;
export const PCI_VGA_QEXT_REG_BYTEORDER = 4;
export const PCI_VGA_QEXT_LITTLE_ENDIAN = 0x1e1e1e1e;
export const PCI_VGA_QEXT_BIG_ENDIAN = 0xbebebebe;

const vgaPciProps = {
  vgamem_mb: prop.uint32({
    default: 16,
    min: 1,
    max: 512,
    description: 'video memory in MiB (rounded up to a power of two)',
  }),
  mmio: prop.bool({ default: true, description: 'on/off: the MMIO BAR with the registers' }),
  'qemu-extended-regs': prop.bool({
    default: true,
    description: 'on/off: QEMU extension registers in the MMIO BAR',
  }),
};

export class PciVga extends PciDevice<typeof vgaPciProps> {
  #common: VgaCommon | undefined;
  #rom: Uint8Array | undefined;
  #pendingConsole: ConsolePort | HardwareConsolePort | undefined;
  /** The MMIO BAR's container (BAR2), when `mmio` is on. */
  mmio: MemoryRegion | undefined;

  /** The VGA's shared parts (after realize). */
  get vga(): VgaCommon {
    if (!this.#common) throw new Error('VGA: not realized');
    return this.#common;
  }

  get vgaCore(): VgaCore {
    return this.vga.core;
  }

  /** The register state, for the device's state description. */
  get core(): VgaState {
    return this.vga.core.state();
  }

  set core(state: VgaState) {
    this.vga.core.loadState(state);
    this.vga.renderer?.invalidate();
  }

  /** The VGA BIOS image, exposed through the expansion ROM BAR (set before realize). */
  setOptionRom(image: Uint8Array): void {
    if (this.realized) throw new Error('VGA: the option ROM is set before realize');
    this.#rom = image;
  }

  /** Shows the VGA on `console` (before or after realize). */
  attachConsole(console: ConsolePort | HardwareConsolePort): VgaRenderer | undefined {
    if (!this.#common) {
      this.#pendingConsole = console;
      return undefined;
    }
    return this.#common.attachConsole(console);
  }

  protected override pciRealize(): Result<void> | undefined {
    const env = this.pciEnvironment;
    const { memory } = env;
    const common = new VgaCommon({
      memory,
      vramSize: vgaVramSize(this.props.vgamem_mb),
      log: env.log,
      clock: env.time,
    });
    this.#common = common;
    common.mapLegacy(env.memorySpace);
    common.mapPorts(env.ioSpace);
    this.registerBar(0, PCI_BASE_ADDRESS_MEM_PREFETCH, common.vram);
    if (this.props.mmio) {
      this.mmio = this.createMmioBar(common);
      this.registerBar(2, PCI_BASE_ADDRESS_SPACE_MEMORY, this.mmio);
    }
    if (this.#rom) this.addOptionRom('vga.rom', this.#rom);
    if (this.#pendingConsole) common.attachConsole(this.#pendingConsole);
    this.#pendingConsole = undefined;
    return undefined;
  }

  private createMmioBar(common: VgaCommon): MemoryRegion {
    const { memory } = this.pciEnvironment;
    const core = common.core;
    const mmio = memory.container('vga.mmio', PCI_VGA_MMIO_SIZE);
    const ioports = memory.io('vga ioports remapped', PCI_VGA_IOPORT_SIZE, {
      // Offsets are those of ports 0x3c0-0x3df; a word write updates the index byte first.
      read: (offset) => core.read(offset),
      write: (offset, value) => core.write(offset, value),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
      impl: { maxAccessSize: 1 },
    });
    const bochs = memory.io('bochs dispi interface', PCI_VGA_BOCHS_SIZE, {
      read: (offset) => core.dispiReadRegister(offset >> 1),
      write: (offset, value) => core.dispiWriteRegister(offset >> 1, value),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
      impl: { minAccessSize: 2, maxAccessSize: 2 },
    });
    mmio.addSubregion(PCI_VGA_IOPORT_OFFSET, ioports);
    mmio.addSubregion(PCI_VGA_BOCHS_OFFSET, bochs);
    if (this.props['qemu-extended-regs']) {
      const qext = memory.io('qemu extended regs', PCI_VGA_QEXT_SIZE, {
        read: (offset) => {
          if (offset === PCI_VGA_QEXT_REG_SIZE) return PCI_VGA_QEXT_SIZE;
          if (offset === PCI_VGA_QEXT_REG_BYTEORDER) return PCI_VGA_QEXT_LITTLE_ENDIAN;
          return 0;
        },
        write: (offset, value) => {
          // Only the little-endian framebuffer is implemented; asking for big-endian is
          // logged and ignored (the register then reads back little-endian).
          if (offset === PCI_VGA_QEXT_REG_BYTEORDER && value >>> 0 === PCI_VGA_QEXT_BIG_ENDIAN) {
            if (this.log.enabled('unimp')) {
              this.log.write(
                'unimp',
                'VGA: big-endian framebuffer byte order is not implemented\n',
              );
            }
          }
        },
        valid: { minAccessSize: 4, maxAccessSize: 4 },
      });
      mmio.addSubregion(PCI_VGA_QEXT_OFFSET, qext);
    }
    return mmio;
  }

  protected override pciUnrealize(): void {
    const env = this.pciEnvironment;
    this.#common?.unmapPorts(env.ioSpace);
    this.#common?.unmapLegacy();
  }

  protected override resetHold(type: ResetType): void {
    super.resetHold(type);
    this.#common?.reset();
  }
}

export const VGA_PCI = definePciDevice<PciVga>({
  name: 'VGA',
  instance: PciVga,
  props: vgaPciProps,
  desc: 'standard VGA with the Bochs VBE extensions (-vga std)',
  categories: ['display'],
  pci: {
    vendorId: PCI_VENDOR_ID_QEMU,
    deviceId: PCI_DEVICE_ID_QEMU_VGA,
    classId: PCI_CLASS_DISPLAY_VGA,
    revision: 2,
  },
  state: {
    fields: { ...pciDeviceStateFields<PciVga>(), core: vmstate.struct(vgaStateDescription) },
    postLoad: (d) => d.pciPostLoad(),
  },
});
