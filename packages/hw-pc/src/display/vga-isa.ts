/**
 * QEMU's `isa-vga`: the standard VGA on the ISA bus, without PCI. Ports 0x3b0-0x3df and the
 * Bochs dispi ports 0x1ce-0x1d0 in the I/O space, the legacy window at 0xa0000 and the
 * linear framebuffer at 0xe0000000 (QEMU's VBE_DISPI_LFB_PHYSICAL_ADDRESS) in system memory.
 */
import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, prop, type Result, vmstate } from '@tsemu/qom';
import { EnvironmentDevice } from '../intc/hw-environment.js';
import type { ConsolePort, HardwareConsolePort } from './console-port.js';
import { VBE_DISPI_LFB_PHYSICAL_ADDRESS } from './vga/vbe-regs.js';
import type { VgaCore } from './vga/vga-core.js';
import type { VgaRenderer } from './vga/vga-renderer.js';
import { type VgaState, vgaStateDescription } from './vga/vga-state.js';
import { VgaCommon, vgaVramSize } from './vga-common.js';

const isaVgaProps = {
  vgamem_mb: prop.uint32({
    default: 8,
    min: 1,
    max: 512,
    description: 'video memory in MiB (rounded up to a power of two)',
  }),
  'lfb-address': prop.uint64({
    default: VBE_DISPI_LFB_PHYSICAL_ADDRESS,
    description: 'where the linear framebuffer is mapped in system memory (0: not mapped)',
  }),
};

export class IsaVga extends EnvironmentDevice<typeof isaVgaProps> {
  #common: VgaCommon | undefined;
  #lfb: MemoryRegion | undefined;
  #pendingConsole: ConsolePort | HardwareConsolePort | undefined;

  /** The VGA's shared parts (after realize). */
  get vga(): VgaCommon {
    if (!this.#common) throw new Error('isa-vga: not realized');
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

  /** Shows the VGA on `console` (before or after realize). */
  attachConsole(console: ConsolePort | HardwareConsolePort): VgaRenderer | undefined {
    if (!this.#common) {
      this.#pendingConsole = console;
      return undefined;
    }
    return this.#common.attachConsole(console);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.environment();
    if (!env.ok) return env;
    const { memory, io, system, time, log } = env.value;
    const common = new VgaCommon({
      memory,
      vramSize: vgaVramSize(this.props.vgamem_mb),
      log,
      clock: time,
    });
    this.#common = common;
    if (system) common.mapLegacy(system);
    if (io) common.mapPorts(io);
    const lfbAddress = this.props['lfb-address'];
    if (system && lfbAddress !== 0) {
      this.#lfb = memory.alias('vram.vbe', common.vram, 0, common.vram.size);
      this.mapRegion(system, lfbAddress, this.#lfb);
    }
    if (this.#pendingConsole) common.attachConsole(this.#pendingConsole);
    this.#pendingConsole = undefined;
    return undefined;
  }

  protected override onUnrealize(): void {
    super.onUnrealize();
    const env = this.environment();
    if (env.ok && env.value.io) this.#common?.unmapPorts(env.value.io);
    this.#common?.unmapLegacy();
  }

  protected override resetHold(): void {
    this.#common?.reset();
  }
}

export const ISA_VGA = defineDevice({
  name: 'isa-vga',
  instance: IsaVga,
  props: isaVgaProps,
  desc: 'standard VGA on the ISA bus, with the Bochs VBE extensions',
  categories: ['display'],
  state: { fields: { core: vmstate.struct(vgaStateDescription) } },
});
