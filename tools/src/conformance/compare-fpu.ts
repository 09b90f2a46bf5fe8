/**
 * Compares the x87/MMX/SSE state of two dumps (the FXSAVE images of a test that loaded one):
 * FCW, FSW, the abridged tag byte, MXCSR, ST0-7 and XMM0-7, bit for bit, except:
 *
 * - FOP, FIP, FCS, FDP and FDS (the last instruction's pointers: where the runner put the
 *   test, and AMD saves them only while an exception is pending), MXCSR_MASK (a property
 *   of the CPU model: the AMD host reports the misaligned-SSE bit) and reserved bytes;
 * - the FSW condition codes the SDM leaves undefined after the instruction (the form's mask);
 * - transcendentals (FSIN, F2XM1...): ST(i) within one unit in the last place, C1 free;
 * - RCPPS/RSQRTPS/RCPSS/RSQRTSS lanes: within the SDM's relative error bound of the exact
 *   value (Intel and AMD tables differ), see state.ts ApproximateLanes.
 */
import { type ApproximateLanes, C1, type ConformanceTest, type Dump, Fx } from './state.js';

const hex = (v: number, digits: number) => v.toString(16).padStart(digits, '0');

/** An 80-bit register as `sign/exponent significand`, e.g. `3fff 8000000000000000`. */
export function formatX80(image: Uint8Array, offset: number): string {
  const view = new DataView(image.buffer, image.byteOffset);
  return `${hex(view.getUint16(offset + 8, true), 4)} ${hex(view.getUint32(offset + 4, true), 8)}${hex(view.getUint32(offset, true), 8)}`;
}

/** 128 bits as four dwords, high to low. */
export function formatXmm(image: Uint8Array, offset: number): string {
  const view = new DataView(image.buffer, image.byteOffset);
  return [12, 8, 4, 0].map((d) => hex(view.getUint32(offset + d, true), 8)).join(' ');
}

/** The state as the report prints it: control words, then ST(i) and XMM registers. */
export function formatFpu(image: Uint8Array, indent: string): string {
  const view = new DataView(image.buffer, image.byteOffset);
  const st = Array.from({ length: 8 }, (_, i) => `st${i}=${formatX80(image, Fx.ST + 16 * i)}`);
  const xmm = Array.from({ length: 8 }, (_, i) => `xmm${i}=${formatXmm(image, Fx.XMM + 16 * i)}`);
  return [
    `fcw=${hex(view.getUint16(Fx.FCW, true), 4)} fsw=${hex(view.getUint16(Fx.FSW, true), 4)} ` +
      `ftw=${hex(image[Fx.FTW] as number, 2)} mxcsr=${hex(view.getUint32(Fx.MXCSR, true), 8)}`,
    st.slice(0, 4).join(' '),
    st.slice(4).join(' '),
    xmm.slice(0, 2).join(' '),
    xmm.slice(2, 4).join(' '),
    xmm.slice(4, 6).join(' '),
    xmm.slice(6).join(' '),
  ]
    .map((line) => `${indent}${line}`)
    .join('\n');
}

function x80Value(image: Uint8Array, offset: number): bigint {
  let v = 0n;
  for (let i = 9; i >= 0; i--) v = (v << 8n) | BigInt(image[offset + i] as number);
  return v;
}

function float32(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits, true);
  return view.getFloat32(0, true);
}

/** The SDM's bound for RCP and RSQRT: |relative error| <= 1.5 * 2^-12. */
export const APPROXIMATION_BOUND = 1.5 * 2 ** -12;

/** Whether `result` (float32 bits) approximates fn(source) within the SDM's bound. */
export function withinApproximationBound(
  fn: ApproximateLanes['fn'],
  source: number,
  result: number,
): boolean {
  const x = float32(source);
  const exact = fn === 'rcp' ? 1 / x : 1 / Math.sqrt(x);
  const r = float32(result);
  // Special operands and results (zeros, infinities, NaNs, denormals) are exact: compared
  // bit for bit by the caller.
  if (!Number.isFinite(exact) || exact === 0 || !Number.isFinite(r) || r === 0) return false;
  if (Math.abs(r) < 2 ** -126) return false;
  return Math.abs(r - exact) <= APPROXIMATION_BOUND * Math.abs(exact);
}

/** The differences between two FPU states of `test`; empty when they agree. */
export function compareFpu(test: ConformanceTest, expected: Dump, actual: Dump): string[] {
  if (test.fpu === undefined) return [];
  const e = expected.fpu;
  const a = actual.fpu;
  if (e === null || a === null) {
    return [
      `fpu state: missing from the ${e === null ? 'expected' : 'actual'} dump (no fpstate in the signal frame?)`,
    ];
  }
  const mask = test.undefinedMask.fpu ?? {};
  const ev = new DataView(e.buffer, e.byteOffset);
  const av = new DataView(a.buffer, a.byteOffset);
  const diffs: string[] = [];
  const word = (name: string, offset: number, ignore = 0) => {
    const x = ev.getUint16(offset, true) & ~ignore;
    const y = av.getUint16(offset, true) & ~ignore;
    if (x !== y) diffs.push(`${name}: expected 0x${hex(x, 4)}, got 0x${hex(y, 4)}`);
  };
  word('fcw', Fx.FCW);
  word('fsw', Fx.FSW, (mask.fsw ?? 0) | (mask.transcendental ? C1 : 0));
  if (e[Fx.FTW] !== a[Fx.FTW])
    diffs.push(
      `ftw: expected 0x${hex(e[Fx.FTW] as number, 2)}, got 0x${hex(a[Fx.FTW] as number, 2)}`,
    );
  const em = ev.getUint32(Fx.MXCSR, true);
  const am = av.getUint32(Fx.MXCSR, true);
  if (em !== am) diffs.push(`mxcsr: expected 0x${hex(em, 8)}, got 0x${hex(am, 8)}`);
  for (let i = 0; i < 8; i++) {
    const at = Fx.ST + 16 * i;
    const x = x80Value(e, at);
    const y = x80Value(a, at);
    const d = x - y;
    const same = mask.transcendental ? d >= -1n && d <= 1n : d === 0n;
    if (!same) diffs.push(`st${i}: expected ${formatX80(e, at)}, got ${formatX80(a, at)}`);
  }
  const approx = mask.approximate;
  for (let i = 0; i < 8; i++) {
    const at = Fx.XMM + 16 * i;
    let same = true;
    for (let lane = 0; lane < 4; lane++) {
      const x = ev.getUint32(at + 4 * lane, true);
      const y = av.getUint32(at + 4 * lane, true);
      if (x === y) continue;
      const k = approx && approx.xmm === i ? approx.lanes.indexOf(lane) : -1;
      const source = k >= 0 ? (approx?.sources[k] as number) : 0;
      if (
        approx &&
        k >= 0 &&
        withinApproximationBound(approx.fn, source, x) &&
        withinApproximationBound(approx.fn, source, y)
      )
        continue;
      same = false;
    }
    if (!same) diffs.push(`xmm${i}: expected ${formatXmm(e, at)}, got ${formatXmm(a, at)}`);
  }
  return diffs;
}
