/**
 * Developer tool: `npx tsx test/oracle/dev-run.ts [op...] [--count N] [--seed S]` runs
 * the differential check and prints the first mismatches of each op.
 */
import { compareCases, generateCases } from './differential.js';
import { ORACLE_OPS, oracleOp } from './ops.js';

const args = process.argv.slice(2);
let count = 5000;
let seed = Date.now() % 100000;
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--count') count = Number(args[++i]);
  else if (args[i] === '--seed') seed = Number(args[++i]);
  else names.push(args[i]);
}
const ops = names.length ? names.map(oracleOp) : ORACLE_OPS;
for (const op of ops) {
  const lines = generateCases(op, count, seed);
  const all = compareCases(op, lines);
  const mismatches = all.filter((m) => !m.tolerated);
  const tolerated = all.filter((m) => m.tolerated);
  const resultsDiffer = tolerated.filter(
    (m) => m.ours.split(' ').slice(0, -1).join() !== m.host.split(' ').slice(0, -1).join(),
  );
  console.log(
    `${op.name}: ${mismatches.length} / ${lines.length} differ; within tolerance: ${resultsDiffer.length} results 1 ulp off, ${tolerated.length - resultsDiffer.length} only C1 (seed ${seed})`,
  );
  for (const m of mismatches.slice(0, 8)) {
    console.log(`  ${m.input}\n    host ${m.host}\n    ours ${m.ours}`);
  }
}
