/**
 * Runs x87 cases in the emulator as oracle.c runs them on the host, all in one flat 32-bit
 * guest program. A small MMIO "harness" device swaps the FPU state between cases: writing
 * case k's number to it loads the starting state (with the FRSTOR helper) and the memory
 * operand; writing EAX and then EFLAGS to it after the instruction records them and takes
 * the FNSAVE image (with the FNSAVE helper). The guest FRSTOR/FNSAVE instructions are
 * checked against the host as forms of their own; using their helpers here keeps the
 * generated code per case to a few instructions, so thousands of cases translate quickly.
 */
import type { BackendKind } from '../../../src/core/exec/engine.js';
import { EnvLayout, x87LoadImage, x87SaveImage } from '../../../src/i386/fpu/environment.js';
import { x87Context } from '../../../src/i386/fpu/x87-context.js';
import { TestMachine } from '../machine.js';
import type { X87Case } from './cases.js';
import type { HostResult } from './host.js';

// Above 1 MiB: the test machine's ROM is aliased at 0xF0000, where code could not be loaded.
const CODE = 0x100000;
const MEMORY = 0x8000;
const HARNESS = 0xe0001000;
const FULL_IMAGE = EnvLayout.OPERAND32 | EnvLayout.PROTECTED | EnvLayout.REGISTERS;

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Runs the cases on one backend; the results in the oracle's shape. */
export function runInGuest(cases: readonly X87Case[], backend: BackendKind): HostResult[] {
  const megabytes = Math.ceil((CODE + cases.length * 64) / (1 << 20)) + 1;
  const m = new TestMachine({ backend, ramSize: megabytes << 20 });
  const cpu = m.cpu;
  const context = x87Context(cpu);
  const results: HostResult[] = [];
  let current = -1;
  let eax = 0;
  m.system.addSubregion(
    HARNESS,
    m.core.io('x87-harness', 16, {
      read: () => 0,
      write: (offset, value) => {
        if (offset === 0) {
          current = value;
          context.image.set(cases[current].state);
          x87LoadImage(cpu, FULL_IMAGE);
          m.load(MEMORY, cases[current].memory);
        } else if (offset === 4) {
          eax = value >>> 0;
        } else {
          x87SaveImage(cpu, FULL_IMAGE);
          results[current] = {
            image: context.image.slice(0, 108),
            eflags: value >>> 0,
            eax,
            memory: m.read(MEMORY, 128).slice(),
          };
        }
      },
      valid: { maxAccessSize: 4 },
      impl: { maxAccessSize: 4 },
    }),
  );
  const code: number[] = [];
  cases.forEach((c, k) => {
    code.push(0xc7, 0x05, ...le32(HARNESS), ...le32(k)); // mov dword [harness], k
    code.push(0xbb, ...le32(MEMORY)); // mov ebx, MEMORY
    code.push(0x31, 0xc0); // xor eax, eax
    code.push(...c.pre, ...c.insn);
    code.push(0xa3, ...le32(HARNESS + 4)); // mov [harness+4], eax
    code.push(0x9c, 0x58); // pushfd; pop eax
    code.push(0xa3, ...le32(HARNESS + 8)); // mov [harness+8], eax
  });
  code.push(0xf4); // hlt
  m.loadFlat32('hlt', CODE);
  m.load(CODE, Uint8Array.from(code));
  const result = m.run(1000, 100_000);
  if (result !== 'halted') throw new Error(`x87 guest program ended with '${result}'`);
  if (cases.some((_, k) => results[k] === undefined))
    throw new Error('x87 guest program skipped cases');
  return results;
}
