/**
 * The x87 translator against the host processor, instruction by instruction: random
 * starting states (FRSTOR images) and operands for every x87 form, run on the host
 * (x87-oracle/oracle.c, compiled with gcc) and in a guest on every backend; the FNSAVE
 * images, EFLAGS, EAX and the memory operand must agree bit for bit (transcendentals:
 * within one unit in the last place, C1 aside; see docs/i386-x87.md).
 *
 * X87_SEED=<n> repeats a run, X87_CASES=<n> sets the cases per form (default 24).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { BACKENDS } from './machine.js';
import { FORMS, Random, randomCases, type X87Case } from './x87-oracle/cases.js';
import { compareResults, describeCase } from './x87-oracle/compare.js';
import { runInGuest } from './x87-oracle/guest.js';
import { type HostResult, oracleLine, runOnHost } from './x87-oracle/host.js';

const seed = Number(process.env.X87_SEED ?? Math.floor(Math.random() * 2 ** 31));
const perForm = Number(process.env.X87_CASES ?? 24);

const random = new Random(seed);
const cases: X87Case[] = FORMS.flatMap((form) => randomCases(random, form, perForm));

describe(`x87 against the host (seed ${seed}, ${perForm} cases per form)`, () => {
  let host: HostResult[] = [];
  beforeAll(() => {
    host = runOnHost(cases.map((c) => oracleLine(c.pre, c.insn, c.state, c.memory)));
  }, 120_000);

  describe.each(BACKENDS)('%s backend', (backend: BackendKind) => {
    let ours: HostResult[] = [];
    beforeAll(() => {
      ours = runInGuest(cases, backend);
    }, 120_000);

    it.each(FORMS.map((f) => [f.name, f] as const))('%s', (_name, form) => {
      const report: string[] = [];
      cases.forEach((c, k) => {
        if (c.form !== form) return;
        const why = compareResults(c, host[k], ours[k]);
        if (why) report.push(`${why}\n${describeCase(c, host[k], ours[k])}`);
      });
      expect(report.slice(0, 3).join('\n\n'), `${report.length} cases differ`).toBe('');
    });
  });
});
