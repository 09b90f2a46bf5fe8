/**
 * The CPU state a kernel loader leaves for the kernel's first instruction, as data, and the
 * one function that puts it into an `X86Cpu`. Both boot protocols the loaders speak (Linux's
 * 32-bit boot protocol and Multiboot v1) start the kernel in flat 32-bit protected mode with
 * paging and interrupts off; they differ in the selectors and the registers.
 */
import {
  Desc,
  descriptorBase,
  descriptorFlags,
  descriptorLimit,
  makeDescriptor,
  type SegmentCache,
  SYS,
  X86Constants as X86,
  type X86Cpu,
} from '@tsemu/tcg';
import type { LoadRegion } from './load-region.js';

/** The general registers, by name. */
export interface EntryRegisters {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esi: number;
  edi: number;
  ebp: number;
  esp: number;
}

/** What the kernel's first instruction sees. */
export interface EntryState {
  eip: number;
  regs: EntryRegisters;
  /** EFLAGS: 0x2 (IF clear) for both protocols. */
  eflags: number;
  /** CR0: PE and ET; paging off. */
  cr0: number;
  /** GDTR: where the loader placed its GDT (one of the load regions). */
  gdt: { base: number; limit: number };
  /** Visible selectors and hidden descriptor caches, equal to the GDT's descriptors. */
  cs: SegmentCache;
  ds: SegmentCache;
  es: SegmentCache;
  fs: SegmentCache;
  gs: SegmentCache;
  ss: SegmentCache;
}

/** The part of `X86Cpu`'s public API that {@link applyEntryState} uses. */
export type EntryCpu = Pick<X86Cpu, 'setCr0' | 'loadSegCache' | 'loadEflags' | 'regs' | 'sys'> & {
  eip: number;
  halted: boolean;
};

/** A flat 4 GiB code segment, execute/read, 32-bit, DPL 0 (accessed, as after a load). */
export const FLAT_CODE_FLAGS = Desc.P | Desc.S | Desc.CS | Desc.R | Desc.A | Desc.B;
/** A flat 4 GiB data segment, read/write, 32-bit, DPL 0. */
export const FLAT_DATA_FLAGS = Desc.P | Desc.S | Desc.W | Desc.A | Desc.B;

/** EFLAGS bit 1 always reads 1; everything else (IF included) clear. */
const EFLAGS_RESET = 0x2;
/** The EFLAGS bits applyEntryState sets besides the arithmetic flags and DF. */
const EFLAGS_SYSTEM_BITS =
  X86.TF_MASK |
  X86.IF_MASK |
  X86.IOPL_MASK |
  X86.NT_MASK |
  X86.RF_MASK |
  X86.VM_MASK |
  X86.AC_MASK |
  X86.ID_MASK;

/** A GDT the loader places in RAM, with the segment caches its descriptors give. */
export interface FlatGdt {
  region: LoadRegion;
  code: SegmentCache;
  data: SegmentCache;
}

/**
 * A GDT at `base` with a flat code descriptor at selector `codeSelector` and a flat data
 * descriptor at `dataSelector` (every other slot null). The caches are decoded from the
 * descriptor bytes, so what the CPU holds is exactly what a reload from the GDT would give.
 */
export function flatGdt(base: number, codeSelector: number, dataSelector: number): FlatGdt {
  for (const selector of [codeSelector, dataSelector]) {
    if (selector === 0 || selector % 8 !== 0) {
      throw new Error(`flatGdt: ${selector} is not a GDT selector with RPL 0`);
    }
  }
  if (codeSelector === dataSelector) throw new Error('flatGdt: code and data need two slots');
  const entries = Math.max(codeSelector, dataSelector) / 8 + 1;
  const bytes = new Uint8Array(entries * 8);
  const view = new DataView(bytes.buffer);
  const put = (selector: number, flags: number): SegmentCache => {
    const [low, high] = makeDescriptor(0, 0xffffffff, flags);
    view.setUint32(selector, low, true);
    view.setUint32(selector + 4, high, true);
    return {
      selector,
      base: descriptorBase(low, high),
      limit: descriptorLimit(low, high),
      flags: descriptorFlags(high),
    };
  };
  const code = put(codeSelector, FLAT_CODE_FLAGS);
  const data = put(dataSelector, FLAT_DATA_FLAGS);
  return { region: { name: 'GDT', addr: base, bytes }, code, data };
}

/** Flat protected mode with `gdt`'s selectors, paging and interrupts off, and `regs`. */
export function flatProtectedModeEntry(
  gdt: FlatGdt,
  eip: number,
  regs: Partial<EntryRegisters>,
): EntryState {
  return {
    eip,
    regs: { eax: 0, ebx: 0, ecx: 0, edx: 0, esi: 0, edi: 0, ebp: 0, esp: 0, ...regs },
    eflags: EFLAGS_RESET,
    cr0: X86.CR0_PE | X86.CR0_ET,
    gdt: { base: gdt.region.addr, limit: gdt.region.bytes.length - 1 },
    cs: { ...gdt.code },
    ds: { ...gdt.data },
    es: { ...gdt.data },
    fs: { ...gdt.data },
    gs: { ...gdt.data },
    ss: { ...gdt.data },
  };
}

const REG_INDEX = {
  eax: X86.R_EAX,
  ecx: X86.R_ECX,
  edx: X86.R_EDX,
  ebx: X86.R_EBX,
  esp: X86.R_ESP,
  ebp: X86.R_EBP,
  esi: X86.R_ESI,
  edi: X86.R_EDI,
} as const;
const SEG_INDEX = {
  es: X86.R_ES,
  cs: X86.R_CS,
  ss: X86.R_SS,
  ds: X86.R_DS,
  fs: X86.R_FS,
  gs: X86.R_GS,
} as const;

/**
 * Put `entry` into the CPU, as the loader's last act before the kernel runs (the
 * equivalent of the option ROM's `lgdt`, `mov cr0`, far jump and register loads). Call it
 * after the CPU's reset; LDTR, TR, IDTR and the other registers keep their reset values.
 */
export function applyEntryState(cpu: EntryCpu, entry: EntryState): void {
  // CR0 and EFLAGS (VM) first: the segment loads below derive the CPU's mode flags from them.
  cpu.setCr0(entry.cr0);
  cpu.loadEflags(entry.eflags, EFLAGS_SYSTEM_BITS);
  cpu.sys[SYS.GDT_BASE] = entry.gdt.base;
  cpu.sys[SYS.GDT_LIMIT] = entry.gdt.limit;
  for (const name of ['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const) {
    const s = entry[name];
    cpu.loadSegCache(SEG_INDEX[name], s.selector, s.base, s.limit, s.flags);
  }
  for (const name of Object.keys(REG_INDEX) as (keyof EntryRegisters)[]) {
    cpu.regs[REG_INDEX[name]] = entry.regs[name];
  }
  cpu.eip = entry.eip;
  cpu.halted = false;
}
