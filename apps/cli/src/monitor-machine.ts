/**
 * The pc machine as the monitor sees it (`@tsemu/monitor`'s MonitorMachine): registers,
 * physical and virtual memory reads that change nothing in the guest (no A/D bits set, no
 * device side effects beyond a plain read), disassembly, screendump and the `info` texts.
 */
import { writeFileSync } from 'node:fs';
import type { PcMachine } from '@tsemu/hw-pc';
import type { MonitorInfoCommand, MonitorMachine, ScreendumpOptions } from '@tsemu/monitor';
import {
  AccessType,
  DecodeMode,
  disassembleOne,
  PageWalkResult,
  pageWalk,
  SYS,
  type X86Cpu,
} from '@tsemu/tcg';
import { type DisplayConsole, screendumpPng } from '@tsemu/ui';
import { nodeDeflate } from '@tsemu/ui/node';

const CR0_PG = 1 << 31;
const REGISTER_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

/** Linear → physical through the page tables without touching them (cpu_get_phys_page_debug). */
function debugTranslate(cpu: X86Cpu, linear: number): number | undefined {
  if ((cpu.sys[SYS.CR0] & CR0_PG) === 0) return linear >>> 0;
  const out = new PageWalkResult();
  const readOnly = { read32: (a: number) => cpu.walkerMemory.read32(a), write32: () => {} };
  const ok = pageWalk(
    readOnly,
    cpu.pagingMode,
    cpu.sys[SYS.CR3] >>> 0,
    linear,
    AccessType.Read,
    false,
    out,
  );
  return ok ? out.physical : undefined;
}

/** A PPM (P6) image of the console's surface, as QEMU's screendump writes by default. */
function ppmImage(console: DisplayConsole): Uint8Array {
  const { width, height } = console.surface;
  const header = new TextEncoder().encode(`P6\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height * 3);
  out.set(header);
  const rgba = console.surface.data;
  let o = header.length;
  for (let i = 0; i < width * height * 4; i += 4) {
    out[o++] = rgba[i];
    out[o++] = rgba[i + 1];
    out[o++] = rgba[i + 2];
  }
  return out;
}

export function monitorMachine(machine: PcMachine, console: DisplayConsole): MonitorMachine {
  const cpu = machine.vcpu.cpu;
  const memory = machine.addressSpace;
  const readPhysical = (address: number, length: number): Uint8Array | null => {
    if (address < 0 || address + length > 2 ** 32) return null;
    return memory.readBytes(address, length);
  };
  const info: Record<string, MonitorInfoCommand> = {};
  for (const [name, entry] of Object.entries(machine.info())) {
    info[name] = entry;
  }
  return {
    system: machine.system,
    registersText: () => cpu.dumpState({ ccop: false, fpu: true }),
    readPhysical,
    readVirtual(address, length) {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const linear = (address + done) >>> 0;
        const physical = debugTranslate(cpu, linear);
        if (physical === undefined) return null;
        const chunk = Math.min(length - done, 4096 - (linear & 0xfff));
        out.set(memory.readBytes(physical, chunk), done);
        done += chunk;
      }
      return out;
    },
    readRegister(name) {
      const index = REGISTER_NAMES.indexOf(name);
      if (index >= 0) return cpu.regs[index] >>> 0;
      if (name === 'eip' || name === 'pc') return cpu.eip;
      return undefined;
    },
    disassemble(address, count, physical) {
      const code32 = cpu.segFlags[1] & (1 << 22);
      const fetch = (linear: number) => {
        const at = physical ? linear >>> 0 : debugTranslate(cpu, linear);
        return at === undefined ? 0 : memory.readBytes(at, 1)[0];
      };
      const lines = [];
      let at = address >>> 0;
      for (let i = 0; i < count; i++) {
        const insn = disassembleOne(fetch, at, code32 ? DecodeMode.CODE32 : 0);
        lines.push({ address: at, text: insn.text });
        at = (at + Math.max(insn.length, 1)) >>> 0;
      }
      return lines;
    },
    screendump(file: string, options: ScreendumpOptions) {
      console.updateGraphics();
      const bytes =
        options.format === 'png' ? screendumpPng(console, nodeDeflate) : ppmImage(console);
      try {
        writeFileSync(file, bytes);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(
          `failed to open file '${file}': ${code === 'ENOENT' ? 'No such file or directory' : String(error)}`,
        );
      }
    },
    info,
  };
}
