/**
 * The report's tables: one row per figure, one column per peer with the median and the
 * min–max range of its runs, then the ratios of tsemu's median to QEMU's and v86's.
 */
import { summarize } from './stats.js';
import type { Measurement } from './trace.js';
import type { Figure, TableId, WorkloadId } from './workloads.js';

/** One run of one workload on one peer. */
export interface RunRecord {
  peer: string;
  workload: WorkloadId;
  /** 1-based. */
  run: number;
  /** The machine's busy share (0..1) in the sample just before the run. */
  busyBefore: number;
  figures: Figure[];
  results: Record<string, string>;
}

export interface PeerColumn {
  name: string;
  label: string;
}

/** The peer whose ratios the tables show, and the peers it is compared with. */
export const RATIO_PEER = 'tsemu';
export const RATIO_BASES = ['qemu', 'v86'] as const;

/** Seconds with two decimals below 10 s, one above: 4.52, 37.1. */
export function formatSeconds(seconds: number): string {
  return seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1);
}

/** A table cell for the runs' measurements of one figure on one peer. */
export function formatCell(values: readonly Measurement[]): string {
  if (values.length === 0) return '–';
  const seconds = values.flatMap((v) => ('seconds' in v ? [v.seconds] : []));
  const failures = values.flatMap((v) => ('failure' in v ? [v.failure] : []));
  const summary = summarize(seconds);
  if (summary === undefined) return mostCommon(failures);
  let text = formatSeconds(summary.median);
  if (summary.count > 1) {
    text += ` (${formatSeconds(summary.min)}–${formatSeconds(summary.max)})`;
  }
  if (failures.length > 0) {
    text += `; ${failures.length} of ${values.length} runs: ${mostCommon(failures)}`;
  }
  return text;
}

/** `a / b` of the medians as "1.23x", or "–" when either has no figure. */
export function formatRatio(a: readonly Measurement[], b: readonly Measurement[]): string {
  const median = (values: readonly Measurement[]) =>
    summarize(values.flatMap((v) => ('seconds' in v ? [v.seconds] : [])))?.median;
  const top = median(a);
  const bottom = median(b);
  if (top === undefined || bottom === undefined || bottom === 0) return '–';
  return `${(top / bottom).toFixed(2)}x`;
}

export function figureTable(
  records: readonly RunRecord[],
  table: TableId,
  rows: readonly string[],
  peers: readonly PeerColumn[],
): string {
  const valuesOf = (peer: string, row: string): Measurement[] =>
    records
      .filter((r) => r.peer === peer)
      .flatMap((r) => r.figures.filter((f) => f.table === table && f.row === row))
      .map((f) => f.value);
  const bases = RATIO_BASES.flatMap((name) => peers.filter((p) => p.name === name));
  const ratioLabel = peers.find((p) => p.name === RATIO_PEER)?.label ?? RATIO_PEER;
  const header = [
    'seconds',
    ...peers.map((p) => p.label),
    ...bases.map((b) => `${ratioLabel}/${b.label}`),
  ];
  const body = rows.map((row) => [
    row,
    ...peers.map((p) => formatCell(valuesOf(p.name, row))),
    ...bases.map((b) => formatRatio(valuesOf(RATIO_PEER, row), valuesOf(b.name, row))),
  ]);
  return markdownTable(header, body);
}

/**
 * A Markdown table with padded columns. By default the first column is left-aligned and the
 * rest (figures) right-aligned; `leftColumns` says how many columns hold text.
 */
export function markdownTable(
  header: readonly string[],
  rows: readonly string[][],
  leftColumns = 1,
): string {
  const escapePipes = (cell: string) => cell.replace(/\|/g, '\\|');
  const all = [header, ...rows].map((row) => row.map(escapePipes));
  const widths = header.map((_, i) => Math.max(3, ...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < leftColumns ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(all[0]), rule, ...all.slice(1).map(line)].join('\n');
}

function mostCommon(texts: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  let best = texts[0] ?? '–';
  for (const [text, count] of counts) if (count > (counts.get(best) ?? 0)) best = text;
  return best;
}
