/**
 * Runs the examples of README.md (each ```ts block after an `<!-- example: NAME -->` line)
 * and compares what they print with the ```text block that follows, so the README cannot rot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as block from '../src/index.js';

const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [
  ...readme.matchAll(
    /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```\n\nprints\n\n```text\n([\s\S]*?)```/g,
  ),
].map(([, name, code, output]) => ({ name, code, output }));

/** The modules an example may import, by specifier. */
const modules: Record<string, unknown> = {
  '@tsemu/block': block,
  'node:fs': fs,
  'node:os': os,
  'node:path': path,
};

type AsyncFn = (...args: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => AsyncFn;

/** Strips the types and turns each `import { ... } from 'x'` into a destructuring of `modules['x']`. */
function compile(code: string): AsyncFn {
  const js = transformSync(code, { loader: 'ts', format: 'esm' }).code.replace(
    /import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["'];?/g,
    (_all, names: string, specifier: string) => {
      expect(Object.keys(modules)).toContain(specifier);
      return `const {${names.replace(/\s+as\s+/g, ': ')}} = modules[${JSON.stringify(specifier)}];`;
    },
  );
  expect(js).not.toMatch(/^\s*import\s/m);
  return new AsyncFunction('modules', 'console', js);
}

describe('README examples', () => {
  it('has the examples this test expects', () => {
    expect(examples.map((e) => e.name)).toEqual(['drive', 'memory']);
  });

  it.each(examples)('example "$name" prints what the README says', async ({ code, output }) => {
    const printed: string[] = [];
    const console = { log: (...args: unknown[]) => printed.push(args.join(' ')) };
    await compile(code)(modules, console);
    expect(`${printed.join('\n')}\n`).toBe(output);
  });
});
