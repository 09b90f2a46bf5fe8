import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { categorize } from '../../bench-peers/profile/categories.js';
import { renderProfileSummary } from '../../bench-peers/profile/render.js';
import { sourceMapLocator } from '../../bench-peers/profile/source-maps.js';
import {
  type CpuProfile,
  selfTimes,
  summarizeProfile,
} from '../../bench-peers/profile/summarize.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-profile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A small program laid out like tsemu's workspace: a "translator" in packages/tcg, a
 * "device" in packages/hw-pc, and a `new Function` block named as the JS backend names TBs.
 * Each spins for a while, so the profile has a known shape.
 */
function writeProgram(): string {
  const file = (path: string, text: string) => {
    mkdirSync(join(work, path, '..'), { recursive: true });
    writeFileSync(join(work, path), text);
  };
  // Arithmetic for `ms` milliseconds, asking the clock rarely: a builtin such as Date.now
  // has its own frame in the profile, so its time would not be the function's.
  const spin = (ms: number) =>
    `let x = 0; const end = Date.now() + ${ms}; while (Date.now() < end) { for (let i = 0; i < 1e5; i++) x = (x * 31 + i) | 0; } return x;`;
  file(
    'packages/tcg/src/i386/translate/translate.mjs',
    `export function translateBlock() { ${spin(200)} }\n`,
  );
  file('packages/hw-pc/src/serial.mjs', `export function serialRead() { ${spin(100)} }\n`);
  file(
    'main.mjs',
    `import { translateBlock } from './packages/tcg/src/i386/translate/translate.mjs';
import { serialRead } from './packages/hw-pc/src/serial.mjs';
const tb = new Function('return function tb_c0ffee() { ${spin(100)} }')();
translateBlock();
serialRead();
tb();
`,
  );
  return join(work, 'main.mjs');
}

function profileOf(script: string, dir: string): CpuProfile {
  execFileSync(process.execPath, [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
    '--cpu-prof-interval',
    '500',
    script,
  ]);
  const [name] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return JSON.parse(readFileSync(join(dir, name), 'utf8'));
}

const categoryTime = (summary: ReturnType<typeof summarizeProfile>, name: string) =>
  summary.categories.find((c) => c.name === name)?.selfMs ?? 0;

describe('summarizeProfile on a real node --cpu-prof profile', () => {
  const main = writeProgram();

  it('puts the time of each function in its category', () => {
    const profile = profileOf(main, join(work, 'plain'));
    const summary = summarizeProfile(profile, { locate: sourceMapLocator(work) });
    // Spins of 200, 100 and 100 ms; sampling blurs them a little.
    expect(categoryTime(summary, 'translation')).toBeGreaterThan(150);
    expect(categoryTime(summary, 'devices')).toBeGreaterThan(70);
    expect(categoryTime(summary, 'generated code (TBs)')).toBeGreaterThan(70);
    expect(categoryTime(summary, 'translation')).toBeGreaterThan(categoryTime(summary, 'devices'));
    const translate = summary.functions.find((f) => f.name === 'translateBlock');
    expect(translate?.where).toBe('packages/tcg/src/i386/translate/translate.mjs:1');
    expect(translate?.category).toBe('translation');
    // Self times add up to the profile's duration, less the moment before the first sample.
    const total = [...selfTimes(profile).values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(summary.totalMs);
    expect(total).toBeGreaterThan(summary.totalMs * 0.9);
  });

  it('maps a bundle back to the workspace sources through its source map', async () => {
    const bundle = join(work, 'dist/bundle.mjs');
    await build({
      entryPoints: [main],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      sourcemap: true,
      logLevel: 'silent',
    });
    const summary = summarizeProfile(profileOf(bundle, join(work, 'bundled')), {
      locate: sourceMapLocator(work),
    });
    expect(categoryTime(summary, 'translation')).toBeGreaterThan(150);
    expect(categoryTime(summary, 'devices')).toBeGreaterThan(70);
    expect(summary.functions.find((f) => f.name === 'serialRead')?.where).toBe(
      'packages/hw-pc/src/serial.mjs:1',
    );
    const text = renderProfileSummary(summary, { top: 5 });
    expect(text).toMatch(/\| translation +\| +\d+ \| +\d+\.\d % \|/);
    expect(text).toMatch(
      /\| `tb_\* \(all translated blocks\)` +\| \(generated\) +\| generated code \(TBs\) +\|/,
    );
    expect(text).toContain('`translateBlock`');
  });
});

describe('sourceMapLocator', () => {
  it('keeps the file but not the line of TypeScript run through tsx', () => {
    const locate = sourceMapLocator('/repo');
    const frame = { functionName: 'setPage', lineNumber: 0, columnNumber: 900 };
    expect(locate({ ...frame, url: 'file:///repo/packages/tcg/src/core/softmmu/tlb.ts' })).toEqual({
      source: 'packages/tcg/src/core/softmmu/tlb.ts',
    });
    expect(locate({ ...frame, url: 'file:///repo/tools/x.mjs' })).toEqual({
      source: 'tools/x.mjs',
      line: 1,
    });
    expect(locate({ ...frame, url: 'node:internal/fs' })).toBeUndefined();
  });
});

describe('categorize', () => {
  const frame = (functionName: string, source: string, url = 'file:///x/tsemu.mjs') => ({
    functionName,
    url,
    source,
  });

  it('tells the tiers apart: compiled TBs, the IR interpreter, translation, the vCPU loop', () => {
    expect(categorize(frame('tb_c0100', '', ''))).toBe('generated code (TBs)');
    expect(categorize(frame('tb_c0100_region4', '', ''))).toBe('generated code (TBs)');
    expect(categorize(frame('run', 'packages/tcg/src/core/backend/interpreter.ts'))).toBe(
      'IR interpreter (cold TBs)',
    );
    expect(categorize(frame('emit', 'packages/tcg/src/core/backend/js-backend.ts'))).toBe(
      'translation',
    );
    expect(categorize(frame('execChain', 'packages/tcg/src/core/exec/engine.ts'))).toBe(
      'vCPU loop (cpu_exec, TB lookup)',
    );
  });
});
