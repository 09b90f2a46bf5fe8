// Runs the example in README.md and checks it prints what the README says.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { expect, test } from 'vitest';
import * as qom from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const exampleFile = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8');

function block(language: string): string {
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (match === null) {
    throw new Error(`README.md has no \`\`\`${language} block`);
  }
  return match[1] as string;
}

test('the README example is the typechecked test/readme-example.ts', () => {
  expect(block('ts')).toBe(exampleFile);
});

test('the README example runs and prints what the README shows', () => {
  const { code } = transformSync(block('ts'), { loader: 'ts', format: 'cjs', target: 'es2022' });
  const printed: string[] = [];
  const fakeConsole = { log: (...args: unknown[]) => printed.push(args.map(String).join(' ')) };
  const fakeRequire = (name: string) => {
    if (name !== '@tsemu/qom') {
      throw new Error(`the README example imports ${name}`);
    }
    return qom;
  };
  const run = new Function('require', 'console', 'module', 'exports', code);
  run(fakeRequire, fakeConsole, { exports: {} }, {});
  expect(printed.join('\n')).toBe(block('text').trimEnd());
});
