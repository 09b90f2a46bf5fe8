/**
 * The CI sample of the conformance corpus: the first seeds of every form, run on the host
 * processor and on tsemu. Fails on any mismatch the known-failures list does not explain, and
 * on a listed failure that now passes. The full corpus runs with `pnpm conformance`.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, formatMismatch } from './compare.js';
import {
  CORPUS_PATH,
  corpusSize,
  corpusTests,
  formatCorpus,
  parseCorpus,
  planCorpus,
} from './corpus.js';
import { TestGenerator } from './generator.js';
import { type Classification, classifyMismatches } from './known-failures.js';
import { checkHostSupport, NativeTarget } from './native-target.js';
import type { ConformanceTest } from './state.js';
import { TsemuTarget } from './tsemu-target.js';

const generator = new TestGenerator();
const corpusText = readFileSync(CORPUS_PATH, 'utf8');
const corpus = parseCorpus(corpusText);

beforeAll(async () => {
  expect(await checkHostSupport(), 'this host cannot run 32-bit i386 programs').toEqual({
    ok: true,
  });
});

function explain(c: Classification): string {
  return [
    ...c.unexpected.slice(0, 10).map((m) => formatMismatch(m)),
    ...c.stale.map((k) => `known failure '${k.form}' passed: remove it from known-failures.ts`),
  ].join('\n\n');
}

async function runSample(tests: ConformanceTest[], target: TsemuTarget): Promise<Classification> {
  const [expected, actual] = await Promise.all([new NativeTarget().run(tests), target.run(tests)]);
  return classifyMismatches(tests, compareRuns(tests, expected, actual));
}

describe('the committed corpus', () => {
  it('is what `conformance --write-corpus` writes: seeds for every form, at least 50,000', () => {
    expect(corpusText).toBe(formatCorpus(planCorpus(generator)));
    expect(corpus.map((e) => e.form).sort()).toEqual([...generator.forms.keys()].sort());
    expect(corpusSize(corpus)).toBeGreaterThanOrEqual(50_000);
  });

  it('reads back ranges and single seeds', () => {
    const entries = [{ form: 'daa', seeds: [1, 2, 3, 7, 9, 10] }];
    expect(parseCorpus(formatCorpus(entries))).toEqual(entries);
    expect(formatCorpus(entries)).toContain('daa\t1-3,7,9-10\n');
    expect(() => parseCorpus('daa\t5-2')).toThrow(/bad range/);
  });
});

describe('CI sample: host processor vs tsemu', () => {
  it('agrees on the first 4 seeds of every form (JS backend), except known failures', async () => {
    const tests = corpusTests(generator, corpus, { firstSeeds: 4 });
    expect(tests.length).toBe(4 * generator.forms.size);
    const c = await runSample(tests, new TsemuTarget());
    expect(c.unexpected.length + c.stale.length, explain(c)).toBe(0);
  });

  it('agrees on the 5th seed of every form on the IR interpreter backend', async () => {
    const tests = corpusTests(generator, corpus, { firstSeeds: 1, skipSeeds: 4 });
    const c = await runSample(tests, new TsemuTarget({ backend: 'interpreter' }));
    expect(c.unexpected.length + c.stale.length, explain(c)).toBe(0);
  });
});
