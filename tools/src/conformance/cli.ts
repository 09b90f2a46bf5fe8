/**
 * `pnpm conformance [--per-form N] [--seed S] [--form NAME]`: generates the corpus, runs it
 * on the host CPU and, until tsemu's target exists, a second time on the host (a
 * determinism self-check), then prints a table per instruction group. With --form and
 * --seed it replays one test and prints it. Exits 1 on any mismatch or if the host cannot
 * run i386 programs (one line saying so).
 */
import { compareRuns, formatMismatch } from './compare.js';
import { TestGenerator } from './generator.js';
import { checkHostSupport, NativeTarget } from './native-target.js';

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: readonly string[]): Promise<number> {
  const support = await checkHostSupport();
  if (!support.ok) {
    process.stderr.write(`conformance: ${support.reason}\n`);
    return 1;
  }
  const generator = new TestGenerator();
  const form = option(args, '--form');
  const seed = Number(option(args, '--seed') ?? 1);
  const perForm = Number(option(args, '--per-form') ?? 20);
  const tests = form ? [generator.generate(form, seed)] : generator.corpus(perForm, seed);
  const target = new NativeTarget();
  const expected = await target.run(tests);
  const actual = await new NativeTarget({ batchSize: 1500 }).run(tests);
  const mismatches = compareRuns(tests, expected, actual);
  if (form)
    process.stdout.write(
      `${JSON.stringify({ test: tests[0]?.source, dump: expected[0] }, null, 1)}\n`,
    );
  const rows = new Map<string, { tests: number; failed: number }>();
  for (const t of tests) {
    const row = rows.get(t.group) ?? { tests: 0, failed: 0 };
    row.tests++;
    rows.set(t.group, row);
  }
  for (const m of mismatches) (rows.get(m.test.group) as { failed: number }).failed++;
  process.stdout.write('| group | tests | passed | failed |\n|---|---:|---:|---:|\n');
  for (const [group, row] of [...rows].sort()) {
    process.stdout.write(
      `| ${group} | ${row.tests} | ${row.tests - row.failed} | ${row.failed} |\n`,
    );
  }
  for (const m of mismatches.slice(0, 20))
    process.stdout.write(
      `${formatMismatch(m, { expected: 'native', actual: 'native (2nd run)' })}\n`,
    );
  return mismatches.length === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
