/**
 * Test helpers: QEMU's own tools (Debian's qemu-utils: qemu-img and qemu-io) as the
 * reference implementation, and scratch folders.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { BlockBackend, type BlockDriver, type BlockResult } from '../src/index.js';

/** A scratch folder removed after the test file. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-block-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs qemu-img; throws with its stderr if it fails. */
export function qemuImg(...args: string[]): string {
  return execFileSync('qemu-img', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs qemu-io commands on an image; returns whether every command succeeded. */
export function qemuIo(
  file: string,
  format: string,
  ...commands: string[]
): { ok: boolean; output: string } {
  const args = ['-f', format];
  for (const command of commands) args.push('-c', command);
  args.push(file);
  const result = spawnSync('qemu-io', args, { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  const failures = output.split('\n').filter((line) => /failed|error/i.test(line));
  return {
    ok: result.status === 0 && failures.length === 0,
    output: failures.join('\n') || output,
  };
}

/** What `qemu-img check` says about a qcow2 image. */
export interface CheckReport {
  exitCode: number;
  corruptions: number;
  leaks: number;
  checkErrors: number;
  output: string;
}

export function qemuImgCheck(file: string): CheckReport {
  const result = spawnSync('qemu-img', ['check', '--output=json', file], { encoding: 'utf8' });
  let report: Record<string, number> = {};
  try {
    report = JSON.parse(result.stdout);
  } catch {
    // Leave the report empty: exitCode and output tell what happened.
  }
  return {
    exitCode: result.status ?? -1,
    corruptions: report.corruptions ?? 0,
    leaks: report.leaks ?? 0,
    checkErrors: report['check-errors'] ?? 0,
    output: `${result.stdout}${result.stderr}`,
  };
}

/** A buffer filled with one byte value. */
export function pattern(value: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(value);
}

/** A backend over a driver, for tests that talk to drivers the way a device does. */
export function backendOf(driver: BlockDriver, name = 'test0'): BlockBackend {
  return new BlockBackend({ name, driver });
}

/** Asserts a request succeeded (with its message when it did not). */
export function expectOk(result: BlockResult): void {
  if (!result.ok) throw new Error(`request failed: ${result.error.code}: ${result.error.message}`);
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 255;
  }
  return bytes;
}
