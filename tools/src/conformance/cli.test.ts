/** The conformance command, run as a person runs it. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const TOOLS_DIR = resolve(import.meta.dirname, '../..');

function conformance(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--conditions=@tsemu/source', '--import', 'tsx', 'src/conformance/cli.ts', ...args],
    { cwd: TOOLS_DIR, encoding: 'utf8' },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pnpm conformance', () => {
  it('prints a table per group for the forms asked, and exits 0 when host and tsemu agree', () => {
    const r = conformance('--per-form', '2', '--group', 'bcd');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('| bcd | 6 | 12 | 12 | 0 | 0 |');
    expect(r.stdout).toContain('None: every test agrees with the host processor.');
    expect(r.status).toBe(0);
  });

  it('replays one test from its form and seed, with both final states', () => {
    const r = conformance('--form', 'add r32,r32', '--seed', '42');
    expect(r.stdout).toContain('AGREES add r32,r32 seed 42 (group alu)');
    expect(r.stdout).toMatch(
      / {2}native: completed at code\+2\n.*\n.*\n {2}tsemu: completed at code\+2/,
    );
    expect(r.status).toBe(0);
  });

  it('explains a bad option in one line', () => {
    const r = conformance('--per-form', 'many');
    expect(r.stderr).toBe('conformance: --per-form needs a non-negative integer\n');
    expect(r.status).toBe(1);
    expect(conformance('--frobnicate').stderr).toBe('conformance: unknown option --frobnicate\n');
  });
});
