import type { ExecBindings } from '../backend/exec-bindings.js';
import { IrInterpreter } from '../backend/interpreter.js';
import { compileJs, type RamAccess } from '../backend/js-backend.js';
import {
  CPU_LOOP_EXIT,
  CTL_CHAIN_BUDGET,
  CTL_FAULT_SITE,
  CTL_NO_RESTORE,
} from '../exec/cpu-state.js';
import { TranslationBlock } from '../exec/translation-block.js';
import { IrBuilder } from '../ir/builder.js';
import { finalizeIr } from '../ir/finalize.js';
import type { FinalizedIr } from '../ir/ir-block.js';
import { optimizeIr } from '../opt/optimize.js';
import { PAGE_EXEC, PAGE_READ, PAGE_WRITE } from '../softmmu/tlb.js';
import { TestMemory, type TestMmio } from './test-memory.js';
import { MMU_PHYS, ToyCpu, toyLayout } from './toy-frontend.js';

/** A register file device: what is written is read back. Logs every access. */
export class RegisterDevice implements TestMmio {
  readonly regs = new Uint32Array(64);
  readonly log: string[] = [];
  read(offset: number, size: 1 | 2 | 4): number {
    this.log.push(`r${size}@${offset}`);
    return size === 4
      ? this.regs[(offset >> 2) & 63]
      : this.regs[(offset >> 2) & 63] & ((1 << (8 * size)) - 1);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.log.push(`w${size}@${offset}=${value}`);
    this.regs[(offset >> 2) & 63] = value;
  }
}

export const HARNESS_MMIO_BASE = 0x80000;
export const HARNESS_EXTRA_RAM_BASE = 0x90000;

export interface IrRunOptions {
  backend: 'js' | 'interpreter';
  optimize: boolean;
  ramAccess?: RamAccess;
  /** Initial r0..r7. */
  regs?: readonly number[];
  /** Initial RAM contents at 0. */
  ram?: Uint8Array;
}

export interface IrRunResult {
  regs: number[];
  sys: number[];
  ram: Uint8Array;
  extraRam: number[];
  deviceLog: string[];
  /** Index of the guest instruction that raised, or -1. */
  faultInsn: number;
  ir: FinalizedIr;
  source?: string;
}

/**
 * Build one TB of IR on the toy's state layout, run it once through a backend on a fresh
 * toy CPU (physical addressing, 64 KiB of RAM, an MMIO register device and a second RAM
 * block), and report the final state. The property tests compare these across backends
 * and with and without the optimizer.
 */
export function runIr(build: (b: IrBuilder) => void, options: IrRunOptions): IrRunResult {
  const device = new RegisterDevice();
  const memory = new TestMemory({
    ramSize: 0x10000,
    extraRam: { base: HARNESS_EXTRA_RAM_BASE, size: 0x1000 },
    mmio: [{ base: HARNESS_MMIO_BASE, size: 0x1000, device }],
  });
  if (options.ram) memory.ram.set(options.ram);
  const cpu = new ToyCpu(memory);
  cpu.regs.set(options.regs ?? []);
  cpu.tlb.setFastRam(memory.ram);
  cpu.tlb.fill = (vaddr, _size, _access, mmuIdx) => {
    cpu.tlb.setPage(vaddr, vaddr >>> 0, PAGE_READ | PAGE_WRITE | PAGE_EXEC, mmuIdx);
    return true;
  };
  const b = new IrBuilder(toyLayout.layout, { insnStartWords: 2, nbMmuModes: 3 });
  build(b);
  let ir = b.finish();
  if (options.optimize) ir = optimizeIr(ir);
  const fin = finalizeIr(ir);
  const tb = new TranslationBlock(0, 0, 0, 0);
  tb.insnData = fin.insnData;
  tb.siteInsn = fin.siteInsn;
  const bindings: ExecBindings = {
    cpu,
    ldSlow: (v, memop, mmu, site, tb) => {
      cpu.ctl[CTL_FAULT_SITE] = site;
      cpu.currentTb = tb;
      return cpu.tlb.loadSlow(v, memop, mmu);
    },
    stSlow: (v, value, memop, mmu, site, tb) => {
      cpu.ctl[CTL_FAULT_SITE] = site;
      cpu.currentTb = tb;
      cpu.tlb.storeSlow(v, value, memop, mmu);
    },
    lookupTbPtr: () => null,
  };
  let source: string | undefined;
  if (options.backend === 'js') {
    const c = compileJs(fin, tb, bindings, { ramAccess: options.ramAccess });
    tb.fn = c.fn;
    source = c.source;
  } else {
    tb.fn = new IrInterpreter(bindings).compile(fin, tb);
  }
  cpu.ctl[CTL_CHAIN_BUDGET] = 1;
  let faultInsn = -1;
  try {
    tb.fn();
  } catch (e) {
    if (e !== CPU_LOOP_EXIT) throw e;
    const site = cpu.ctl[CTL_FAULT_SITE];
    faultInsn = site >= 0 && cpu.ctl[CTL_NO_RESTORE] === 0 ? tb.siteInsn[site] : -2;
  }
  const extra = memory.ramPage(HARNESS_EXTRA_RAM_BASE, false)!;
  return {
    regs: Array.from(cpu.regs),
    sys: Array.from(cpu.sys),
    ram: memory.ram,
    extraRam: Array.from(extra.bytes.subarray(extra.offset, extra.offset + 64)),
    deviceLog: device.log,
    faultInsn,
    ir: fin,
    source,
  };
}

export { MMU_PHYS };
