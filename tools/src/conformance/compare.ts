/**
 * Compares two dumps of the same test (the reference, usually the host CPU, and the
 * candidate) under the test's undefined-result mask, and describes a mismatch so that it
 * can be replayed from its form and seed.
 */
import { compareFpu, formatFpu } from './compare-fpu.js';
import {
  AF,
  CF,
  type ConformanceTest,
  DF,
  type Dump,
  exceptionOf,
  OF,
  PF,
  REGISTER_NAMES,
  SF,
  TESTABLE_FLAGS,
  ZF,
} from './state.js';

export interface Mismatch {
  readonly test: ConformanceTest;
  readonly expected: Dump;
  readonly actual: Dump;
  /** One line per differing item, e.g. `eflags: OF expected 1, got 0`. */
  readonly differences: readonly string[];
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
const FLAG_NAMES: [number, string][] = [
  [CF, 'CF'],
  [PF, 'PF'],
  [AF, 'AF'],
  [ZF, 'ZF'],
  [SF, 'SF'],
  [DF, 'DF'],
  [OF, 'OF'],
];

/** `0x00000893 [CF ZF SF OF]`. */
export function formatFlags(eflags: number): string {
  const set = FLAG_NAMES.filter(([bit]) => (eflags & bit) !== 0).map(([, name]) => name);
  return `${hex(eflags)} [${set.join(' ')}]`;
}

const VECTOR_PAGE_FAULT = 14;
const VECTOR_GENERAL_PROTECTION = 13;

/** The differences between two dumps of `test`; empty when they agree. */
export function compareDumps(test: ConformanceTest, expected: Dump, actual: Dump): string[] {
  const diffs: string[] = [];
  if (expected.outcome !== actual.outcome)
    diffs.push(`outcome: expected ${expected.outcome}, got ${actual.outcome}`);
  const faulted = expected.outcome !== 'completed';
  if (faulted && expected.trapno !== actual.trapno) {
    diffs.push(`exception: expected ${exceptionOf(expected)}, got ${exceptionOf(actual)}`);
  }
  if (expected.eipOffset !== actual.eipOffset) {
    diffs.push(`eip: expected code+${expected.eipOffset}, got code+${actual.eipOffset}`);
  }
  if (
    faulted &&
    (expected.trapno === VECTOR_PAGE_FAULT || expected.trapno === VECTOR_GENERAL_PROTECTION)
  ) {
    if (expected.err !== actual.err)
      diffs.push(`error code: expected ${hex(expected.err)}, got ${hex(actual.err)}`);
  }
  // SIGFPE's code says which exception it was (#DE, or the x87/SSE flag behind #MF/#XM).
  if (
    expected.outcome === 'SIGFPE' &&
    actual.outcome === 'SIGFPE' &&
    expected.siCode !== actual.siCode
  )
    diffs.push(`si_code: expected ${expected.siCode}, got ${actual.siCode}`);
  if (
    faulted &&
    expected.trapno === VECTOR_PAGE_FAULT &&
    expected.faultAddress !== actual.faultAddress
  ) {
    diffs.push(
      `fault address: expected ${hex(expected.faultAddress)}, got ${hex(actual.faultAddress)}`,
    );
  }
  // Undefined results only apply to an instruction that completed; a fault leaves the state
  // of before the instruction, all of it defined.
  const bothCompleted = expected.outcome === 'completed' && actual.outcome === 'completed';
  const mask = test.undefinedMask;
  const flagMask = TESTABLE_FLAGS & ~(bothCompleted ? mask.eflags : 0);
  const flagDiff = (expected.eflags ^ actual.eflags) & flagMask;
  if (flagDiff !== 0) {
    const names = FLAG_NAMES.filter(([bit]) => (flagDiff & bit) !== 0).map(([bit, name]) => {
      return `${name} expected ${(expected.eflags & bit) !== 0 ? 1 : 0}, got ${(actual.eflags & bit) !== 0 ? 1 : 0}`;
    });
    diffs.push(`eflags: ${names.join(', ')}`);
  }
  REGISTER_NAMES.forEach((name, r) => {
    const undefinedBits = bothCompleted ? (mask.regs?.[r] ?? 0) : 0;
    const e = (expected.regs[r] as number) & ~undefinedBits;
    const a = (actual.regs[r] as number) & ~undefinedBits;
    if (e >>> 0 !== a >>> 0) diffs.push(`${name}: expected ${hex(e)}, got ${hex(a)}`);
  });
  diffs.push(...compareFpu(test, expected, actual));
  if (
    expected.window.offset !== actual.window.offset ||
    expected.window.length !== actual.window.length
  ) {
    diffs.push('data window: the two dumps cover different bytes');
    return diffs;
  }
  const ignored = (pageOffset: number) =>
    bothCompleted &&
    (mask.data ?? []).some((r) => pageOffset >= r.offset && pageOffset < r.offset + r.length);
  for (let i = 0; i < expected.data.length; i++) {
    const pageOffset = expected.window.offset + i;
    if (expected.data[i] !== actual.data[i] && !ignored(pageOffset)) {
      diffs.push(
        `data[+0x${pageOffset.toString(16)}]: expected 0x${(expected.data[i] as number).toString(16).padStart(2, '0')}, ` +
          `got 0x${(actual.data[i] as number).toString(16).padStart(2, '0')}`,
      );
    }
  }
  return diffs;
}

/** Compares whole runs: returns the mismatches, in test order. */
export function compareRuns(
  tests: readonly ConformanceTest[],
  expected: readonly Dump[],
  actual: readonly Dump[],
): Mismatch[] {
  if (expected.length !== tests.length || actual.length !== tests.length) {
    throw new Error(
      `compareRuns: ${tests.length} tests but ${expected.length} and ${actual.length} dumps`,
    );
  }
  const mismatches: Mismatch[] = [];
  tests.forEach((test, i) => {
    const e = expected[i] as Dump;
    const a = actual[i] as Dump;
    const differences = compareDumps(test, e, a);
    if (differences.length > 0) mismatches.push({ test, expected: e, actual: a, differences });
  });
  return mismatches;
}

function formatRegs(regs: readonly number[]): string {
  return REGISTER_NAMES.map((n, r) => `${n}=${hex(regs[r] as number)}`).join(' ');
}

function formatDump(label: string, d: Dump): string {
  const end =
    d.outcome === 'completed'
      ? `completed at code+${d.eipOffset}`
      : `${d.outcome} ${exceptionOf(d)} at code+${d.eipOffset} err=${hex(d.err)} addr=${hex(d.faultAddress)}` +
        (d.outcome === 'SIGFPE' ? ` si_code=${d.siCode}` : '');
  const fpu = d.fpu ? `\n${formatFpu(d.fpu, '    ')}` : '';
  return `  ${label}: ${end}\n    ${formatRegs(d.regs)}\n    eflags=${formatFlags(d.eflags)}${fpu}`;
}

/**
 * A minimal description of a mismatch: the form and seed that regenerate it, the code,
 * the initial state and both final states, then what differs.
 */
export function formatMismatch(
  m: Mismatch,
  names: { expected: string; actual: string } = defaultNames,
): string {
  const { test } = m;
  const bytes = [...test.code].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const init = test.data;
  return [
    `${m.differences.length > 0 ? 'MISMATCH' : 'AGREES'} ${test.form} seed ${test.seed} (group ${test.group})`,
    `  code: ${bytes}    ${test.source.replace(/\n/g, '; ')}`,
    `  initial: ${formatRegs(test.initial.regs)}`,
    `    eflags=${formatFlags(test.initial.eflags)}`,
    `    data page: fill ${hex(init.fill)}, ${init.bytes.length} bytes at +0x${init.offset.toString(16)}`,
    ...(test.fpu ? [formatFpu(test.fpu, '    ')] : []),
    `  undefined: eflags ${formatFlags(test.undefinedMask.eflags)}${formatFpuMask(test)}`,
    formatDump(names.expected, m.expected),
    formatDump(names.actual, m.actual),
    ...m.differences.map((d) => `  differs: ${d}`),
    `  replay: pnpm conformance --form '${test.form}' --seed ${test.seed}`,
  ].join('\n');
}

const defaultNames = { expected: 'native', actual: 'tsemu' };

function formatFpuMask(test: ConformanceTest): string {
  const m = test.undefinedMask.fpu;
  if (!m) return '';
  const parts = [
    ...(m.fsw ? [`fsw 0x${m.fsw.toString(16)}`] : []),
    ...(m.transcendental ? ['st(i) within 1 ulp, C1'] : []),
    ...(m.approximate
      ? [`xmm${m.approximate.xmm} lanes ${m.approximate.lanes.join(',')} approximate`]
      : []),
  ];
  return parts.length ? `; fpu: ${parts.join(', ')}` : '';
}
