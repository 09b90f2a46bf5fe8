/**
 * Runs x87 cases on the host processor: compiles oracle.c with gcc (once per process,
 * into a temporary folder) and feeds it one batch of cases per process run. The same
 * approach as @tsemu/softfloat's oracle, for whole instructions instead of operations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';

let binary: string | undefined;

function oracleBinary(): string {
  if (binary) return binary;
  if (arch() !== 'x64') throw new Error('the x87 oracle needs an x86-64 host');
  const folder = mkdtempSync(join(tmpdir(), 'tsemu-x87-oracle-'));
  const out = join(folder, 'oracle');
  const source = new URL('./oracle.c', import.meta.url).pathname;
  try {
    execFileSync('gcc', ['-O0', '-o', out, source], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`could not compile the x87 oracle with gcc (is gcc installed?): ${error}`);
  }
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  binary = out;
  return out;
}

/** What the host answered for one case. */
export interface HostResult {
  /** The FNSAVE image after the instruction (108 bytes). */
  image: Uint8Array;
  eflags: number;
  eax: number;
  /** The memory operand's buffer after the instruction (128 bytes). */
  memory: Uint8Array;
}

export function toHex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** One line per case: the oracle's input format (see oracle.c). */
export function oracleLine(
  pre: number[],
  insn: number[],
  state: Uint8Array,
  memory: Uint8Array,
): string {
  return `${pre.length ? toHex(pre) : '-'} ${toHex(insn)} ${toHex(state)} ${toHex(memory)}`;
}

/** Runs the lines through the host; one result per line. */
export function runOnHost(lines: readonly string[]): HostResult[] {
  const result = spawnSync(oracleBinary(), [], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`x87 oracle exited with ${result.status} ${result.signal ?? ''}`);
  }
  const out = result.stdout.split('\n');
  out.pop();
  if (out.length !== lines.length) {
    throw new Error(`x87 oracle answered ${out.length} lines for ${lines.length} cases`);
  }
  return out.map((line, i) => {
    const parts = line.split(' ');
    if (parts.length !== 4) throw new Error(`x87 oracle: '${line}' for '${lines[i]}'`);
    const eflags = fromHex(parts[1]);
    const eax = fromHex(parts[2]);
    return {
      image: fromHex(parts[0]),
      eflags: new DataView(eflags.buffer).getUint32(0, true),
      eax: new DataView(eax.buffer).getUint32(0, true),
      memory: fromHex(parts[3]),
    };
  });
}
