/**
 * What segment checks cost: the same memory loops with flat segments (no check is
 * generated), with data segments whose limit is below 4 GiB (an inline check per access),
 * and in real mode (every segment has a 64 KiB limit). JS backend.
 *
 *     cd packages/tcg && node --conditions=@tsemu/source --import tsx bench/i386-segments.ts
 *
 * MIPS = guest instructions / wall time, best of two runs after a warm-up run.
 */
import { Desc } from '../src/i386/mmu/descriptor.js';
import { FLAT_CODE, TestMachine } from '../test/i386/machine.js';

const N = 16_000_000;
/** A present, writable, 32-bit data segment with a 16 MiB limit: not flat. */
const LIMITED_DATA = Desc.P | Desc.S | Desc.W | Desc.A | Desc.B;

interface Workload {
  name: string;
  setup: (m: TestMachine, source: string) => void;
  source: string;
  instructions: number;
}

const LOOP32 = `
      mov ecx, ${N}
      mov esi, 0x200000
    l:
      mov eax, [esi]
      add eax, ecx
      mov [esi + 4], eax
      push eax
      pop edx
      add esi, 8
      and esi, 0x20ffff
      dec ecx
      jnz l
      hlt`;
const LOOP32_INSNS = 2 + 9 * N + 1;

const workloads: Workload[] = [
  {
    name: 'flat 4 GiB segments (no checks)',
    setup: (m, s) => m.loadFlat32(s, 0x10000),
    source: LOOP32,
    instructions: LOOP32_INSNS,
  },
  {
    name: 'DS/ES/SS with a 16 MiB limit (inline checks)',
    setup: (m, s) => {
      m.loadFlat32(s, 0x10000);
      m.cpu.loadSegCache(1, 0x08, 0, -1, FLAT_CODE);
      for (const seg of [0, 2, 3]) m.cpu.loadSegCache(seg, 0x10, 0, 0xffffff, LIMITED_DATA);
    },
    source: LOOP32,
    instructions: LOOP32_INSNS,
  },
  {
    name: 'real mode, 64 KiB segments (inline checks)',
    setup: (m, s) => m.loadReal(s, 0x1000),
    source: `
      mov ax, 0x2000
      mov ds, ax
      mov ecx, ${N}
      xor si, si
    l:
      mov ax, [si]
      add ax, cx
      mov [si + 2], ax
      push ax
      pop dx
      add si, 4
      and si, 0xfff
      dec ecx
      jnz l
      hlt`,
    instructions: 4 + 9 * N + 1,
  },
];

function runOnce(w: Workload): number {
  const m = new TestMachine({ backend: 'js', ramSize: 8 << 20 });
  w.setup(m, w.source);
  const t0 = performance.now();
  const r = m.run(1_000_000, 100_000);
  const t1 = performance.now();
  if (r !== 'halted') throw new Error(`${w.name}: ${r}`);
  return t1 - t0;
}

console.log(`i386 segment-check benchmarks, JS backend, node ${process.version}`);
for (const w of workloads) {
  runOnce(w);
  const ms = Math.min(runOnce(w), runOnce(w));
  const mips = w.instructions / ms / 1000;
  console.log(`${w.name.padEnd(50)} ${mips.toFixed(1).padStart(7)} MIPS  (${ms.toFixed(0)} ms)`);
}
