/**
 * The committed corpus (tools/conformance/corpus.txt): which seeds of which instruction forms
 * the full run generates. Seeds, not results: every test is regenerated from its form and
 * seed, and its expected result comes from the host processor at run time.
 *
 * The file is written by `pnpm --filter @tsemu/tools conformance --write-corpus` from the
 * forms the generator knows and the per-group seed counts below, so it is deterministic; a
 * test checks that the committed file is what the command writes. A form added to forms.ts
 * gets its seeds by regenerating the file.
 */
import { fileURLToPath } from 'node:url';
import type { TestGenerator } from './generator.js';
import type { ConformanceTest } from './state.js';

export const CORPUS_PATH = fileURLToPath(new URL('../../conformance/corpus.txt', import.meta.url));

/**
 * Seeds per form, by group: more where one form's state space is larger (counts and operand
 * sizes of shifts, dividends of divisions, the BCD adjusts' AL/AH/AF/CF combinations).
 */
export const SEEDS_PER_FORM: Readonly<Record<string, number>> = {
  alu: 80,
  unary: 80,
  muldiv: 150,
  shift: 100,
  bit: 80,
  bcd: 1000,
  cmov: 50,
  setcc: 50,
  string: 100,
  misc: 100,
  data: 60,
  stack: 60,
  control: 40,
  lock: 40,
  alias: 60,
  fault: 40,
  // Floating point and SIMD: fewer forms' worth of variety per seed is in the operands and
  // the random FPU state; their tests also cost tsemu 3-4 times an integer test.
  x87: 60,
  mmx: 30,
  sse: 40,
  sse2: 30,
};
/** For a group not listed above. */
export const DEFAULT_SEEDS_PER_FORM = 100;

/** One line of the corpus: a form and its seeds. */
export interface CorpusEntry {
  readonly form: string;
  readonly seeds: readonly number[];
}

/** The corpus the generator command writes: seeds 1..n of every form the generator knows. */
export function planCorpus(generator: TestGenerator): CorpusEntry[] {
  return [...generator.forms.values()].map((form) => {
    const n = SEEDS_PER_FORM[form.group] ?? DEFAULT_SEEDS_PER_FORM;
    return { form: form.name, seeds: Array.from({ length: n }, (_, i) => i + 1) };
  });
}

/** `1-80,1234`: runs of consecutive seeds as ranges. */
function formatSeeds(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && (seeds[j + 1] as number) === (seeds[j] as number) + 1) j++;
    parts.push(j === i ? String(seeds[i]) : `${seeds[i]}-${seeds[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function parseSeeds(text: string, line: number): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`corpus line ${line}: bad seeds '${part}'`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first || last > 0xffffffff)
      throw new Error(`corpus line ${line}: bad range '${part}'`);
    for (let s = first; s <= last; s++) seeds.push(s);
  }
  return seeds;
}

export function corpusSize(entries: readonly CorpusEntry[]): number {
  return entries.reduce((n, e) => n + e.seeds.length, 0);
}

/** The corpus file's text. */
export function formatCorpus(entries: readonly CorpusEntry[]): string {
  const header = [
    '# tsemu CPU conformance corpus (issue 8, docs/conformance.md): seeds, not results.',
    '# One line per instruction form: <form> TAB <seeds>, seeds as ranges (a-b) or numbers.',
    '# A test is regenerated from its form and seed (tools/src/conformance/generator.ts) and',
    '# its expected result comes from the host processor at run time.',
    '# Written by: pnpm --filter @tsemu/tools conformance --write-corpus (do not edit by hand).',
    `# ${entries.length} forms, ${corpusSize(entries)} tests.`,
  ];
  return `${[...header, ...entries.map((e) => `${e.form}\t${formatSeeds(e.seeds)}`)].join('\n')}\n`;
}

export function parseCorpus(text: string): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error(`corpus line ${i + 1}: expected '<form> TAB <seeds>'`);
    entries.push({ form: line.slice(0, tab), seeds: parseSeeds(line.slice(tab + 1), i + 1) });
  });
  return entries;
}

/**
 * The tests of a corpus, form by form; with `firstSeeds`, only that many first seeds of each
 * form (the CI sample) and optionally skipping `skipSeeds` first.
 */
export function corpusTests(
  generator: TestGenerator,
  entries: readonly CorpusEntry[],
  options: { firstSeeds?: number; skipSeeds?: number; forms?: (form: string) => boolean } = {},
): ConformanceTest[] {
  const skip = options.skipSeeds ?? 0;
  const tests: ConformanceTest[] = [];
  for (const e of entries) {
    if (options.forms && !options.forms(e.form)) continue;
    const seeds = e.seeds.slice(
      skip,
      options.firstSeeds === undefined ? undefined : skip + options.firstSeeds,
    );
    for (const seed of seeds) tests.push(generator.generate(e.form, seed));
  }
  return tests;
}
