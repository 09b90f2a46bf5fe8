/**
 * Runs the examples of README.md (each ```ts block after an `<!-- example: NAME -->` line)
 * and compares what they print with the ```text block that follows, so the README cannot rot.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as softfloat from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [
  ...readme.matchAll(
    /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```\n\nprints\n\n```text\n([\s\S]*?)```/g,
  ),
].map(([, name, code, output]) => ({ name, code, output }));

/** Strips the types, turns `import { ... } from '@tsemu/softfloat'` into a destructuring. */
function compile(code: string): (lib: unknown, console: unknown) => void {
  const js = transformSync(code, { loader: 'ts', format: 'esm' }).code.replace(
    /import\s*\{([^}]*)\}\s*from\s*["']@tsemu\/softfloat["'];?/g,
    (_all, names: string) => `const {${names.replace(/\s+as\s+/g, ': ')}} = softfloat;`,
  );
  expect(js).not.toMatch(/^\s*import\s/m);
  return new Function('softfloat', 'console', js) as (lib: unknown, console: unknown) => void;
}

describe('README examples', () => {
  it('has the examples this test expects', () => {
    expect(examples.map((e) => e.name)).toEqual(['basics']);
  });

  it.each(examples)('example "$name" prints what the README says', ({ code, output }) => {
    const printed: string[] = [];
    compile(code)(softfloat, { log: (...args: unknown[]) => printed.push(args.join(' ')) });
    expect(`${printed.join('\n')}\n`).toBe(output);
  });
});
