import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { disassembleRange } from './index.js';

describe('README example', () => {
  it('prints the listing the README shows', () => {
    // Read the example out of the README so that it cannot rot.
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    const code = /const code = \[([^\]]*)\]/
      .exec(example)![1]
      .split(',')
      .map((b) => Number(b));
    const shown = [...example.matchAll(/^\/\/ (0x[0-9a-f]{8}: .*)$/gm)].map((m) => m[1]);
    const fetch = (eip: number) => code[eip - 0xfff0] ?? -1;
    expect(disassembleRange(fetch, 0xfff0, code.length, 0)).toEqual(shown);
    expect(shown.length).toBe(3);
  });
});
