/**
 * Benchmarks of the JIT core with the toy test frontend:
 *   pnpm --filter @tsemu/tcg bench
 * Prints markdown; the figures go to bench/RESULTS.md.
 */

import type { RamAccess } from '../src/core/backend/js-backend.js';
import { EXCP_HLT } from '../src/core/exec/cpu-state.js';
import type { BackendKind } from '../src/core/exec/engine.js';
import { ToyAsm } from '../src/core/testing/toy-isa.js';
import { ToyMachine } from '../src/core/testing/toy-machine.js';

const CODE = 0x1000;
const SRC = 0x40000;
const DST = 0x60000;

interface Workload {
  name: string;
  /** Assemble the guest program; `n` is the iteration count. */
  program: (n: number) => Uint8Array;
  /** Guest instructions executed for `n`. */
  insns: (n: number) => number;
  /** The same work in plain JS. Returns a value so nothing is optimized away. */
  native: (n: number, mem: Int32Array) => number;
  /** Guest instructions per iteration, for the "same work" comparison. */
  perIter: number;
}

const arithmetic: Workload = {
  name: 'arithmetic loop',
  perIter: 9,
  program: (n) => {
    const a = new ToyAsm(CODE);
    a.li(0, 0).li(1, 1).li(2, 0x9e3779b9).li(3, 7).li(5, 3).li(7, n);
    a.label('loop').add(1, 1, 2).xor(3, 3, 1).shl(4, 3, 5).add(1, 1, 4).mul(6, 1, 2).sub(3, 3, 6);
    a.addi(7, 7, -1).cmp(7, 0).bcc('ne', 'loop').halt();
    return a.build();
  },
  insns: (n) => 6 + 9 * n + 1,
  native: (n) => {
    let r1 = 1;
    const r2 = 0x9e3779b9 | 0;
    let r3 = 7;
    for (let r7 = n; r7 !== 0; r7--) {
      r1 = (r1 + r2) | 0;
      r3 ^= r1;
      const r4 = r3 << 3;
      r1 = (r1 + r4) | 0;
      const r6 = Math.imul(r1, r2);
      r3 = (r3 - r6) | 0;
    }
    return r1 ^ r3;
  },
};

const WORDS = 4096;
const memcopy: Workload = {
  name: 'memory-copy loop',
  perIter: 7,
  program: (n) => {
    const a = new ToyAsm(CODE);
    a.li(0, 0).li(6, n / WORDS);
    a.label('outer').li(1, SRC).li(2, DST).li(3, WORDS);
    a.label('loop')
      .ldw(4, 1, 0)
      .stw(4, 2, 0)
      .addi(1, 1, 4)
      .addi(2, 2, 4)
      .addi(3, 3, -1)
      .cmp(3, 0)
      .bcc('ne', 'loop');
    a.addi(6, 6, -1).cmp(6, 0).bcc('ne', 'outer').halt();
    return a.build();
  },
  insns: (n) => 2 + (n / WORDS) * (3 + 7 * WORDS + 3) + 1,
  native: (n, mem) => {
    for (let outer = n / WORDS; outer !== 0; outer--) {
      let s = SRC >> 2;
      let d = DST >> 2;
      for (let c = WORDS; c !== 0; c--) mem[d++] = mem[s++];
    }
    return mem[(DST >> 2) + 5];
  },
};

const branchy: Workload = {
  name: 'branchy loop',
  perIter: 8,
  program: (n) => {
    const a = new ToyAsm(CODE);
    a.li(0, 0).li(1, 0).li(2, n).li(4, 1).li(6, 0);
    a.label('loop').and(5, 2, 4).cmp(5, 0).bcc('eq', 'even');
    a.addi(1, 1, 3).jmp('next');
    a.label('even').xor(6, 6, 2);
    a.label('next').addi(2, 2, -1).cmp(2, 0).bcc('ne', 'loop').halt();
    return a.build();
  },
  // odd iterations: and,cmp,bcc,addi,jmp,addi,cmp,bcc = 8; even: and,cmp,bcc,xor,addi,cmp,bcc = 7
  insns: (n) => 5 + Math.ceil(n / 2) * 8 + Math.floor(n / 2) * 7 + 1,
  native: (n) => {
    let r1 = 0;
    let r6 = 0;
    for (let r2 = n; r2 !== 0; r2--) {
      if ((r2 & 1) === 0) r6 ^= r2;
      else r1 += 3;
    }
    return r1 ^ r6;
  },
};

function now(): number {
  return performance.now();
}

interface RunResult {
  ms: number;
  insns: number;
}

function runGuest(
  w: Workload,
  n: number,
  backend: BackendKind,
  ramAccess: RamAccess = 'typed-array',
): RunResult {
  const m = new ToyMachine({ backend, ramAccess });
  m.load(CODE, w.program(n));
  // Timed from the first instruction: translation and V8 warm-up are included.
  const t0 = now();
  let r = 0;
  do r = m.engine.cpuExec(1 << 30);
  while (r !== EXCP_HLT);
  return { ms: now() - t0, insns: w.insns(n) };
}

function best(f: () => RunResult, reps = 3): RunResult {
  let b: RunResult | undefined;
  for (let i = 0; i < reps; i++) {
    const r = f();
    if (b === undefined || r.ms < b.ms) b = r;
  }
  return b!;
}

function nativeNs(w: Workload, n: number): number {
  const mem = new Int32Array(0x100000 >> 2);
  let sink = 0;
  let bestMs = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = now();
    sink ^= w.native(n, mem);
    bestMs = Math.min(bestMs, now() - t0);
  }
  if (sink === 0x7fffffff) console.log('');
  return (bestMs * 1e6) / n;
}

const rows: string[] = [];
const out = (s: string) => {
  rows.push(s);
  console.log(s);
};

out(`# @tsemu/tcg benchmark (toy frontend)\n`);
const { loadavg, cpus } = await import('node:os');
out(
  `Command: \`pnpm --filter @tsemu/tcg bench\`. Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at start, ${new Date().toISOString().slice(0, 10)}. Best of 3 runs per figure.\n`,
);
out('## Guest MIPS\n');
out(
  '| workload | js (typed arrays) | js (DataView) | tiered | interpreter | hand-written JS | JIT ns/guest insn | JS ns per same work | overhead ns/guest insn |',
);
out('|---|---|---|---|---|---|---|---|---|');
for (const w of [arithmetic, memcopy, branchy]) {
  const n = 4_096_000;
  const js = best(() => runGuest(w, n, 'js'));
  const dv = best(() => runGuest(w, n, 'js', 'dataview'));
  const tiered = best(() => runGuest(w, n, 'tiered'));
  const interp = best(() => runGuest(w, n / 16, 'interpreter'), 2);
  const mips = (r: RunResult) => (r.insns / r.ms / 1000).toFixed(0);
  const jitNs = (js.ms * 1e6) / js.insns;
  const native = nativeNs(w, n);
  const nativePerInsn = native / w.perIter;
  const nativeMips = (1000 / nativePerInsn).toFixed(0);
  out(
    `| ${w.name} | ${mips(js)} | ${mips(dv)} | ${mips(tiered)} | ${mips(interp)} | ${nativeMips} (equiv.) | ${jitNs.toFixed(2)} | ${nativePerInsn.toFixed(2)} | ${(jitNs - nativePerInsn).toFixed(2)} |`,
  );
}

// ---- translation time ---------------------------------------------------------------------
out('\n## Translation time\n');
out('| backend | TBs | guest insns | µs per guest insn | µs per TB |');
out('|---|---|---|---|---|');
for (const [backend, optimize] of [
  ['js', true],
  ['js', false],
  ['interpreter', true],
] as const) {
  const a = new ToyAsm(CODE);
  const blocks = 1500;
  a.li(0, 0).li(7, 1);
  for (let i = 0; i < blocks; i++) {
    a.label(`b${i}`)
      .add(1, 1, 7)
      .xor(2, 2, 1)
      .addi(3, 3, i & 127)
      .ldw(4, 0, 0x40)
      .stw(4, 0, 0x44)
      .shl(5, 1, 7)
      .cmp(5, 0);
    a.jmp(i + 1 < blocks ? `b${i + 1}` : 'end');
  }
  a.label('end').halt();
  const m = new ToyMachine({ backend, optimize, memory: { ramSize: 1 << 20 } });
  m.load(CODE, a.build());
  m.runUntilHalt();
  const s = m.engine.statistics();
  out(
    `| ${backend}${optimize ? '' : ' (no optimizer)'} | ${s.tbTranslated} | ${s.insnsTranslated} | ${((1000 * s.translationTimeMs) / s.insnsTranslated).toFixed(2)} | ${((1000 * s.translationTimeMs) / s.tbTranslated).toFixed(1)} |`,
  );
}

// ---- TB lookup cost ---------------------------------------------------------------------
out('\n## TB dispatch cost\n');
out('A ring of 16 one-instruction-plus-jump TBs, run 2M TB executions.\n');
out('| mode | ns per TB execution |');
out('|---|---|');
{
  const ring = (): Uint8Array => {
    const a = new ToyAsm(CODE);
    a.li(0, 0).li(7, 125000);
    a.label('t0');
    for (let i = 0; i < 16; i++) {
      if (i > 0) a.label(`t${i}`);
      if (i === 15) a.addi(7, 7, -1).cmp(7, 0).bcc('ne', 't0').halt();
      else a.addi(1, 1, 1).jmp(`t${i + 1}`);
    }
    return a.build();
  };
  for (const [label, chaining] of [
    ['chained (direct jumps linked)', true],
    ['not chained (cpu_exec lookup each TB, jump cache hit)', false],
  ] as const) {
    const r = best(() => {
      const m = new ToyMachine({ chaining });
      m.load(CODE, ring());
      const t0 = now();
      m.runUntilHalt(100, 1 << 30);
      return { ms: now() - t0, insns: 0 };
    });
    out(`| ${label} | ${((r.ms * 1e6) / (125000 * 16)).toFixed(1)} |`);
  }
}

if (process.argv.includes('--write')) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('./RESULTS.md', import.meta.url), `${rows.join('\n')}\n`);
}
