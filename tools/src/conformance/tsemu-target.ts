/**
 * tsemu as a conformance target: each batch of tests becomes the same runner executable the
 * host runs (runner.ts), and runs on a minimal machine built from tsemu's memory API and
 * i386 CPU at CPL 3 with paging (tsemu/machine.ts), whose host-side kernel implements the
 * system calls and signal delivery the runner uses. The dumps it writes to stdout are parsed
 * exactly as the native ones.
 */
import type { BackendKind } from '@tsemu/tcg';
import { parseDumps } from './dump.js';
import type { ConformanceTarget } from './native-target.js';
import { buildRunnerImage } from './runner.js';
import type { ConformanceTest, Dump } from './state.js';
import { LinuxUserMachine } from './tsemu/machine.js';

export interface TsemuTargetOptions {
  /** Tests per machine (one runner image each). Default 2000, as the native target. */
  readonly batchSize?: number;
  /** The JIT backend. Default 'js'. */
  readonly backend?: BackendKind;
}

/** Runs one runner image on a fresh machine and returns its dumps (or throws why not). */
export function runImageOnTsemu(
  elf: Uint8Array,
  tests: readonly ConformanceTest[],
  backend: BackendKind = 'js',
): Dump[] {
  const machine = new LinuxUserMachine(elf, { backend });
  const outcome = machine.run();
  const { dumps, trailingBytes } = parseDumps(outcome.stdout);
  const { end } = outcome;
  if (end.kind !== 'exited' || end.status !== 0 || dumps.length !== tests.length || trailingBytes) {
    const stuck = tests[dumps.length];
    const at = stuck ? ` (stopped at test ${dumps.length}: ${stuck.form} seed ${stuck.seed})` : '';
    const how =
      end.kind === 'exited'
        ? `exit status ${end.status}`
        : end.kind === 'killed'
          ? `killed by signal ${end.signal}`
          : 'hung';
    throw new Error(`tsemu runner failed: ${how}, ${dumps.length}/${tests.length} dumps${at}`);
  }
  return dumps;
}

/** tsemu's i386 CPU, one minimal machine per batch, in this thread. */
export class TsemuTarget implements ConformanceTarget {
  readonly name = 'tsemu';
  private readonly batchSize: number;
  private readonly backend: BackendKind;

  constructor(options: TsemuTargetOptions = {}) {
    this.batchSize = options.batchSize ?? 2000;
    this.backend = options.backend ?? 'js';
    if (this.batchSize < 1) throw new Error('TsemuTarget: batchSize must be ≥ 1');
  }

  async run(tests: readonly ConformanceTest[]): Promise<Dump[]> {
    const out: Dump[] = [];
    for (let i = 0; i < tests.length; i += this.batchSize) {
      const batch = tests.slice(i, i + this.batchSize);
      const dumps = runImageOnTsemu(buildRunnerImage(batch).elf, batch, this.backend);
      for (const d of dumps) out.push({ ...d, index: d.index + i });
      // Let other work (the native processes' pipes) make progress between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }
}
