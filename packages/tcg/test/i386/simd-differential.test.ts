/**
 * Every MMX/SSE/SSE2 form of the decoder's table (except the state, fence and DS:EDI
 * instructions, which have their own tests) against the host processor, bit for bit:
 * random operands biased to the edges, random rounding, FTZ, DAZ and sticky flags, with
 * the rm operand in a register and in memory. Results, MXCSR, EFLAGS (COMIS*) and the
 * memory operand must all match; RCP/RSQRT only within the SDM's error bound.
 *
 * SIMD_CASES (default 4 per register form on the interpreter, half of that on the JS
 * backend, whose per-TB compile makes single-use code dearer; a quarter per memory form)
 * and SIMD_SEED repeat or deepen a run: `SIMD_CASES=200 npx vitest run simd-differential`.
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { SIMD_ENCODINGS, type SimdEncoding } from './simd-asm.js';
import { formKinds, NOT_DIFFERENTIAL, Rng, randomCases } from './simd-cases.js';
import { caseLine, differences, runInGuest, runOnHost, type SimdCase } from './simd-oracle.js';

const perForm = Number(process.env.SIMD_CASES ?? 4);
const seed = Number(process.env.SIMD_SEED ?? Math.floor(Math.random() * 2 ** 31));

const GROUPS: [string, (name: string) => boolean][] = [
  ['float arithmetic', (n) => /^(add|sub|mul|div|sqrt|min|max|rcp|rsqrt)(ps|pd|ss|sd)$/.test(n)],
  ['compares and COMIS', (n) => /^(cmp(ps|pd|ss|sd)|u?comis[sd])$/.test(n)],
  ['conversions', (n) => n.startsWith('cvt')],
  ['moves', (n) => n.startsWith('mov') || n.startsWith('movnt')],
  [
    'logic, shuffles and unpacks',
    (n) =>
      /^(and|andn|or|xor)(ps|pd)$/.test(n) ||
      /^(unpck|punpck|pshuf|shuf|pack|pinsrw|pextrw|pmovmskb)/.test(n) ||
      /^p(and|andn|or|xor)$/.test(n),
  ],
  ['integer arithmetic and shifts', () => true],
];

function groupOf(name: string): string {
  for (const [group, test] of GROUPS) if (test(name)) return group;
  return 'other';
}

function buildCases(
  rng: Rng,
  encodings: readonly SimdEncoding[],
  count: number,
): { name: string; c: SimdCase }[] {
  const out: { name: string; c: SimdCase }[] = [];
  for (const e of encodings) {
    const kinds = formKinds(e);
    if (kinds.reg) for (const c of randomCases(rng, e, false, count)) out.push({ name: e.name, c });
    if (kinds.mem)
      for (const c of randomCases(rng, e, true, Math.max(1, count >> 2)))
        out.push({ name: e.name, c });
  }
  return out;
}

const tested = SIMD_ENCODINGS.filter((e) => !NOT_DIFFERENTIAL.has(e.name));

describe(`SIMD instructions against the host CPU (seed ${seed}, ${perForm} cases per form)`, () => {
  it('covers every form of the decoder table but the directed-test ones', () => {
    const names = new Set(tested.map((e) => e.name));
    expect(names.size).toBeGreaterThan(150);
    expect(tested.length).toBeGreaterThan(250);
  });

  const backends: BackendKind[] = ['js', 'interpreter'];
  GROUPS.forEach(([group], index) => {
    const encodings = tested.filter((e) => groupOf(e.name) === group);
    it.each(backends)(
      `${group}: ${encodings.length} forms match the host bit for bit (%s)`,
      (backend) => {
        const rng = new Rng(seed + index * 7919 + (backend === 'js' ? 0 : 1));
        const cases = buildCases(
          rng,
          encodings,
          backend === 'js' ? Math.ceil(perForm / 2) : perForm,
        );
        const host = runOnHost(cases.map((x) => x.c));
        const ours = runInGuest(
          cases.map((x) => x.c),
          backend,
        );
        const failures: string[] = [];
        cases.forEach((x, i) => {
          const d = differences(x.name, host[i], ours[i]);
          if (d) failures.push(`${x.name}: ${caseLine(x.c)}\n    ${d}`);
        });
        if (failures.length > 0)
          throw new Error(
            `${failures.length} of ${cases.length} cases differ:\n${failures.slice(0, 8).join('\n')}`,
          );
      },
    );
  });
});
