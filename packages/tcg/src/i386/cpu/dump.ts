import { ccOpName } from './cc-helper.js';
import {
  CC_A,
  CC_C,
  CC_O,
  CC_P,
  CC_S,
  CC_Z,
  DF_MASK,
  HF_CPL_MASK,
  HF_INHIBIT_IRQ,
  HF_PE,
  R_LDTR,
  R_TR,
} from './constants.js';
import { CORE, FPU, SYS } from './state-layout.js';
import type { X86Cpu } from './x86-cpu.js';

const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
const hex4 = (v: number) => (v & 0xffff).toString(16).padStart(4, '0');

const SEG_NAMES = ['ES ', 'CS ', 'SS ', 'DS ', 'FS ', 'GS ', 'LDT', 'TR '];
const SYSTEM_TYPES = [
  'Reserved',
  'TSS16-avl',
  'LDT',
  'TSS16-busy',
  'CallGate16',
  'TaskGate',
  'IntGate16',
  'TrapGate16',
  'Reserved',
  'TSS32-avl',
  'Reserved',
  'TSS32-busy',
  'CallGate32',
  'Reserved',
  'IntGate32',
  'TrapGate32',
];

/** One segment line as QEMU's x86_cpu_dump_seg_cache prints it for a 32-bit CPU. */
function segLine(cpu: X86Cpu, seg: number): string {
  const flags = cpu.segFlags[seg];
  let s = `${SEG_NAMES[seg]}=${hex4(cpu.segSelector[seg])} ${hex8(cpu.segBase[seg])} ${hex8(cpu.segLimit[seg])} ${hex8(flags & 0x00ffff00)}`;
  if (cpu.hflags & HF_PE && flags & (1 << 15)) {
    s += ` DPL=${(flags >> 13) & 3} `;
    if (flags & (1 << 12)) {
      if (flags & (1 << 11)) {
        s += flags & (1 << 22) ? 'CS32' : 'CS16';
        s += ` [${flags & (1 << 10) ? 'C' : '-'}${flags & (1 << 9) ? 'R' : '-'}`;
      } else {
        s += flags & (1 << 22) ? 'DS  ' : 'DS16';
        s += ` [${flags & (1 << 10) ? 'E' : '-'}${flags & (1 << 9) ? 'W' : '-'}`;
      }
      s += `${flags & (1 << 8) ? 'A' : '-'}]`;
    } else {
      s += SYSTEM_TYPES[(flags >> 8) & 0xf];
    }
  }
  return `${s}\n`;
}

/**
 * QEMU's `info registers` for a 32-bit x86 CPU (x86_cpu_dump_state); with `fpu` the x87
 * lines follow, as with QEMU's CPU_DUMP_FPU (the monitor's `info registers` asks for them,
 * `-d cpu` does not).
 */
export function dumpX86State(
  cpu: X86Cpu,
  ccop: boolean,
  eipOverride?: number,
  fpu = false,
): string {
  const r = cpu.regs;
  const sys = cpu.sys;
  const eflags = cpu.eflags;
  const flag = (bit: number, c: string) => (eflags & bit ? c : '-');
  const flagText =
    flag(DF_MASK, 'D') +
    flag(CC_O, 'O') +
    flag(CC_S, 'S') +
    flag(CC_Z, 'Z') +
    flag(CC_A, 'A') +
    flag(CC_P, 'P') +
    flag(CC_C, 'C');
  let s = '';
  s += `EAX=${hex8(r[0])} EBX=${hex8(r[3])} ECX=${hex8(r[1])} EDX=${hex8(r[2])}\n`;
  s += `ESI=${hex8(r[6])} EDI=${hex8(r[7])} EBP=${hex8(r[5])} ESP=${hex8(r[4])}\n`;
  s += `EIP=${hex8(eipOverride ?? cpu.eip)} EFL=${hex8(eflags)} [${flagText}] CPL=${cpu.hflags & HF_CPL_MASK} II=${cpu.hflags & HF_INHIBIT_IRQ ? 1 : 0} A20=${cpu.a20Enabled ? 1 : 0} SMM=0 HLT=${cpu.halted ? 1 : 0}\n`;
  for (let seg = 0; seg < 6; seg++) s += segLine(cpu, seg);
  s += segLine(cpu, R_LDTR);
  s += segLine(cpu, R_TR);
  s += `GDT=     ${hex8(sys[SYS.GDT_BASE])} ${hex8(sys[SYS.GDT_LIMIT])}\n`;
  s += `IDT=     ${hex8(sys[SYS.IDT_BASE])} ${hex8(sys[SYS.IDT_LIMIT])}\n`;
  s += `CR0=${hex8(sys[SYS.CR0])} CR2=${hex8(sys[SYS.CR2])} CR3=${hex8(sys[SYS.CR3])} CR4=${hex8(sys[SYS.CR4])}\n`;
  for (let i = 0; i < 4; i++) s += `DR${i}=${hex8(sys[SYS.DR0 + i])} `;
  s += `\nDR6=${hex8(sys[SYS.DR0 + 6])} DR7=${hex8(sys[SYS.DR0 + 7])}\n`;
  if (ccop) {
    const c = cpu.core;
    s += `CCS=${hex8(c[CORE.CC_SRC])} CCD=${hex8(c[CORE.CC_DST])} CCO=${ccOpName(c[CORE.CC_OP]).padEnd(6)}\n`;
  }
  s += `EFER=${hex8(sys[SYS.EFER_HI])}${hex8(sys[SYS.EFER_LO])}\n`;
  if (fpu) s += dumpX87State(cpu);
  return s;
}

/**
 * The x87 lines of QEMU's `info registers` (x86_cpu_dump_state with CPU_DUMP_FPU): FCW, the
 * status word with TOP, the abridged tag byte (bit i set when physical register i is in
 * use), MXCSR, then the physical registers R0-R7 as significand and sign/exponent, then the
 * XMM registers.
 */
export function dumpX87State(cpu: X86Cpu): string {
  const fpu = cpu.fpu;
  const regs = cpu.fpregs;
  const top = fpu[FPU.FTOP] & 7;
  const fsw = ((fpu[FPU.FSW] & ~0x3800) | (top << 11)) & 0xffff;
  const ftw = ~fpu[FPU.FTAGS_EMPTY] & 0xff;
  let s = `FCW=${hex4(fpu[FPU.FCW])} FSW=${hex4(fsw)} [ST=${top}] FTW=${ftw.toString(16).padStart(2, '0')} MXCSR=${hex8(fpu[FPU.MXCSR])}\n`;
  for (let i = 0; i < 8; i++) {
    s += `FPR${i}=${hex8(regs[4 * i + 1])}${hex8(regs[4 * i])} ${hex4(regs[4 * i + 2])}`;
    s += i & 1 ? '\n' : ' ';
  }
  // XMM0-7, most significant lane first, two per line.
  const xmm = cpu.xmm;
  for (let i = 0; i < 8; i++) {
    const lanes = [3, 2, 1, 0].map((lane) => hex8(xmm[4 * i + lane])).join('');
    s += `XMM${String(i).padStart(2, '0')}=${lanes}`;
    s += i & 1 ? '\n' : ' ';
  }
  return s;
}
