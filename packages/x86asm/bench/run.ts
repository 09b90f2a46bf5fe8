/**
 * Assembler throughput on the GNU as corpus (test/golden/gas-32.txt).
 *   pnpm --filter @tsemu/x86asm bench
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const lines = readFileSync(join(here, '../test/golden/gas-32.txt'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.slice(l.indexOf('\t') + 1));
const source = ['__far_back:', ...lines, '__far_fwd:'].join('\n');

let best = 0;
for (let round = 0; round < 5; round++) {
  const start = performance.now();
  const program = assemble(source);
  const ms = performance.now() - start;
  best = Math.max(best, lines.length / ms);
  if (round === 0) console.log(`corpus: ${lines.length} lines, ${program.bytes.length} bytes`);
}
console.log(`assemble: ${(best * 1000).toFixed(0)} lines/s (best of 5, whole corpus per run)`);
