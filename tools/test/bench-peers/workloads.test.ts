import { describe, expect, it } from 'vitest';
import { type ConsoleLine, ConsoleLineSplitter } from '../../bench-peers/console-lines.js';
import type { GuestTrace } from '../../bench-peers/trace.js';
import { BOOT_WORKLOAD, CPU_WORKLOAD, type Figure } from '../../bench-peers/workloads.js';

const MARKER = 'TSEMU-INITRAMFS-READY';

function trace(lines: Array<[atMs: number, text: string]>, end: GuestTrace['end']): GuestTrace {
  return { lines: lines.map(([atMs, text]) => ({ atMs, text })), end, stderrTail: '' };
}

const exit0 = (atMs: number): GuestTrace['end'] => ({ kind: 'exit', atMs, code: 0, signal: null });
const value = (figures: Figure[], table: string, row: string) =>
  figures.find((f) => f.table === table && f.row === row)?.value;

describe('ConsoleLineSplitter', () => {
  it('stamps each line with the time its end arrived, without CR or terminal sequences', () => {
    const lines: ConsoleLine[] = [];
    const splitter = new ConsoleLineSplitter((line) => lines.push(line));
    splitter.push('[    0.0] Linux ver', 10);
    splitter.push('sion 6.1\r\nTSEMU-INITRAMFS-', 20);
    splitter.push('READY\r\n\x1b[6ntsemu:/# ', 30);
    splitter.flush(40);
    expect(lines).toEqual([
      { atMs: 20, text: '[    0.0] Linux version 6.1' },
      { atMs: 30, text: MARKER },
      { atMs: 40, text: 'tsemu:/# ' },
    ]);
  });
});

describe('the boot workload', () => {
  it('times the marker and the power-off line from the process start', () => {
    const outcome = BOOT_WORKLOAD.interpret(
      trace(
        [
          [900, 'SeaBIOS (version 1.16.2-debian-1.16.2-1)'],
          [4520, MARKER],
          [4600, 'tsemu:/# poweroff'],
          [5210, '[    6.101] reboot: Power down'],
        ],
        exit0(5230),
      ),
      MARKER,
    );
    expect(outcome.figures).toEqual([
      { table: 'boot', row: 'to marker', value: { seconds: 4.52 } },
      { table: 'boot', row: 'to poweroff', value: { seconds: 5.21 } },
    ]);
    expect(BOOT_WORKLOAD.inputAfterMarker).toBe('poweroff\n');
  });

  it('accepts a halt instead of a power-off (a machine without ACPI)', () => {
    const outcome = BOOT_WORKLOAD.interpret(
      trace(
        [
          [2000, MARKER],
          [3000, '[   9.1] reboot: System halted'],
        ],
        exit0(3100),
      ),
      MARKER,
    );
    expect(value(outcome.figures, 'boot', 'to poweroff')).toEqual({ seconds: 3 });
  });

  it('says why when the guest never got there', () => {
    const timeout = BOOT_WORKLOAD.interpret(trace([], { kind: 'timeout', atMs: 300_000 }), MARKER);
    expect(value(timeout.figures, 'boot', 'to marker')).toEqual({ failure: 'timeout' });
    const failed = BOOT_WORKLOAD.interpret(
      {
        lines: [],
        end: { kind: 'exit', atMs: 80, code: 1, signal: null },
        stderrTail: 'tsemu: -kernel: invalid option\n',
      },
      MARKER,
    );
    expect(value(failed.figures, 'boot', 'to poweroff')).toEqual({
      failure: 'exit 1: tsemu: -kernel: invalid option',
    });
    const missing = BOOT_WORKLOAD.interpret(
      trace([], { kind: 'spawn-error', atMs: 1, message: 'spawn qemu ENOENT' }),
      MARKER,
    );
    expect(value(missing.figures, 'boot', 'to marker')).toEqual({
      failure: 'cannot start: spawn qemu ENOENT',
    });
  });
});

describe('the CPU workload', () => {
  const lines: Array<[number, string]> = [
    [5000, MARKER],
    [5100, 'BENCH-BEGIN arith'],
    [5200, 'BENCH-RESULT arith 545003'],
    [7100, 'BENCH arith 1.98'],
    [8000, 'BENCH-BEGIN md5sum'],
    [8300, 'BENCH-RESULT md5sum 457298a36989d8c15b7a9de4c4f81f52'],
    [8400, 'BENCH md5sum 0.38'],
    [8500, 'BENCH-BEGIN sha256sum'],
    [9000, 'BENCH-FAIL sha256sum 127'],
  ];

  it('times each workload between its lines, and keeps the guest time and the checksums', () => {
    const outcome = CPU_WORKLOAD.interpret(
      trace(lines, { kind: 'timeout', atMs: 900_000 }),
      MARKER,
    );
    expect(value(outcome.figures, 'host', 'arith')).toEqual({ seconds: 2 });
    expect(value(outcome.figures, 'guest', 'arith')).toEqual({ seconds: 1.98 });
    expect(value(outcome.figures, 'host', 'md5sum')).toEqual({ seconds: 0.4 });
    expect(outcome.results).toEqual({
      arith: '545003',
      md5sum: '457298a36989d8c15b7a9de4c4f81f52',
    });
    // A workload that failed in the guest says so; the ones never reached say why.
    expect(value(outcome.figures, 'host', 'sha256sum')).toEqual({
      failure: 'failed in the guest (status 127)',
    });
    expect(value(outcome.figures, 'guest', 'gzip')).toEqual({ failure: 'timeout' });
    expect(value(outcome.figures, 'host', 'total')).toEqual({ failure: 'timeout' });
    expect(value(outcome.figures, 'guest', 'total')).toEqual({ failure: 'timeout' });
  });

  it('totals from the marker to BENCH-DONE on the host, and sums the guest times', () => {
    const names = ['arith', 'md5sum', 'sha256sum', 'gzip', 'gunzip', 'awk', 'sort'];
    const full: Array<[number, string]> = [[1000, MARKER]];
    names.forEach((name, i) => {
      full.push([2000 + i * 1000, `BENCH-BEGIN ${name}`]);
      full.push([2500 + i * 1000, `BENCH ${name} 0.50`]);
    });
    full.push([9000, 'BENCH-DONE'], [9500, 'reboot: Power down']);
    const outcome = CPU_WORKLOAD.interpret(trace(full, exit0(9600)), MARKER);
    expect(value(outcome.figures, 'host', 'sort')).toEqual({ seconds: 0.5 });
    expect(value(outcome.figures, 'host', 'total')).toEqual({ seconds: 8 });
    expect(value(outcome.figures, 'guest', 'total')).toEqual({ seconds: 3.5 });
  });
});
