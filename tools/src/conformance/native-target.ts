/**
 * The host processor as a conformance target: each batch of tests becomes one runner
 * executable, run natively (x86-64 Linux kernels run i386 ELFs through IA-32 emulation).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDumps } from './dump.js';
import { buildRunnerImage } from './runner.js';
import type { ConformanceTest, Dump } from './state.js';

/** Something that runs tests and returns one dump per test, in order. */
export interface ConformanceTarget {
  readonly name: string;
  run(tests: readonly ConformanceTest[]): Promise<Dump[]>;
}

/** Whether this host can run i386 programs, and if not, why (one line). */
export type HostSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface NativeTargetOptions {
  /** Tests per process. Default 2000. */
  readonly batchSize?: number;
  /** Processes at once. Default 2. */
  readonly concurrency?: number;
  /** Kill a batch that runs longer (a test that never ends). Default 20 s. */
  readonly timeoutMs?: number;
}

interface ProcessResult {
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: Uint8Array;
  readonly error?: Error;
}

function runExecutable(path: string, timeoutMs: number): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      path,
      [],
      { encoding: 'buffer', maxBuffer: 1 << 30, timeout: timeoutMs, env: {} },
      (error, stdout) => {
        const e = error as (NodeJS.ErrnoException & { code?: unknown; signal?: string }) | null;
        resolve({
          status: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout: new Uint8Array(stdout),
          ...(e && typeof e.code !== 'number' && !e.signal ? { error: e } : {}),
        });
      },
    );
  });
}

async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tsemu-conformance-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs an empty batch: the cheapest proof that the host executes i386 ELFs. */
export async function checkHostSupport(): Promise<HostSupport> {
  if (process.platform !== 'linux')
    return { ok: false, reason: `host is ${process.platform}, not Linux` };
  if (process.arch !== 'x64' && process.arch !== 'ia32') {
    return { ok: false, reason: `host CPU is ${process.arch}, not x86` };
  }
  return withTempDir(async (dir) => {
    const path = join(dir, 'probe');
    await writeFile(path, buildRunnerImage([]).elf);
    await chmod(path, 0o755);
    const result = await runExecutable(path, 10_000);
    if (result.error)
      return { ok: false, reason: `cannot run i386 programs: ${result.error.message}` };
    if (result.status !== 0) {
      return {
        ok: false,
        reason: `i386 probe exited with status ${result.status} signal ${result.signal}`,
      };
    }
    try {
      parseDumps(result.stdout);
    } catch (e) {
      return { ok: false, reason: `i386 probe wrote no dump header: ${(e as Error).message}` };
    }
    return { ok: true };
  });
}

/** The host CPU, running tests in batches of native processes. */
export class NativeTarget implements ConformanceTarget {
  readonly name = 'native';
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;

  constructor(options: NativeTargetOptions = {}) {
    this.batchSize = options.batchSize ?? 2000;
    this.concurrency = options.concurrency ?? 2;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    if (this.batchSize < 1 || this.concurrency < 1)
      throw new Error('NativeTarget: batchSize and concurrency must be ≥ 1');
  }

  async run(tests: readonly ConformanceTest[]): Promise<Dump[]> {
    const batches: (readonly ConformanceTest[])[] = [];
    for (let i = 0; i < tests.length; i += this.batchSize)
      batches.push(tests.slice(i, i + this.batchSize));
    const results: Dump[][] = new Array(batches.length);
    await withTempDir(async (dir) => {
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const b = next++;
          results[b] = await this.runBatch(
            batches[b] as readonly ConformanceTest[],
            join(dir, `batch-${b}`),
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, worker));
    });
    return results.flatMap((dumps, b) =>
      dumps.map((d) => ({ ...d, index: d.index + b * this.batchSize })),
    );
  }

  private async runBatch(tests: readonly ConformanceTest[], path: string): Promise<Dump[]> {
    await writeFile(path, buildRunnerImage(tests).elf);
    await chmod(path, 0o755);
    const result = await runExecutable(path, this.timeoutMs);
    const { dumps, trailingBytes } = parseDumps(result.stdout);
    if (result.status !== 0 || dumps.length !== tests.length || trailingBytes !== 0) {
      const stuck = tests[dumps.length];
      const at = stuck
        ? ` (stopped at test ${dumps.length}: ${stuck.form} seed ${stuck.seed})`
        : '';
      throw new Error(
        `native runner failed: status ${result.status}, signal ${result.signal}, ` +
          `${dumps.length}/${tests.length} dumps${at}${result.error ? `: ${result.error.message}` : ''}`,
      );
    }
    return dumps;
  }
}
