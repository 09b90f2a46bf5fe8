import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { buildConfig } from './config.js';
import { OPTION_SPECS } from './option-table.js';
import { parseOptions } from './options.js';

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const status = await runCli(argv, {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
  });
  return { status, out, err };
}

describe('tsemu command line', () => {
  it('runs the tiered JIT backend unless -accel tcg,backend= names another', () => {
    const backend = (argv: string[]) => buildConfig(parseOptions(argv, OPTION_SPECS)).accel.backend;
    expect(backend([])).toBe('tiered');
    expect(backend(['-accel', 'tcg,backend=js'])).toBe('js');
    expect(backend(['-accel', 'tcg,backend=interpreter'])).toBe('interpreter');
    expect(backend(['-accel', 'tcg,backend=tiered'])).toBe('tiered');
  });

  it('prints its version with -version and --version', async () => {
    for (const flag of ['-version', '--version']) {
      const result = await run([flag]);
      expect(result.status).toBe(0);
      expect(result.out).toMatch(/^tsemu emulator version \d+\.\d+\.\d+/);
    }
  });

  it('lists its options with -h', async () => {
    const result = await run(['-h']);
    expect(result.status).toBe(0);
    expect(result.out).toContain('-version');
    expect(result.out).toContain('usage: tsemu');
  });

  it('rejects an unknown option in one line naming it', async () => {
    const result = await run(['-frobnicate']);
    expect(result.status).toBe(1);
    expect(result.err).toBe('tsemu: -frobnicate: invalid option\n');
  });

  it('runs as a bundled executable when built', () => {
    const bundle = fileURLToPath(new URL('../dist/tsemu.mjs', import.meta.url));
    if (!existsSync(bundle)) {
      execFileSync('node', ['build.mjs'], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    }
    const ok = spawnSync('node', [bundle, '-version'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('tsemu emulator version');
    const bad = spawnSync('node', [bundle, '-nonsense'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
