/**
 * The host processor as oracle: compiles oracle.c with `gcc -O0` into a temporary folder
 * (once per process) and runs batches of cases through it, one process per batch.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';

let binary: string | undefined;
let folder: string | undefined;

/** True when the host can run the oracle (an x86-64 machine with gcc). */
export function hostOracleAvailable(): boolean {
  return arch() === 'x64';
}

function oracleBinary(): string {
  if (binary) return binary;
  if (!hostOracleAvailable()) throw new Error('the softfloat oracle needs an x86-64 host');
  folder = mkdtempSync(join(tmpdir(), 'tsemu-softfloat-oracle-'));
  const out = join(folder, 'oracle');
  const source = new URL('./oracle.c', import.meta.url).pathname;
  try {
    execFileSync('gcc', ['-O0', '-o', out, source], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(
      `could not compile the softfloat oracle with gcc (is gcc installed?): ${String(error)}`,
    );
  }
  process.once('exit', () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });
  binary = out;
  return out;
}

/** Runs each line through the oracle; returns one output line per input line. */
export function runOracle(lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  const result = spawnSync(oracleBinary(), [], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`oracle exited with ${result.status} ${result.signal ?? ''}: ${result.stderr}`);
  }
  const out = result.stdout.split('\n');
  out.pop();
  if (out.length !== lines.length) {
    throw new Error(`oracle answered ${out.length} lines for ${lines.length} cases`);
  }
  const unknown = out.findIndex((line) => line.startsWith('?'));
  if (unknown >= 0)
    throw new Error(`oracle did not understand '${lines[unknown]}': ${out[unknown]}`);
  return out;
}

/** An x87 control word with all exceptions masked (unless `unmasked`), the given PC and RC. */
export function x87ControlWord(rounding: number, precision: 24 | 53 | 64, unmasked = 0): number {
  const pc = precision === 24 ? 0 : precision === 53 ? 2 : 3;
  return 0x40 | (0x3f & ~unmasked) | (pc << 8) | (rounding << 10);
}

/** An MXCSR with all exceptions masked, the given rounding, FZ and DAZ. */
export function mxcsrFor(rounding: number, ftz: boolean, daz: boolean): number {
  return 0x1f80 | (rounding << 13) | (ftz ? 0x8000 : 0) | (daz ? 0x40 : 0);
}

export function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}
