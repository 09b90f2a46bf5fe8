/**
 * Runs one emulator process and records its serial console: every line with the time it was
 * seen, measured from just before the process was started. The run ends when the process
 * exits, or when its time limit is reached (the process is then killed).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { type ConsoleLine, ConsoleLineSplitter } from './console-lines.js';
import type { LaunchCommand } from './peers/peer.js';
import type { GuestTrace, RunEnd } from './trace.js';

export interface GuestRunOptions {
  timeoutMs: number;
  /** Typed on the console once a line matching `after` is seen (once). */
  input?: { after: (text: string) => boolean; text: string };
  /**
   * A line after which the guest is done: the process gets `exitGraceMs` to exit by itself
   * (QEMU does on poweroff) before it is ended.
   */
  doneLine?: (text: string) => boolean;
  exitGraceMs?: number;
  /** Receives the raw console output as it arrives (to keep a log). */
  onOutput?: (chunk: Buffer) => void;
}

const STDERR_KEEP = 4096;

export function runGuest(launch: LaunchCommand, options: GuestRunOptions): Promise<GuestTrace> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const lines: ConsoleLine[] = [];
  let stderrTail = '';
  let inputSent = options.input === undefined;
  let doneSeen = false;

  return new Promise((resolve) => {
    let finished = false;
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (end: RunEnd) => {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      splitter.flush(end.atMs);
      resolve({ lines, end, stderrTail });
    };

    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A guest that is killed closes the pipe under a pending write: not an error here.
    child.stdin.on('error', () => {});

    let ending = false;
    const end = () => {
      if (ending) return;
      ending = true;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      kill.unref();
    };

    const splitter = new ConsoleLineSplitter((line) => {
      lines.push(line);
      if (!inputSent && options.input?.after(line.text)) {
        inputSent = true;
        child.stdin.write(options.input.text);
      }
      if (!doneSeen && options.doneLine?.(line.text)) {
        doneSeen = true;
        timers.push(setTimeout(end, options.exitGraceMs ?? 5000));
      }
    });

    child.stdout.on('data', (chunk: Buffer) => {
      options.onOutput?.(chunk);
      splitter.push(chunk.toString('latin1'), elapsed());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_KEEP);
    });
    child.on('error', (error) => {
      finish({ kind: 'spawn-error', atMs: elapsed(), message: error.message });
    });
    child.on('close', (code, signal) => {
      if (timedOut) return;
      finish({ kind: 'exit', atMs: elapsed(), code, signal });
    });

    timers.push(
      setTimeout(() => {
        timedOut = true;
        const atMs = elapsed();
        end();
        // Resolve once the process is gone, so that the next run starts on a quiet machine.
        child.once('close', () => finish({ kind: 'timeout', atMs }));
      }, options.timeoutMs),
    );
  });
}
