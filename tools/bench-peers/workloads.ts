/**
 * The two workloads every peer runs (issue 12), and how a run's console trace turns into
 * figures. Both boot the same kernel with `console=ttyS0` and 256 MiB; they differ in the
 * initramfs and in what happens after the marker.
 */
import type { ConsoleLine } from './console-lines.js';
import { BENCH_DONE, CPU_WORKLOADS } from './guest-script.js';
import { describeEnd, type GuestTrace, type Measurement } from './trace.js';

/** The tables of the report: boot times, CPU workloads as the host saw them, as the guest did. */
export type TableId = 'boot' | 'host' | 'guest';

export interface Figure {
  table: TableId;
  row: string;
  value: Measurement;
}

export interface WorkloadOutcome {
  figures: Figure[];
  /** The guest's `BENCH-RESULT` values (checksums), by name. */
  results: Record<string, string>;
}

export type WorkloadId = 'boot' | 'cpu';

export interface Workload {
  id: WorkloadId;
  /** Which initramfs it boots: the guest-image tool's own, or the benchmark one. */
  image: 'standard' | 'bench';
  /** The time limit of one run when the command line sets none. */
  defaultTimeoutSeconds: number;
  /** Typed on the serial console once the marker line is seen. */
  inputAfterMarker?: string;
  interpret(trace: GuestTrace, marker: string): WorkloadOutcome;
}

/**
 * The kernel's last line before it powers the machine off ("Power down", through ACPI) or
 * halts it (machines without ACPI power management, such as v86 without its `acpi` option).
 */
export const POWER_OFF_LINE = /reboot: (Power down|System halted)/;

/** The rows of the boot table. */
export const BOOT_ROWS = ['to marker', 'to poweroff'] as const;
/** The rows of the CPU tables: each workload, then the whole set. */
export const CPU_ROWS = [...CPU_WORKLOADS.map((w) => w.name), 'total'] as const;

/**
 * Workload 1: boot the standard initramfs to its marker, type `poweroff` at the shell, and
 * wait for the kernel's power-off line. Times are from the emulator process's start.
 */
export const BOOT_WORKLOAD: Workload = {
  id: 'boot',
  image: 'standard',
  defaultTimeoutSeconds: 300,
  inputAfterMarker: 'poweroff\n',
  interpret(trace, marker) {
    const markerLine = findLine(trace.lines, (text) => text.includes(marker));
    const offLine = markerLine && findLine(trace.lines, (text) => POWER_OFF_LINE.test(text));
    return {
      figures: [
        { table: 'boot', row: 'to marker', value: timeOf(markerLine, trace) },
        { table: 'boot', row: 'to poweroff', value: timeOf(offLine, trace) },
      ],
      results: {},
    };
  },
};

/**
 * Workload 2: boot the benchmark initramfs, whose init runs the CPU workloads after the
 * marker and powers off. Each workload is timed by the guest and, between its two lines, by
 * the host; "total" is from the marker to the last workload's end.
 */
export const CPU_WORKLOAD: Workload = {
  id: 'cpu',
  image: 'bench',
  defaultTimeoutSeconds: 900,
  interpret(trace, marker) {
    const figures: Figure[] = [];
    const results: Record<string, string> = {};
    const begins = new Map<string, number>();
    const ends = new Map<string, { atMs: number; guestSeconds: number }>();
    const fails = new Map<string, string>();
    let markerAt: number | undefined;
    let doneAt: number | undefined;
    for (const line of trace.lines) {
      const text = line.text.trim();
      if (markerAt === undefined && text.includes(marker)) markerAt = line.atMs;
      const begin = /^BENCH-BEGIN (\S+)$/.exec(text);
      if (begin) begins.set(begin[1], line.atMs);
      const end = /^BENCH (\S+) (\d+(?:\.\d+)?)$/.exec(text);
      if (end) ends.set(end[1], { atMs: line.atMs, guestSeconds: Number(end[2]) });
      const fail = /^BENCH-FAIL (\S+) (\d+)$/.exec(text);
      if (fail) fails.set(fail[1], `failed in the guest (status ${fail[2]})`);
      const result = /^BENCH-RESULT (\S+) (\S+)$/.exec(text);
      if (result) results[result[1]] = result[2];
      if (text === BENCH_DONE) doneAt = line.atMs;
    }
    const missing = (name: string): Measurement => ({
      failure: fails.get(name) ?? describeEnd(trace),
    });
    let guestTotal: number | undefined = 0;
    for (const { name } of CPU_WORKLOADS) {
      const begin = begins.get(name);
      const end = ends.get(name);
      if (begin === undefined || end === undefined) {
        figures.push({ table: 'host', row: name, value: missing(name) });
        figures.push({ table: 'guest', row: name, value: missing(name) });
        guestTotal = undefined;
        continue;
      }
      figures.push({ table: 'host', row: name, value: { seconds: (end.atMs - begin) / 1000 } });
      figures.push({ table: 'guest', row: name, value: { seconds: end.guestSeconds } });
      if (guestTotal !== undefined) guestTotal += end.guestSeconds;
    }
    const hostTotal: Measurement =
      markerAt !== undefined && doneAt !== undefined
        ? { seconds: (doneAt - markerAt) / 1000 }
        : { failure: describeEnd(trace) };
    figures.push({ table: 'host', row: 'total', value: hostTotal });
    figures.push({
      table: 'guest',
      row: 'total',
      value: guestTotal === undefined ? { failure: describeEnd(trace) } : { seconds: guestTotal },
    });
    return { figures, results };
  },
};

export const WORKLOADS: readonly Workload[] = [BOOT_WORKLOAD, CPU_WORKLOAD];

function findLine(
  lines: readonly ConsoleLine[],
  test: (text: string) => boolean,
): ConsoleLine | undefined {
  return lines.find((line) => test(line.text));
}

function timeOf(line: ConsoleLine | undefined, trace: GuestTrace): Measurement {
  return line === undefined ? { failure: describeEnd(trace) } : { seconds: line.atMs / 1000 };
}
