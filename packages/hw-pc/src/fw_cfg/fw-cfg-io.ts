/**
 * `fw_cfg_io` (QEMU's FWCfgIoState): the fw_cfg device on I/O ports, as the PC has it.
 *
 * - `fwcfg` (2 bytes at `iobase`, 0x510): a 16-bit write selects an item; a byte read of
 *   either port returns the next byte of it (the data port 0x511 overlaps the selector's high
 *   byte, as in QEMU); other sizes are rejected as guest errors.
 * - `fwcfg.dma` (8 bytes at `dma_iobase`, 0x514, big-endian): reads give "QEMU CFG";
 *   writing the descriptor address (high dword at 0x514, low dword at 0x518) runs a DMA
 *   transfer through the environment's DMA address space.
 *
 * Items are added to {@link FwCfgIoDevice.fwCfg} after realize, as QEMU's machine does.
 */
import type { AddressSpace, MemoryCore, MemoryRegion } from '@tsemu/memory';
import { Device, defineDevice, err, prop, QomError, type Result, vmstate } from '@tsemu/qom';
import type { LogSink } from '../device-env.js';
import { FwCfg } from './fw-cfg.js';
import {
  FW_CFG_CTL_SIZE,
  FW_CFG_DMA_IO_BASE,
  FW_CFG_DMA_SIZE,
  FW_CFG_FILE_SLOTS_DFLT,
  FW_CFG_IO_BASE,
} from './fw-cfg-keys.js';

export const TYPE_FW_CFG_IO = 'fw_cfg_io';

/** What the device is wired to; the machine gives it before realize. */
export interface FwCfgEnvironment {
  memory: MemoryCore;
  /** The I/O port space the two regions are mapped into. */
  io: MemoryRegion;
  /** Guest memory for DMA (QEMU: address_space_memory); without it there is no DMA interface. */
  dma?: AddressSpace;
  log?: LogSink;
}

const fwCfgIoProps = {
  iobase: prop.uint32({ default: FW_CFG_IO_BASE, max: 0xffff, description: 'selector/data ports' }),
  dma_iobase: prop.uint32({
    default: FW_CFG_DMA_IO_BASE,
    max: 0xffff,
    description: 'DMA address register ports (8 bytes)',
  }),
  dma_enabled: prop.bool({ default: true, description: 'offer the DMA interface' }),
  'x-file-slots': prop.uint16({
    default: FW_CFG_FILE_SLOTS_DFLT,
    description: 'number of named-file slots',
  }),
};

export class FwCfgIoDevice extends Device<typeof fwCfgIoProps> {
  #env: FwCfgEnvironment | undefined;
  #core: FwCfg | undefined;
  #regions: MemoryRegion[] = [];

  setEnvironment(env: FwCfgEnvironment): void {
    if (this.realized)
      throw new QomError(`${TYPE_FW_CFG_IO}: the environment is set before realize`);
    this.#env = env;
  }

  /** The item table (after realize): addFile, addBytes, addI32 ... */
  get fwCfg(): FwCfg {
    if (!this.#core) throw new QomError(`${TYPE_FW_CFG_IO}: not realized`);
    return this.#core;
  }

  /** Runtime state as data: the selection, the offset in it, the DMA address. */
  get core(): { curEntry: number; curOffset: number; dmaAddress: number } {
    return this.fwCfg.state();
  }

  set core(state: { curEntry: number; curOffset: number; dmaAddress: number }) {
    this.fwCfg.loadState(state);
  }

  protected override onRealize(): Result<void> | undefined {
    const env = this.#env;
    if (!env) return err(`${TYPE_FW_CFG_IO}: no environment (call setEnvironment before realize)`);
    const dma = this.props.dma_enabled ? env.dma : undefined;
    let core: FwCfg;
    try {
      core = new FwCfg({ dma, fileSlots: this.props['x-file-slots'], log: env.log });
    } catch (e) {
      return err(`${TYPE_FW_CFG_IO}: ${(e as Error).message}`);
    }
    this.#core = core;
    const comb = env.memory.io('fwcfg', FW_CFG_CTL_SIZE, {
      read: () => core.readData(1),
      write: (_offset, value, size) => {
        if (size === 2) core.select(value);
        else core.writeData(value);
      },
      // Byte reads and writes, or a 16-bit selector write (QEMU's fw_cfg_comb_valid).
      valid: { accepts: (_offset, size, isWrite) => size === 1 || (isWrite && size === 2) },
      impl: { maxAccessSize: 2 },
    });
    const regions = [comb];
    env.memory.transaction(() => {
      env.io.addSubregion(this.props.iobase, comb);
      if (dma) {
        const dmaRegion = env.memory.io('fwcfg.dma', FW_CFG_DMA_SIZE, {
          read: (offset, size) => core.readDmaRegister(offset, size),
          write: (offset, value, size) => core.writeDmaRegister(offset, value, size),
          read64: (offset, result) => {
            result.high = core.readDmaRegister(offset, 4);
            result.low = core.readDmaRegister(offset + 4, 4);
          },
          write64: (offset, low, high) =>
            core.writeDmaRegister(offset, (high >>> 0) * 2 ** 32 + (low >>> 0), 8),
          endianness: 'big',
          valid: {
            maxAccessSize: 8,
            accepts: (offset, size, isWrite) =>
              !isWrite ||
              (size === 4 && (offset === 0 || offset === 4)) ||
              (size === 8 && offset === 0),
          },
          impl: { maxAccessSize: 8 },
        });
        env.io.addSubregion(this.props.dma_iobase, dmaRegion);
        regions.push(dmaRegion);
      }
    });
    this.#regions = regions;
    return undefined;
  }

  protected override onUnrealize(): void {
    const env = this.#env;
    if (env) for (const region of this.#regions) env.io.removeSubregion(region);
    this.#regions = [];
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const FW_CFG_IO = defineDevice({
  name: TYPE_FW_CFG_IO,
  instance: FwCfgIoDevice,
  props: fwCfgIoProps,
  desc: 'QEMU firmware configuration device (I/O ports)',
  userCreatable: false,
  categories: ['misc'],
  state: {
    name: 'fw_cfg',
    version: 2,
    fields: {
      core: vmstate.struct({
        name: 'fw_cfg-core',
        version: 1,
        minimumVersion: 1,
        fields: {
          curEntry: vmstate.uint16(),
          curOffset: vmstate.uint32(),
          dmaAddress: vmstate.uint64(),
        },
      }),
    },
  },
});
