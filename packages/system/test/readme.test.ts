/**
 * Runs the examples of README.md (each ```ts block after an `<!-- example: NAME -->` line)
 * and compares what they print with the ```text block that follows, so the README cannot rot.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as system from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [
  ...readme.matchAll(
    /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```\n\nprints\n\n```text\n([\s\S]*?)```/g,
  ),
].map(([, name, code, output]) => ({ name, code, output }));

type AsyncFn = (...args: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => AsyncFn;

/** Strips the types, turns `import { ... } from '@tsemu/system'` into a destructuring. */
function compile(code: string): AsyncFn {
  const js = transformSync(code, { loader: 'ts', format: 'esm' }).code.replace(
    /import\s*\{([^}]*)\}\s*from\s*["']@tsemu\/system["'];?/g,
    (_all, names: string) => `const {${names.replace(/\s+as\s+/g, ': ')}} = tsemuSystem;`,
  );
  expect(js).not.toMatch(/^\s*import\s/m);
  return new AsyncFunction('tsemuSystem', 'console', js);
}

describe('README examples', () => {
  it('has the examples this test expects', () => {
    expect(examples.map((e) => e.name)).toEqual(['system', 'device']);
  });

  it.each(examples)('example "$name" prints what the README says', async ({ code, output }) => {
    const printed: string[] = [];
    const console = { log: (...args: unknown[]) => printed.push(args.join(' ')) };
    await compile(code)(system, console);
    expect(`${printed.join('\n')}\n`).toBe(output);
  });
});
