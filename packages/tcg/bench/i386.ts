/**
 * i386 guest benchmarks on the JS backend: guest MIPS on integer loops, in one run.
 *
 *     cd packages/tcg && node --conditions=@tsemu/source --import tsx bench/i386.ts
 *
 * Each workload is a 32-bit flat protected-mode program with a known number of guest
 * instructions per iteration; MIPS = instructions / wall time (best of two runs after a
 * warm-up run; translation is included but small). Copy buffers are 1.25 MiB apart: a
 * distance that is a multiple of 1 MiB makes source and destination pages share slots of
 * the 256-entry direct-mapped TLB (see docs/i386-frontend.md).
 */
import { TestMachine } from '../test/i386/machine.js';

interface Workload {
  name: string;
  source: string;
  /** Guest instructions the program executes (analytically). */
  instructions: number;
  /** Bytes copied, for copy workloads (MB/s is printed too). */
  bytes?: number;
  paging?: boolean;
}

const N = 4_000_000;

const PAGING_SETUP = `
    mov edi, 0x100000
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov edi, 0x101000
    mov eax, 7
    mov ecx, 1024
fill:
    stosd
    add eax, 0x1000
    loop fill
    mov dword [0x100000], 0x101007
    mov eax, 0x100000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
`;
const PAGING_SETUP_INSNS = 4 + 1 + 3 + 1024 * 3 + 7;

const workloads: Workload[] = [
  {
    name: 'arithmetic loop (add/xor/shift/adc, 7 insns)',
    source: `
      mov ecx, ${N}
      xor eax, eax
      mov ebx, 1
    l:
      add eax, ebx
      xor edx, eax
      rol ebx, 1
      adc edx, 3
      sub eax, edx
      dec ecx
      jnz l
      hlt`,
    instructions: 3 + 7 * N + 1,
  },
  {
    name: 'rep movsd 1 MiB x 64',
    source: `
      mov ebx, 64
    l:
      mov esi, 0x200000
      mov edi, 0x340000
      mov ecx, 0x40000
      rep movsd
      dec ebx
      jnz l
      hlt`,
    instructions: 1 + 64 * 6 + 1,
    bytes: 64 << 20,
  },
  {
    name: 'byte copy loop (mov/mov/inc/inc/dec/jnz), 16 MiB',
    source: `
      mov ebx, 16
    outer:
      mov esi, 0x200000
      mov edi, 0x340000
      mov ecx, 0x100000
    l:
      mov al, [esi]
      mov [edi], al
      inc esi
      inc edi
      dec ecx
      jnz l
      dec ebx
      jnz outer
      hlt`,
    instructions: 1 + 16 * (3 + 6 * 0x100000 + 2) + 1,
    bytes: 16 << 20,
  },
  {
    name: 'call-heavy loop (call/ret + 4 insns)',
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
    instructions: 2 + 5 * N + 1,
  },
  {
    name: 'memory loop under paging (load/add/store, 64 KiB set)',
    source: `
      ${PAGING_SETUP}
      mov ecx, ${N}
      mov esi, 0x200000
    l:
      mov eax, [esi]
      add eax, ecx
      mov [esi + 4], eax
      add esi, 8
      and esi, 0x20ffff
      dec ecx
      jnz l
      hlt`,
    instructions: PAGING_SETUP_INSNS + 2 + 7 * N + 1,
    paging: true,
  },
  {
    name: 'page-walk loop (a TLB miss every iteration, 4 KiB stride)',
    source: `
      ${PAGING_SETUP}
      mov ecx, ${N}
      mov esi, 0x200000
    l:
      mov eax, [esi]
      add eax, ecx
      mov [esi + 4], eax
      add esi, 0x1000
      and esi, 0x3fffff
      or esi, 0x200000
      dec ecx
      jnz l
      hlt`,
    instructions: PAGING_SETUP_INSNS + 2 + 8 * N + 1,
    paging: true,
  },
];

function runOnce(w: Workload): number {
  const m = new TestMachine({ backend: 'js', ramSize: 8 << 20 });
  m.loadFlat32(w.source, 0x10000);
  const t0 = performance.now();
  const r = m.run(1_000_000, 100_000);
  const t1 = performance.now();
  if (r !== 'halted') throw new Error(`${w.name}: ${r}`);
  return t1 - t0;
}

console.log(`i386 guest benchmarks, JS backend, node ${process.version}`);
for (const w of workloads) {
  runOnce(w); // warm-up (V8 and our translation caches are per machine, so this warms V8 only)
  const ms = Math.min(runOnce(w), runOnce(w));
  const mips = w.instructions / ms / 1000;
  // A REP MOVSD is one instruction however much it copies: report its bandwidth only.
  const rate = w.name.startsWith('rep') ? '      -     ' : `${mips.toFixed(1).padStart(7)} MIPS`;
  let line = `${w.name.padEnd(58)} ${rate}  (${ms.toFixed(0)} ms)`;
  if (w.bytes) line += `  ${(w.bytes / (1 << 20) / (ms / 1000)).toFixed(0)} MiB/s`;
  console.log(line);
}
