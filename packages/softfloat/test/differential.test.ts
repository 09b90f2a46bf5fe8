/**
 * Bit-for-bit differential check against the host's x87 and SSE (test/oracle/oracle.c,
 * compiled with gcc at test time): results, exception flags and condition codes, for
 * operands biased to the edges, in every rounding mode, x87 precision, FTZ/DAZ setting.
 *
 * Each operation is a fast-check property over a batch of cases: one property run is one
 * batch, answered by one oracle process. CI runs one batch of SOFTFLOAT_CASES (1000 by
 * default) per operation with a fresh seed; `pnpm --filter @tsemu/softfloat test:full`
 * runs 20 000. A failure prints the seed (SOFTFLOAT_SEED=<seed> repeats it) and the
 * mismatching cases with both answers.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { caseArbitrary, compareCases } from './oracle/differential.js';
import { ORACLE_OPS } from './oracle/ops.js';

const full = process.env.SOFTFLOAT_FULL === '1';
const perBatch = Number(process.env.SOFTFLOAT_CASES ?? (full ? 20000 : 1000));
const seed = Number(process.env.SOFTFLOAT_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe(`host differential (seed ${seed}, ${perBatch} cases per op)`, () => {
  ORACLE_OPS.forEach((op, index) => {
    const claim = op.close
      ? 'is within 1 ulp of the host, same flags'
      : 'matches the host bit for bit';
    it(`${op.name} ${claim}`, () => {
      const batch = fc.array(caseArbitrary(op), { minLength: perBatch, maxLength: perBatch });
      fc.assert(
        fc.property(batch, (lines) => {
          const mismatches = compareCases(op, lines).filter((m) => !m.tolerated);
          if (mismatches.length > 0) {
            const report = mismatches
              .slice(0, 5)
              .map((m) => `${m.input}\n  host ${m.host}\n  ours ${m.ours}`)
              .join('\n');
            throw new Error(`${mismatches.length} of ${lines.length} cases differ:\n${report}`);
          }
        }),
        // Every mismatching case is printed with its operands: no shrinking needed.
        { numRuns: 1, seed: seed + index, endOnFailure: true },
      );
    });
  });
});
