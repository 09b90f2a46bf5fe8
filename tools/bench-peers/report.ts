/**
 * The report: `tools/bench-peers/RESULTS.md` (tables, machine, versions, command), copied with
 * `PROFILE.md` (tsemu's profile, when one was made) into BENCHMARKS.md between two markers.
 * tools/workspace/collect-benchmarks.mjs, which rebuilds BENCHMARKS.md, puts the same two
 * files between the same markers.
 */
import { CPU_WORKLOADS } from './guest-script.js';
import type { MachineInfo } from './machine-info.js';
import { figureTable, type PeerColumn, type RunRecord } from './table.js';
import { BOOT_ROWS, CPU_ROWS, type WorkloadId } from './workloads.js';

export const PEERS_SECTION_START = '<!-- peers:start -->';
export const PEERS_SECTION_END = '<!-- peers:end -->';

export interface ReportInput {
  date: string;
  /** The command as a person would type it. */
  command: string;
  machine: MachineInfo;
  peers: ReadonlyArray<PeerColumn & { version: string }>;
  /** Peers that could not be installed or started, with the reason. */
  unavailable: ReadonlyArray<PeerColumn & { reason: string }>;
  guest: { kernel: string; busybox: string; append: string; memoryMiB: number };
  workloads: readonly WorkloadId[];
  runs: number;
  idle: { maxBusy: number; timeoutSeconds: number };
  records: readonly RunRecord[];
}

export function renderResults(input: ReportInput): string {
  const columns: PeerColumn[] = [...input.peers, ...input.unavailable];
  const records = [...input.records, ...unavailableRecords(input)];
  const out: string[] = [];
  out.push('# tsemu against QEMU and v86 (tools/bench-peers)', '');
  out.push(`Command: \`${input.command}\``, '');
  const m = input.machine;
  out.push(
    `Date: ${input.date}. Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; ` +
      `Node ${m.node}; tsemu commit ${m.tsemuCommit}. Load average at the start: ${m.loadAverage}.`,
    '',
  );
  out.push('Peers:', '');
  for (const peer of input.peers) out.push(`- ${peer.label}: ${peer.version}`);
  for (const peer of input.unavailable) out.push(`- ${peer.label}: not run (${peer.reason})`);
  out.push('');
  out.push(
    `Guest: ${input.guest.kernel}, ${input.guest.busybox}, kernel command line ` +
      `\`${input.guest.append}\`, ${input.guest.memoryMiB} MiB; the initramfs of the guest-image ` +
      'tool for the boot, `initramfs-bench.cpio.gz` (same /init and marker, then the CPU ' +
      'workloads and poweroff) for the CPU workloads.',
    '',
  );
  out.push(describeRuns(input), '');
  if (input.workloads.includes('boot')) {
    out.push('## Boot to shell', '');
    out.push(
      'Wall time from the emulator process start to the marker line `TSEMU-INITRAMFS-READY` ' +
        "on the serial console, and to the kernel's last line after `poweroff` is typed at the " +
        'shell ("reboot: Power down", or "reboot: System halted" where the machine has no ' +
        'ACPI power-off).',
      '',
    );
    out.push(figureTable(records, 'boot', BOOT_ROWS, columns), '');
  }
  if (input.workloads.includes('cpu')) {
    out.push('## In-guest CPU workloads', '');
    out.push(
      CPU_WORKLOADS.map((w) => `\`${w.name}\`: ${w.what}`).join('; ') +
        '. "total" is from the marker to the end of the last workload.',
      '',
    );
    out.push('Timed by the host (between the lines the guest prints before and after):', '');
    out.push(figureTable(records, 'host', CPU_ROWS, columns), '');
    out.push('Timed by the guest (/proc/uptime, 10 ms steps; "total" is their sum):', '');
    out.push(figureTable(records, 'guest', CPU_ROWS, columns), '');
    out.push(checksumAgreement(input.records, input.peers), '');
  }
  out.push(
    'Cells are the median of the runs in seconds with the min–max range in parentheses; a ' +
      'cell with a reason instead of a figure is a run that failed that way. The machine is ' +
      'shared with other jobs, so figures move between runs: compare peers within one run ' +
      'of the harness, not across runs.',
  );
  return `${out.join('\n')}\n`;
}

function describeRuns(input: ReportInput): string {
  const busy = input.records.map((r) => r.busyBefore * 100);
  const busyRuns = input.records.filter((r) => r.busyBefore > input.idle.maxBusy).length;
  const range =
    busy.length === 0
      ? ''
      : ` The busy share of the machine just before each run was ${Math.min(...busy).toFixed(0)}–${Math.max(...busy).toFixed(0)} %` +
        (busyRuns > 0
          ? ` (${busyRuns} of ${busy.length} runs started on a machine busier than the limit).`
          : '.');
  return (
    `Runs: ${input.runs} per peer and workload, peers alternating (the order rotates every round). ` +
    `Before each run the harness waited up to ${input.idle.timeoutSeconds} s for a 1-second ` +
    `sample with at most ${(input.idle.maxBusy * 100).toFixed(0)} % of the machine's CPU time busy.` +
    range
  );
}

/** Whether every peer's guest computed the same checksums. */
function checksumAgreement(records: readonly RunRecord[], peers: readonly PeerColumn[]): string {
  const byName = new Map<string, Map<string, Set<string>>>();
  for (const record of records) {
    if (record.workload !== 'cpu') continue;
    for (const [name, value] of Object.entries(record.results)) {
      const values = byName.get(name) ?? new Map<string, Set<string>>();
      byName.set(name, values);
      const set = values.get(value) ?? new Set<string>();
      values.set(value, set);
      set.add(record.peer);
    }
  }
  if (byName.size === 0) return 'Results: no run printed its checksums.';
  const label = (name: string) => peers.find((p) => p.name === name)?.label ?? name;
  const differing = [...byName].filter(([, values]) => values.size > 1);
  if (differing.length === 0) {
    return `Results: every run that printed them computed the same checksums (${[...byName.keys()].join(', ')}).`;
  }
  return `Results: the guests disagree on ${differing
    .map(
      ([name, values]) =>
        `${name} (${[...values].map(([value, who]) => `${[...who].map(label).join(', ')}: ${value}`).join('; ')})`,
    )
    .join(', ')}.`;
}

/** A peer that could not run shows its reason in every cell. */
function unavailableRecords(input: ReportInput): RunRecord[] {
  return input.unavailable.flatMap((peer) =>
    input.workloads.map((workload) => ({
      peer: peer.name,
      workload,
      run: 1,
      busyBefore: 0,
      results: {},
      figures: [
        ...(['boot', 'host', 'guest'] as const).flatMap((table) =>
          (table === 'boot' ? BOOT_ROWS : CPU_ROWS).map((row) => ({
            table,
            row,
            value: { failure: peer.reason },
          })),
        ),
      ],
    })),
  );
}

/** Moves every heading one level down, so that the file sits under BENCHMARKS.md's title. */
export function demoteHeadings(markdown: string): string {
  return markdown.replace(/^(#+) /gm, '#$1 ');
}

/** The BENCHMARKS.md section made of RESULTS.md and, when there is one, PROFILE.md. */
export function benchmarksSection(results: string, profile: string | undefined): string {
  const parts = [demoteHeadings(results).trim()];
  if (profile !== undefined) parts.push(demoteHeadings(profile).trim());
  return `${PEERS_SECTION_START}\n${parts.join('\n\n')}\n${PEERS_SECTION_END}\n`;
}

/**
 * Puts `section` into BENCHMARKS.md: in place of the previous one between the markers, or
 * else before the first package section (the first "## " heading), or else at the end.
 */
export function spliceSection(document: string, section: string): string {
  const start = document.indexOf(PEERS_SECTION_START);
  const end = document.indexOf(PEERS_SECTION_END);
  if (start >= 0 && end > start) {
    let after = end + PEERS_SECTION_END.length;
    if (document[after] === '\n') after += 1;
    return document.slice(0, start) + section + document.slice(after);
  }
  const firstSection = document.search(/^## /m);
  if (firstSection >= 0) {
    return `${document.slice(0, firstSection)}${section}\n${document.slice(firstSection)}`;
  }
  return `${document.trimEnd()}\n\n${section}`;
}
