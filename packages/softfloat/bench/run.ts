/**
 * Throughput of the softfloat core, next to plain JS double arithmetic in the same run.
 * Run with `pnpm --filter @tsemu/softfloat bench`; figures go to bench/RESULTS.md.
 */
import {
  FloatStatus,
  Floatx80,
  float64Add,
  float64Mul,
  floatx80Add,
  floatx80Div,
  floatx80Mul,
  floatx80Sqrt,
  Word64,
} from '../src/index.js';

const COUNT = 1024;
const MIN_MS = 400;

/** Random normal operands in [1, 2^8), as x80, float64 words and doubles (same values). */
function operands() {
  const x80: Floatx80[] = [];
  const f64: Word64[] = [];
  const doubles: number[] = [];
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < COUNT; i++) {
    const d = (1 + Math.random()) * 2 ** Math.floor(Math.random() * 8);
    doubles.push(d);
    view.setFloat64(0, d);
    const hi = view.getUint32(0);
    const lo = view.getUint32(4);
    f64.push(new Word64(hi, lo));
    const exp = ((hi >>> 20) & 0x7ff) - 1023 + 16383;
    const sigHi = (0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0;
    x80.push(new Floatx80(exp, sigHi, (lo << 11) >>> 0));
  }
  return { x80, f64, doubles };
}

/** Runs `body(i)` over the operand ring until MIN_MS have passed; returns M ops/s. */
function measure(body: (i: number) => void): number {
  for (let i = 0; i < 20000; i++) body(i & (COUNT - 1)); // warm up
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    for (let i = 0; i < 100000; i++) body(i & (COUNT - 1));
    ops += 100000;
    elapsed = performance.now() - start;
  }
  return ops / elapsed / 1000;
}

const { x80, f64, doubles } = operands();
const st = new FloatStatus();
const outX = new Floatx80();
const outW = new Word64();
let sink = 0;

const rows: [string, number][] = [
  ['floatx80Add', measure((i) => floatx80Add(x80[i], x80[(i + 1) & (COUNT - 1)], st, outX))],
  ['floatx80Mul', measure((i) => floatx80Mul(x80[i], x80[(i + 1) & (COUNT - 1)], st, outX))],
  ['floatx80Div', measure((i) => floatx80Div(x80[i], x80[(i + 1) & (COUNT - 1)], st, outX))],
  ['floatx80Sqrt', measure((i) => floatx80Sqrt(x80[i], st, outX))],
  ['float64Add', measure((i) => float64Add(f64[i], f64[(i + 1) & (COUNT - 1)], st, outW))],
  ['float64Mul', measure((i) => float64Mul(f64[i], f64[(i + 1) & (COUNT - 1)], st, outW))],
  [
    'JS double a + b',
    measure((i) => {
      sink += doubles[i] + doubles[(i + 1) & (COUNT - 1)];
    }),
  ],
  [
    'JS double a * b',
    measure((i) => {
      sink += doubles[i] * doubles[(i + 1) & (COUNT - 1)];
    }),
  ],
];

console.log(
  `@tsemu/softfloat bench, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
for (const [name, mops] of rows)
  console.log(`${name.padEnd(18)} ${mops.toFixed(2).padStart(9)} M ops/s`);
if (sink === 0.5) console.log(outX.toHex(), outW.toHex());
