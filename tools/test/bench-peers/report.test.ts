import { describe, expect, it } from 'vitest';
import {
  benchmarksSection,
  PEERS_SECTION_END,
  PEERS_SECTION_START,
  type ReportInput,
  renderResults,
  spliceSection,
} from '../../bench-peers/report.js';

const header = '# Benchmarks\n\nFigures from each package.\n';
const packages = '## @tsemu/block\n\nfigures\n';

describe('spliceSection', () => {
  const section = `${PEERS_SECTION_START}\n## tsemu against QEMU and v86\n${PEERS_SECTION_END}\n`;

  it('puts the section before the first package section the first time', () => {
    expect(spliceSection(`${header}\n${packages}`, section)).toBe(
      `${header}\n${section}\n${packages}`,
    );
  });

  it('replaces the previous section in place', () => {
    const old = `${header}\n${PEERS_SECTION_START}\nold\n${PEERS_SECTION_END}\n\n${packages}`;
    expect(spliceSection(old, section)).toBe(`${header}\n${section}\n${packages}`);
  });

  it('appends to a document without sections', () => {
    expect(spliceSection(header, section)).toBe(`${header}\n${section}`);
  });
});

describe('benchmarksSection', () => {
  it('demotes the files’ headings one level and keeps them between the markers', () => {
    expect(benchmarksSection('# Peers\n\n## Boot\n', '# Profile\n')).toBe(
      `${PEERS_SECTION_START}\n## Peers\n\n### Boot\n\n## Profile\n${PEERS_SECTION_END}\n`,
    );
  });
});

describe('renderResults', () => {
  const input: ReportInput = {
    date: '2026-11-23',
    command: 'pnpm bench:peers --peers qemu,tsemu --runs 1 --workloads boot',
    machine: {
      cpuModel: 'AMD EPYC 7B13',
      cores: 2,
      memoryGiB: 24,
      os: 'Linux 6.1.0',
      node: 'v20.20.2',
      tsemuCommit: 'abc1234',
      loadAverage: '0.50 0.40 0.30',
    },
    peers: [{ name: 'qemu', label: 'QEMU', version: 'QEMU 7.2.22 (Debian 1:7.2+dfsg-7)' }],
    unavailable: [{ name: 'tsemu', label: 'tsemu', reason: 'apps/cli/dist/tsemu.mjs is missing' }],
    guest: {
      kernel: 'linux-image-6.1.0-50-686-unsigned 6.1.176-1',
      busybox: 'busybox-static 1:1.35.0-4',
      append: 'console=ttyS0',
      memoryMiB: 256,
    },
    workloads: ['boot'],
    runs: 1,
    idle: { maxBusy: 0.25, timeoutSeconds: 30 },
    records: [
      {
        peer: 'qemu',
        workload: 'boot',
        run: 1,
        busyBefore: 0.4,
        results: {},
        figures: [
          { table: 'boot', row: 'to marker', value: { seconds: 4.5 } },
          { table: 'boot', row: 'to poweroff', value: { seconds: 5.25 } },
        ],
      },
    ],
  };
  const text = renderResults(input);

  it('names the command, the machine and the versions', () => {
    expect(text).toContain(
      'Command: `pnpm bench:peers --peers qemu,tsemu --runs 1 --workloads boot`',
    );
    expect(text).toContain('AMD EPYC 7B13, 2 cores');
    expect(text).toContain('tsemu commit abc1234');
    expect(text).toContain('- QEMU: QEMU 7.2.22 (Debian 1:7.2+dfsg-7)');
    expect(text).toContain('- tsemu: not run (apps/cli/dist/tsemu.mjs is missing)');
    expect(text).toContain('(1 of 1 runs started on a machine busier than the limit)');
  });

  it('shows a peer that could not run with its reason in its cells', () => {
    expect(text).toMatch(
      /\| to marker +\| +4\.50 \| apps\/cli\/dist\/tsemu\.mjs is missing \| +– \|/,
    );
    expect(text).not.toContain('In-guest CPU workloads');
  });
});
