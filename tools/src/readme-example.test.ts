/** Runs the library example of tools/README.md, so that it cannot rot. */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const TOOLS_DIR = resolve(import.meta.dirname, '..');

it('the README example prints what the README says', () => {
  const readme = readFileSync(join(TOOLS_DIR, 'README.md'), 'utf8');
  const example = /## The library[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  const promised = /It prints `([^`]+)`/.exec(readme)?.[1];
  expect(example).toBeDefined();
  expect(promised).toBeDefined();
  // The example imports './index.js': it runs from src/, where the README says scripts go.
  const script = join(TOOLS_DIR, 'src', `.readme-example-${process.pid}.ts`);
  writeFileSync(script, example ?? '');
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: TOOLS_DIR,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${promised}\n`);
  } finally {
    rmSync(script, { force: true });
  }
});
