/**
 * Reads a V8 CPU profile (`node --cpu-prof`'s .cpuprofile) and says where the time went:
 * self time per function, and per category (see categories.ts).
 */
import { categorize, type FrameInfo } from './categories.js';

export interface CallFrame {
  functionName: string;
  url: string;
  scriptId?: string | number;
  /** 0-based. */
  lineNumber: number;
  /** 0-based. */
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds. */
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds between one sample and the previous one (the first: since startTime). */
  timeDeltas?: number[];
}

/**
 * Maps a frame to its original source and 1-based line (through a source map), if known; a
 * line of undefined means the source is known but not the line.
 */
export type Locate = (frame: CallFrame) => { source: string; line?: number } | undefined;

export interface FunctionTime {
  name: string;
  /** "packages/tcg/src/i386/translate/translate.ts:123", or the URL and line. */
  where: string;
  category: string;
  selfMs: number;
}

export interface ProfileSummary {
  /** The profile's whole duration. */
  totalMs: number;
  /** Every function with self time, most first. */
  functions: FunctionTime[];
  /** Self time per category, most first. */
  categories: Array<{ name: string; selfMs: number }>;
}

/** Self time per node id in milliseconds, from the samples and their time deltas. */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const times = new Map<number, number>();
  const add = (id: number, ms: number) => times.set(id, (times.get(id) ?? 0) + ms);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    // A sample stands for the time until the next one; the last one, until the end.
    let at = profile.startTime;
    const stamps = deltas.map((delta) => {
      at += delta;
      return at;
    });
    for (let i = 0; i < samples.length; i++) {
      const next = i + 1 < stamps.length ? stamps[i + 1] : profile.endTime;
      add(samples[i], Math.max(0, next - stamps[i]) / 1000);
    }
    return times;
  }
  // No sample list: spread the duration over the hit counts.
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const perHit = hits === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / hits;
  for (const node of profile.nodes) if (node.hitCount) add(node.id, node.hitCount * perHit);
  return times;
}

export function summarizeProfile(
  profile: CpuProfile,
  options: { locate?: Locate } = {},
): ProfileSummary {
  const self = selfTimes(profile);
  const byFunction = new Map<string, FunctionTime>();
  for (const node of profile.nodes) {
    const ms = self.get(node.id);
    if (ms === undefined || ms === 0) continue;
    const frame = node.callFrame;
    const located = frame.url === '' ? undefined : options.locate?.(frame);
    const source = located?.source ?? frame.url;
    const line = located === undefined ? frame.lineNumber + 1 : located.line;
    const info: FrameInfo = { functionName: frame.functionName, url: frame.url, source };
    const category = categorize(info);
    const name = displayName(frame.functionName, category);
    const where = describeWhere(source, line, category);
    // Every TB is its own function: count them as one row, "tb_* (generated TBs)".
    const key = category.startsWith('generated') ? category : `${name}\u0000${where}`;
    const entry = byFunction.get(key) ?? { name, where, category, selfMs: 0 };
    entry.selfMs += ms;
    byFunction.set(key, entry);
  }
  const functions = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs);
  const categoryTimes = new Map<string, number>();
  for (const fn of functions) {
    categoryTimes.set(fn.category, (categoryTimes.get(fn.category) ?? 0) + fn.selfMs);
  }
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    functions,
    categories: [...categoryTimes]
      .map(([name, selfMs]) => ({ name, selfMs }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

function describeWhere(source: string, line: number | undefined, category: string): string {
  if (source === '') return category.startsWith('generated') ? '(generated)' : '(native)';
  return line === undefined ? source : `${source}:${line}`;
}

function displayName(functionName: string, category: string): string {
  if (category.startsWith('generated')) return 'tb_* (all translated blocks)';
  return functionName === '' ? '(anonymous)' : functionName;
}
