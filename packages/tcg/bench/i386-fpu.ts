/**
 * x87 guest benchmarks on the JS backend: MFLOPS of floating-point loops, in one run.
 *
 *     cd packages/tcg && node --conditions=@tsemu/source --import tsx bench/i386-fpu.ts
 *
 * Each workload is a 32-bit flat protected-mode program whose floating-point operations
 * per iteration are known; MFLOPS = operations / wall time, MIPS = guest instructions /
 * wall time (best of two runs after a warm-up run; translation included, it is tiny).
 * Every operation is exact 80-bit softfloat arithmetic (@tsemu/softfloat) in a helper.
 * FPU_BENCH=<prefix> runs only the workloads whose name starts with it.
 */
import { CORE } from '../src/i386/cpu/state-layout.js';
import { TestMachine } from '../test/i386/machine.js';
import { assembleX87 } from '../test/i386/x87-asm.js';

interface Workload {
  name: string;
  source: string;
  /** Floating-point operations the program executes. */
  flops: number;
  /** Guest instructions it executes. */
  instructions: number;
}

/** Vector length of the dot products (doubles), and how many times they run. */
const LENGTH = 1024;
const REPEAT = 400;
const X = 0x200000;
// 1.25 MiB from X: a multiple of 1 MiB would make the two arrays share TLB slots.
const Y = 0x340000;

const workloads: Workload[] = [
  {
    name: 'dot product, m64 operands (fld, fmul m64, faddp)',
    source: `
      mov ebx, ${REPEAT}
    outer:
      fldz
      mov esi, ${X}
      mov edi, ${Y}
      mov ecx, ${LENGTH}
    l:
      fld qword [esi]
      fmul qword [edi]
      faddp st(1), st
      add esi, 8
      add edi, 8
      dec ecx
      jnz l
      fstp qword [${X - 8}]
      dec ebx
      jnz outer
      hlt`,
    flops: 2 * LENGTH * REPEAT,
    instructions: 1 + REPEAT * (4 + 7 * LENGTH + 3) + 1,
  },
  {
    name: 'polynomial, Horner degree 8 (fmul st, fadd m64)',
    source: `
      mov ecx, ${(LENGTH * REPEAT) / 8}
      fld qword [${X}]          ; x
    l:
      fld qword [${Y}]          ; c8
      fmul st, st(1)
      fadd qword [${Y + 8}]
      fmul st, st(1)
      fadd qword [${Y + 16}]
      fmul st, st(1)
      fadd qword [${Y + 24}]
      fmul st, st(1)
      fadd qword [${Y + 32}]
      fmul st, st(1)
      fadd qword [${Y + 40}]
      fmul st, st(1)
      fadd qword [${Y + 48}]
      fmul st, st(1)
      fadd qword [${Y + 56}]
      fmul st, st(1)
      fadd qword [${Y + 64}]
      fstp qword [${X - 8}]
      dec ecx
      jnz l
      hlt`,
    flops: 16 * ((LENGTH * REPEAT) / 8),
    instructions: 2 + ((LENGTH * REPEAT) / 8) * 20 + 1,
  },
  {
    name: 'register-only mix (fadd, fmul, fdiv, fsqrt on the stack)',
    source: `
      mov ecx, ${(LENGTH * REPEAT) / 8}
      fld qword [${X}]
      fld qword [${X + 8}]
    l:
      fadd st, st(1)
      fmul st, st(1)
      fdiv st, st(1)
      fsqrt
      dec ecx
      jnz l
      hlt`,
    flops: 4 * ((LENGTH * REPEAT) / 8),
    instructions: 3 + ((LENGTH * REPEAT) / 8) * 6 + 1,
  },
];

function runOnce(w: Workload): number {
  const m = new TestMachine({ backend: 'js', ramSize: 8 << 20 });
  const values = new Float64Array(LENGTH);
  for (let i = 0; i < LENGTH; i++) values[i] = 1 + i / LENGTH;
  m.load(X, new Uint8Array(values.buffer));
  m.load(Y, new Uint8Array(values.buffer));
  const program = assembleX87(`fninit\n${w.source}`, { org: 0x10000 });
  m.loadFlat32('hlt', 0x10000);
  m.load(0x10000, program.bytes);
  m.cpu.core[CORE.EIP] = 0x10000;
  const t0 = performance.now();
  const r = m.run(1_000_000, 100_000);
  const t1 = performance.now();
  if (r !== 'halted') throw new Error(`${w.name}: ${r}`);
  return t1 - t0;
}

console.log(`i386 x87 benchmarks, JS backend, node ${process.version}`);
for (const w of workloads.filter(
  (w) => !process.env.FPU_BENCH || w.name.startsWith(process.env.FPU_BENCH),
)) {
  runOnce(w); // warm-up
  const ms = Math.min(runOnce(w), runOnce(w));
  const mflops = w.flops / ms / 1000;
  const mips = w.instructions / ms / 1000;
  console.log(
    `${w.name.padEnd(58)} ${mflops.toFixed(1).padStart(6)} MFLOPS ${mips.toFixed(1).padStart(6)} MIPS  (${ms.toFixed(0)} ms)`,
  );
}
