/**
 * SSE2 guest benchmarks on the JS backend: MFLOPS of packed-double loops, and copy
 * bandwidth of REP MOVSD against an SSE2 MOVDQA loop (what a C library's memcpy does).
 *
 *     cd packages/tcg && node --conditions=@tsemu/source --import tsx bench/i386-simd.ts
 *
 * Each workload is a 32-bit flat protected-mode program (CR4.OSFXSR set); the figure is
 * the best of two timed runs after a warm-up run, translation included.
 */
import { CR4_OSFXSR, CR4_OSXMMEXCPT } from '../src/i386/cpu/constants.js';
import { TestMachine } from '../test/i386/machine.js';
import { simdAsm } from '../test/i386/simd-asm.js';

interface Workload {
  name: string;
  source: string;
  /** Double-precision operations executed (a packed op on two lanes counts 2). */
  flops?: number;
  /** Bytes copied or scanned. */
  bytes?: number;
}

const N = 2_000_000;
const COPIES = 64;
const MIB = 1 << 20;

/** Loads 1.0000001 and 0.9999999 into xmm1/xmm2 (both lanes) and clears xmm0. */
const FLOAT_SETUP = `
      mov dword [0x20000], 0x9ABCAF48
      mov dword [0x20004], 0x3FF00000
      mov dword [0x20008], 0x9ABCAF48
      mov dword [0x2000c], 0x3FF00000
      mov dword [0x20010], 0x9ABCAF48
      mov dword [0x20014], 0x3FEFFFFF
      mov dword [0x20018], 0x9ABCAF48
      mov dword [0x2001c], 0x3FEFFFFF
      movapd xmm1, [0x20000]
      movapd xmm2, [0x20010]
      xorpd xmm0, xmm0`;

const workloads: Workload[] = [
  {
    name: 'mulpd/addpd on registers (5 insns, 4 flops)',
    source: `${FLOAT_SETUP}
      mov ecx, ${N}
    l:
      movapd xmm3, xmm1
      mulpd xmm3, xmm2
      addpd xmm0, xmm3
      dec ecx
      jnz l
      hlt`,
    flops: 4 * N,
  },
  {
    name: 'dot product over 64 KiB (movapd/mulpd m128/addpd, 4 flops)',
    source: `${FLOAT_SETUP}
      mov edi, 0x200000             ; fill 64 KiB with 1.0000001
      mov ecx, 0x1000
    fill:
      movapd [edi], xmm1
      add edi, 16
      dec ecx
      jnz fill
      mov ecx, ${N}
      mov esi, 0x200000
    l:
      movapd xmm3, [esi]
      mulpd xmm3, [esi+16]
      addpd xmm0, xmm3
      add esi, 32
      and esi, 0x20ffff
      dec ecx
      jnz l
      hlt`,
    flops: 4 * N,
  },
  {
    name: 'mulpd/addpd, round toward zero (softfloat path)',
    source: `${FLOAT_SETUP}
      mov dword [0x20020], 0x7f80
      ldmxcsr [0x20020]
      mov ecx, ${N / 10}
    l:
      movapd xmm3, xmm1
      mulpd xmm3, xmm2
      addpd xmm0, xmm3
      dec ecx
      jnz l
      hlt`,
    flops: (4 * N) / 10,
  },
  {
    name: `rep movsd, 1 MiB x ${COPIES}`,
    source: `
      mov ebx, ${COPIES}
    l:
      mov esi, 0x200000
      mov edi, 0x340000
      mov ecx, 0x40000
      rep movsd
      dec ebx
      jnz l
      hlt`,
    bytes: COPIES * MIB,
  },
  {
    name: `movdqa load/store loop, 1 MiB x ${COPIES}`,
    source: `
      mov ebx, ${COPIES}
    outer:
      mov esi, 0x200000
      mov edi, 0x340000
      mov ecx, 0x10000
    l:
      movdqa xmm0, [esi]
      movdqa [edi], xmm0
      add esi, 16
      add edi, 16
      dec ecx
      jnz l
      dec ebx
      jnz outer
      hlt`,
    bytes: COPIES * MIB,
  },
  {
    name: `movdqa x4 unrolled (glibc style), 1 MiB x ${COPIES}`,
    source: `
      mov ebx, ${COPIES}
    outer:
      mov esi, 0x200000
      mov edi, 0x340000
      mov ecx, 0x4000
    l:
      movdqa xmm0, [esi]
      movdqa xmm1, [esi+16]
      movdqa xmm2, [esi+32]
      movdqa xmm3, [esi+48]
      movdqa [edi], xmm0
      movdqa [edi+16], xmm1
      movdqa [edi+32], xmm2
      movdqa [edi+48], xmm3
      add esi, 64
      add edi, 64
      dec ecx
      jnz l
      dec ebx
      jnz outer
      hlt`,
    bytes: COPIES * MIB,
  },
  {
    name: `movdqu loads, movdqa stores (unaligned source), 1 MiB x ${COPIES}`,
    source: `
      mov ebx, ${COPIES}
    outer:
      mov esi, 0x200003
      mov edi, 0x340000
      mov ecx, 0x10000
    l:
      movdqu xmm0, [esi]
      movdqa [edi], xmm0
      add esi, 16
      add edi, 16
      dec ecx
      jnz l
      dec ebx
      jnz outer
      hlt`,
    bytes: COPIES * MIB,
  },
  {
    name: `strlen scan (pcmpeqb/pmovmskb), 1 MiB x ${COPIES / 4}`,
    source: `
      mov edi, 0x200000             ; 1 MiB of non-zero bytes, then a zero
      mov ecx, 0x40000
      mov eax, 0x01010101
      rep stosd
      mov dword [edi], 0
      mov ebx, ${COPIES / 4}
      pxor xmm0, xmm0
    outer:
      mov esi, 0x200000
    l:
      movdqa xmm1, [esi]
      pcmpeqb xmm1, xmm0
      pmovmskb eax, xmm1
      add esi, 16
      test eax, eax
      jz l
      dec ebx
      jnz outer
      hlt`,
    bytes: (COPIES / 4) * MIB,
  },
];

function runOnce(w: Workload): number {
  const m = new TestMachine({ backend: 'js', ramSize: 8 << 20 });
  m.loadFlat32(simdAsm(w.source), 0x10000);
  m.cpu.setCr4(m.cpu.cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
  const t0 = performance.now();
  const r = m.run(1_000_000, 100_000);
  const t1 = performance.now();
  if (r !== 'halted') throw new Error(`${w.name}: ${r}`);
  return t1 - t0;
}

console.log(`i386 SSE2 benchmarks, JS backend, node ${process.version}`);
for (const w of workloads) {
  runOnce(w); // warm-up (V8 only: translation caches are per machine)
  const ms = Math.min(runOnce(w), runOnce(w));
  let line = `${w.name.padEnd(62)} ${ms.toFixed(0).padStart(6)} ms`;
  if (w.flops) line += `  ${(w.flops / ms / 1000).toFixed(1).padStart(7)} MFLOPS`;
  if (w.bytes) line += `  ${(w.bytes / MIB / (ms / 1000)).toFixed(0).padStart(7)} MiB/s`;
  console.log(line);
}
