/**
 * The tiered backend with and without hot regions (several TBs compiled into one
 * function, core/backend/js-region.ts), on i386 loops that span several TBs.
 *
 *     cd packages/tcg && node --conditions=@tsemu/source --import tsx bench/i386-regions.ts
 *
 * Each workload runs on a fresh machine with the engine's default tier threshold, so the
 * loop is interpreted first and then compiled, as in a real boot; the figure is the best
 * of three runs (after a warm-up run of each configuration).
 */
import { TestMachine } from '../test/i386/machine.js';

interface Workload {
  name: string;
  source: string;
}

const N = 3_000_000;

const workloads: Workload[] = [
  {
    // Two TBs a byte: a byte copy with a test in the middle, the shape of the dictionary
    // copy in the XZ decompressor that Linux's boot runs first.
    name: 'byte copy with a test per byte (2 TBs), 16 MiB',
    source: `
      mov ebx, 16
    outer:
      mov esi, 0x200000
      mov edi, 0x340000
      mov ecx, 0x100000
    l:
      mov al, [esi]
      mov [edi], al
      cmp al, 0x55
      je skip
      inc edi
    skip:
      inc esi
      dec ecx
      jnz l
      dec ebx
      jnz outer
      hlt`,
  },
  {
    name: 'branchy loop (if/else, 4 TBs)',
    source: `
      mov ecx, ${N}
      xor eax, eax
      xor edx, edx
    l:
      test ecx, 1
      jz even
      add eax, ecx
      jmp next
    even:
      xor edx, ecx
    next:
      dec ecx
      jnz l
      hlt`,
  },
  {
    name: 'call-heavy loop (call/ret + 4 insns, 3 TBs)',
    source: `
      mov ecx, ${N}
      xor eax, eax
    l:
      call f
      dec ecx
      jnz l
      hlt
    f:
      add eax, ecx
      ret`,
  },
];

function runOnce(w: Workload, regions: boolean): number {
  const m = new TestMachine({ backend: 'tiered', tierThreshold: 10000, regions, ramSize: 8 << 20 });
  m.loadFlat32(w.source, 0x10000);
  const t0 = performance.now();
  const r = m.run(1_000_000, 100_000);
  const t1 = performance.now();
  if (r !== 'halted') throw new Error(`${w.name}: ${r}`);
  return t1 - t0;
}

console.log(`tiered backend, regions off / on, node ${process.version}`);
for (const w of workloads) {
  runOnce(w, false);
  runOnce(w, true);
  const off: number[] = [];
  const on: number[] = [];
  for (let i = 0; i < 3; i++) {
    off.push(runOnce(w, false));
    on.push(runOnce(w, true));
  }
  const a = Math.min(...off);
  const b = Math.min(...on);
  console.log(
    `${w.name.padEnd(48)} off ${a.toFixed(0).padStart(6)} ms   on ${b.toFixed(0).padStart(6)} ms   ${(a / b).toFixed(2)}x`,
  );
}
