/** What one emulator run left behind: its console lines with times, and how it ended. */
import type { ConsoleLine } from './console-lines.js';

export type RunEnd =
  /** The process exited (after the guest powered off, or not). */
  | { kind: 'exit'; atMs: number; code: number | null; signal: string | null }
  /** The run took longer than its time limit and was killed. */
  | { kind: 'timeout'; atMs: number }
  /** The emulator could not be started at all. */
  | { kind: 'spawn-error'; atMs: number; message: string };

export interface GuestTrace {
  lines: ConsoleLine[];
  end: RunEnd;
  /** The end of the emulator's standard error, for failure messages. */
  stderrTail: string;
}

/** One measured quantity of one run: a time in seconds, or why there is none. */
export type Measurement = { seconds: number } | { failure: string };

/** A short reason for a run that did not produce a figure, fit for a table cell. */
export function describeEnd(trace: GuestTrace): string {
  const { end } = trace;
  switch (end.kind) {
    case 'timeout':
      return 'timeout';
    case 'spawn-error':
      return `cannot start: ${end.message}`;
    case 'exit': {
      const status = end.signal !== null ? `killed by ${end.signal}` : `exit ${end.code}`;
      const reason = lastMeaningfulLine(trace.stderrTail);
      return reason === undefined ? `${status} before the end` : `${status}: ${reason}`;
    }
  }
}

function lastMeaningfulLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  return last.length > 80 ? `${last.slice(0, 77)}...` : last;
}
