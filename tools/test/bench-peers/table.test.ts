import { describe, expect, it } from 'vitest';
import {
  figureTable,
  formatCell,
  formatRatio,
  markdownTable,
  type RunRecord,
} from '../../bench-peers/table.js';
import type { Measurement } from '../../bench-peers/trace.js';

const s = (seconds: number): Measurement => ({ seconds });

describe('formatCell', () => {
  it('shows the median and the min–max range of several runs', () => {
    expect(formatCell([s(4.61), s(4.4), s(5.05)])).toBe('4.61 (4.40–5.05)');
    expect(formatCell([s(37.14), s(12.3)])).toBe('24.7 (12.3–37.1)');
  });

  it('shows one run alone, a failure as its reason, and counts partial failures', () => {
    expect(formatCell([s(9.123)])).toBe('9.12');
    expect(formatCell([{ failure: 'timeout' }, { failure: 'timeout' }])).toBe('timeout');
    expect(formatCell([s(3), { failure: 'timeout' }, s(5)])).toBe(
      '4.00 (3.00–5.00); 1 of 3 runs: timeout',
    );
    expect(formatCell([])).toBe('–');
  });
});

describe('formatRatio', () => {
  it('divides the medians, and has no ratio without a figure on both sides', () => {
    expect(formatRatio([s(6), s(7), s(5)], [s(4)])).toBe('1.50x');
    expect(formatRatio([{ failure: 'exit 1' }], [s(4)])).toBe('–');
    expect(formatRatio([s(1)], [])).toBe('–');
  });
});

describe('figureTable', () => {
  const record = (peer: string, run: number, marker: Measurement): RunRecord => ({
    peer,
    workload: 'boot',
    run,
    busyBefore: 0.1,
    results: {},
    figures: [{ table: 'boot', row: 'to marker', value: marker }],
  });

  it('has a column per peer and the tsemu/QEMU and tsemu/v86 ratios', () => {
    const records = [
      record('qemu', 1, s(4)),
      record('qemu', 2, s(5)),
      record('v86', 1, s(10)),
      record('tsemu', 1, s(6)),
      record('tsemu', 2, s(8)),
    ];
    const peers = [
      { name: 'qemu', label: 'QEMU' },
      { name: 'v86', label: 'v86' },
      { name: 'tsemu', label: 'tsemu' },
    ];
    expect(figureTable(records, 'boot', ['to marker', 'to poweroff'], peers)).toBe(
      [
        '| seconds     |             QEMU |  v86 |            tsemu | tsemu/QEMU | tsemu/v86 |',
        '| ----------- | ---------------: | ---: | ---------------: | ---------: | --------: |',
        '| to marker   | 4.50 (4.00–5.00) | 10.0 | 7.00 (6.00–8.00) |      1.56x |     0.70x |',
        '| to poweroff |                – |    – |                – |          – |         – |',
      ].join('\n'),
    );
  });

  it('escapes a | in a failure reason', () => {
    expect(markdownTable(['a', 'b'], [['x', 'exit 1: a|b']])).toContain('exit 1: a\\|b');
  });
});
