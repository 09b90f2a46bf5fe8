/**
 * `pnpm --filter @tsemu/tools conformance [options]`: runs conformance tests on the host
 * processor and on tsemu, compares them, and prints a table per instruction group.
 *
 *   --all                the committed corpus (tools/conformance/corpus.txt); also rewrites
 *                        the report in docs/conformance.md (unless --no-report)
 *   --per-form N         N seeds of every form, from --seed S (default: 20 from 1)
 *   --group G            only the forms of group G (repeatable, or comma-separated)
 *   --form NAME --seed S replay one test: its code, initial state and both final states
 *   --backend B          tsemu's JIT backend: js (default), interpreter, tiered
 *   --write-corpus       regenerate tools/conformance/corpus.txt and exit
 *
 * Exits 0 when the mismatches are exactly the known failures (known-failures.ts), 1 on any
 * other mismatch, on a known failure that passed, or when the host cannot run i386 programs
 * (one line says so: the suite is skipped, never passed).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { BackendKind } from '@tsemu/tcg';
import { compareDumps, compareRuns, formatMismatch } from './compare.js';
import {
  CORPUS_PATH,
  corpusSize,
  corpusTests,
  formatCorpus,
  parseCorpus,
  planCorpus,
} from './corpus.js';
import { TestGenerator } from './generator.js';
import { classifyMismatches } from './known-failures.js';
import { checkHostSupport, NativeTarget } from './native-target.js';
import {
  formatFailures,
  formatReport,
  formatTable,
  REPORT_PATH,
  replaceReportSection,
  summarize,
} from './report.js';
import type { ConformanceTest } from './state.js';
import { TsemuTarget } from './tsemu-target.js';

interface Options {
  readonly all: boolean;
  readonly report: boolean;
  readonly perForm: number;
  readonly seed: number;
  readonly groups: readonly string[];
  readonly form: string | undefined;
  readonly backend: BackendKind;
  readonly writeCorpus: boolean;
}

function parseOptions(args: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = args.lastIndexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined) throw new Error(`${name} needs a value`);
    return v;
  };
  const flags = new Set(['--all', '--no-report', '--write-corpus']);
  const withValue = new Set(['--per-form', '--seed', '--group', '--form', '--backend']);
  args.forEach((a, i) => {
    if (a.startsWith('--') && !flags.has(a) && !withValue.has(a))
      throw new Error(`unknown option ${a}`);
    if (!a.startsWith('--') && !withValue.has(args[i - 1] ?? ''))
      throw new Error(`unexpected argument '${a}'`);
  });
  const number = (name: string, fallback: number) => {
    const v = value(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} needs a non-negative integer`);
    return n;
  };
  const backend = value('--backend') ?? 'js';
  if (!['js', 'interpreter', 'tiered'].includes(backend))
    throw new Error(`unknown backend '${backend}'`);
  const groups = args.flatMap((a, i) => (args[i - 1] === '--group' ? a.split(',') : []));
  return {
    all: args.includes('--all'),
    report: !args.includes('--no-report'),
    perForm: number('--per-form', 20),
    seed: number('--seed', 1),
    groups,
    form: value('--form'),
    backend: backend as BackendKind,
    writeCorpus: args.includes('--write-corpus'),
  };
}

async function hostCpuName(): Promise<string> {
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function replay(generator: TestGenerator, options: Options, form: string): Promise<number> {
  const test = generator.generate(form, options.seed);
  const [expected] = await new NativeTarget().run([test]);
  const [actual] = await new TsemuTarget({ backend: options.backend }).run([test]);
  if (!expected || !actual) throw new Error('no dump');
  const differences = compareDumps(test, expected, actual);
  process.stdout.write(`${formatMismatch({ test, expected, actual, differences })}\n`);
  process.stdout.write(differences.length === 0 ? 'the host and tsemu agree\n' : '');
  return differences.length === 0 ? 0 : 1;
}

async function main(args: readonly string[]): Promise<number> {
  const options = parseOptions(args);
  const generator = new TestGenerator();
  if (options.writeCorpus) {
    const entries = planCorpus(generator);
    await writeFile(CORPUS_PATH, formatCorpus(entries));
    process.stdout.write(
      `wrote ${CORPUS_PATH}: ${entries.length} forms, ${corpusSize(entries)} tests\n`,
    );
    return 0;
  }
  const support = await checkHostSupport();
  if (!support.ok) {
    process.stderr.write(
      `conformance: skipped, this host cannot run i386 programs: ${support.reason}\n`,
    );
    return 1;
  }
  if (options.form !== undefined) return replay(generator, options, options.form);

  const inGroups = (form: string) =>
    options.groups.length === 0 || options.groups.includes(generator.form(form).group);
  let tests: ConformanceTest[];
  if (options.all) {
    tests = corpusTests(generator, parseCorpus(await readFile(CORPUS_PATH, 'utf8')), {
      forms: inGroups,
    });
  } else {
    const forms = [...generator.forms.keys()].filter(inGroups);
    tests = generator.corpus(options.perForm, options.seed, forms);
  }
  if (tests.length === 0) throw new Error('no tests selected');
  process.stdout.write(`${tests.length} tests; running on the host...\n`);
  let start = performance.now();
  const expected = await new NativeTarget().run(tests);
  const nativeMs = performance.now() - start;
  process.stdout.write(`host: ${seconds(nativeMs)}; running on tsemu (${options.backend})...\n`);
  start = performance.now();
  const actual = await new TsemuTarget({ backend: options.backend }).run(tests);
  const tsemuMs = performance.now() - start;
  process.stdout.write(`tsemu: ${seconds(tsemuMs)}\n\n`);

  const complete = options.all && options.groups.length === 0;
  const classification = classifyMismatches(
    tests,
    compareRuns(tests, expected, actual),
    undefined,
    { complete },
  );
  const rows = summarize(tests, classification);
  process.stdout.write(`${formatTable(rows)}\n\n${formatFailures(classification)}\n`);
  const shown = classification.unexpected.slice(0, 30);
  for (const m of shown) process.stdout.write(`\n${formatMismatch(m)}\n`);
  if (classification.unexpected.length > shown.length)
    process.stdout.write(
      `\n... and ${classification.unexpected.length - shown.length} more mismatches\n`,
    );

  if (complete && options.report) {
    const section = formatReport(rows, classification, {
      date: new Date().toISOString().slice(0, 10),
      hostCpu: await hostCpuName(),
      command: 'pnpm conformance',
      backend: options.backend,
      nativeMs,
      tsemuMs,
    });
    const doc = await readFile(REPORT_PATH, 'utf8');
    await writeFile(REPORT_PATH, replaceReportSection(doc, section));
    process.stdout.write(`\nwrote the report to ${REPORT_PATH}\n`);
  }
  return classification.unexpected.length === 0 && classification.stale.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`conformance: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
