/**
 * Waits for the machine to be quiet before a run, from the CPU counters in /proc/stat: the
 * share of all cores' time that was busy over a short sample. On a shared machine it may
 * never be quiet; the wait then gives up after a time limit and the run goes ahead, with
 * the busy share recorded next to its figures.
 */

/** Cumulative CPU time over all cores, in the kernel's ticks. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** The first ("cpu ") line of /proc/stat: user nice system idle iowait irq softirq steal... */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no "cpu " line');
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
  const counted = fields.slice(0, 8);
  const total = counted.reduce((sum, value) => sum + value, 0);
  const idle = (counted[3] ?? 0) + (counted[4] ?? 0);
  return { busy: total - idle, total };
}

/** The busy share between two readings, from 0 (idle) to 1 (every core busy). */
export function busyShare(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  return total <= 0 ? 0 : (after.busy - before.busy) / total;
}

export interface IdleWaitOptions {
  /** Reads /proc/stat (a fake in tests). */
  readStat: () => Promise<string>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** The run may start once a sample is at most this busy (0..1). */
  maxBusy: number;
  sampleMs: number;
  timeoutMs: number;
}

export interface IdleWaitResult {
  /** Whether a quiet enough sample was seen before the time limit. */
  idle: boolean;
  /** The busy share of the last sample. */
  busy: number;
  waitedMs: number;
}

export async function waitForIdle(options: IdleWaitOptions): Promise<IdleWaitResult> {
  const start = options.now();
  let before = parseProcStat(await options.readStat());
  for (;;) {
    await options.sleep(options.sampleMs);
    const after = parseProcStat(await options.readStat());
    const busy = busyShare(before, after);
    const waitedMs = options.now() - start;
    if (busy <= options.maxBusy) return { idle: true, busy, waitedMs };
    if (waitedMs >= options.timeoutMs) return { idle: false, busy, waitedMs };
    before = after;
  }
}
