import { describe, expect, it } from 'vitest';
import type { Mismatch } from './compare.js';
import { TestGenerator } from './generator.js';
import { classifyMismatches, KNOWN_FAILURES } from './known-failures.js';
import { formatFailures, formatReport, replaceReportSection, summarize } from './report.js';
import type { Dump } from './state.js';

const generator = new TestGenerator();
const tests = [1, 2, 3].flatMap((seed) =>
  ['add r32,r32', 'daa', 'shl r8,cl'].map((form) => generator.generate(form, seed)),
);
const dump = {} as Dump;
const mismatch = (form: string, seed: number): Mismatch => {
  const test = tests.find((t) => t.form === form && t.seed === seed);
  if (!test) throw new Error('no such test');
  return { test, expected: dump, actual: dump, differences: ['eax: expected 1, got 2'] };
};

describe('classifyMismatches', () => {
  it('fails a run on a mismatch nobody explained, and accepts the listed ones', () => {
    const known = [
      { form: 'daa', reason: 'tsemu bug: DAA example' },
      { form: 'shl r8,cl', seeds: [2], reason: 'host quirk example' },
    ];
    const c = classifyMismatches(
      tests,
      [
        mismatch('daa', 1),
        mismatch('daa', 3),
        mismatch('shl r8,cl', 2),
        mismatch('add r32,r32', 3),
      ],
      known,
    );
    expect(c.unexpected.map((m) => [m.test.form, m.test.seed])).toEqual([['add r32,r32', 3]]);
    expect(c.known.map((k) => [k.mismatch.test.form, k.mismatch.test.seed, k.reason])).toEqual([
      ['daa', 1, 'tsemu bug: DAA example'],
      ['daa', 3, 'tsemu bug: DAA example'],
      ['shl r8,cl', 2, 'host quirk example'],
    ]);
    expect(c.stale).toEqual([]);
  });

  it('reports a known failure that ran and passed as stale (fixed: remove it)', () => {
    const entry = { form: 'shl r8,cl', seeds: [3], reason: 'fixed since' };
    const notRun = { form: 'shl r8,cl', seeds: [99], reason: 'not in this run' };
    const c = classifyMismatches(tests, [], [entry, notRun]);
    expect(c.stale).toEqual([entry]);
    expect(formatFailures(c)).toContain('`shl r8,cl` is listed as a known failure but passed');
  });

  it('judges a whole-form entry stale only in a complete run (a sample may miss its seeds)', () => {
    const wholeForm = { form: 'daa', reason: 'fails on some seeds' };
    expect(classifyMismatches(tests, [], [wholeForm]).stale).toEqual([]);
    expect(classifyMismatches(tests, [], [wholeForm], { complete: true }).stale).toEqual([
      wholeForm,
    ]);
    const stillFailing = classifyMismatches(tests, [mismatch('daa', 2)], [wholeForm], {
      complete: true,
    });
    expect(stillFailing.stale).toEqual([]);
  });

  it('lists only entries with a reason, for forms the generator knows', () => {
    for (const k of KNOWN_FAILURES) {
      expect(k.reason.length, k.form).toBeGreaterThan(10);
      expect(generator.forms.has(k.form), k.form).toBe(true);
    }
  });
});

describe('the report', () => {
  it('counts tests, passes, failures and known failures per group, with a total', () => {
    const c = classifyMismatches(
      tests,
      [mismatch('daa', 1), mismatch('add r32,r32', 2)],
      [{ form: 'daa', reason: 'tsemu bug: example' }],
    );
    expect(summarize(tests, c)).toEqual([
      { group: 'alu', forms: 1, tests: 3, passed: 2, failed: 1, known: 0 },
      { group: 'bcd', forms: 1, tests: 3, passed: 2, failed: 0, known: 1 },
      { group: 'shift', forms: 1, tests: 3, passed: 3, failed: 0, known: 0 },
      { group: 'total', forms: 3, tests: 9, passed: 7, failed: 1, known: 1 },
    ]);
    const text = formatReport(summarize(tests, c), c, {
      date: '2025-01-01',
      hostCpu: 'a CPU',
      command: 'pnpm conformance',
      backend: 'js',
      nativeMs: 1000,
      tsemuMs: 3000,
    });
    expect(text).toContain('| bcd | 1 | 3 | 2 | 0 | 1 |');
    expect(text).toContain('| **total** | 3 | 9 | 7 | 1 | 1 |');
    expect(text).toContain('- tsemu bug: example\n  - `daa`: 1 failing (seeds 1)');
    expect(text).toContain(
      '- Not explained: new failures.\n  - `add r32,r32`: 1 failing (seeds 2)',
    );
    expect(text).toContain('(180 tests per minute)');
  });

  it('replaces only the text between the markers', () => {
    const doc = 'intro\n<!-- report:start -->\nold\n<!-- report:end -->\nafter\n';
    expect(replaceReportSection(doc, 'new')).toBe(
      'intro\n<!-- report:start -->\nnew\n<!-- report:end -->\nafter\n',
    );
    expect(() => replaceReportSection('no markers', 'x')).toThrow(/markers/);
  });
});
