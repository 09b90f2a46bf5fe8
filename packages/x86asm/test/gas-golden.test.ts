/**
 * Every line of the instruction corpus must assemble to the bytes GNU as
 * produces (test/golden/gas-*.txt, written by scripts/gen-golden.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAR_PADDING } from '../scripts/corpus.js';
import { assemble } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

function readGolden(bits: 16 | 32): { hex: string; source: string }[] {
  const text = readFileSync(join(here, `golden/gas-${bits}.txt`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const tab = l.indexOf('\t');
      return { hex: l.slice(0, tab), source: l.slice(tab + 1) };
    });
}

describe.each([16, 32] as const)('bits %i corpus against GNU as', (bits) => {
  const golden = readGolden(bits);
  const source = [
    `bits ${bits}`,
    '__far_back:',
    `times ${FAR_PADDING} nop`,
    ...golden.flatMap((g, i) => [`__c${i}:`, g.source]),
    `__c${golden.length}:`,
    `times ${FAR_PADDING} nop`,
    '__far_fwd:',
  ].join('\n');
  const program = assemble(source);

  it('has a large corpus', () => {
    expect(golden.length).toBeGreaterThan(5000);
  });

  it('assembles every line to the same bytes', () => {
    const mismatches: string[] = [];
    golden.forEach((g, i) => {
      const start = program.symbol(`__c${i}`);
      const end = program.symbol(`__c${i + 1}`);
      const ours = Buffer.from(program.bytes.subarray(start, end)).toString('hex');
      if (ours !== g.hex) mismatches.push(`${g.source}: ours ${ours}, GNU as ${g.hex}`);
    });
    expect(mismatches.slice(0, 40)).toEqual([]);
  });
});
