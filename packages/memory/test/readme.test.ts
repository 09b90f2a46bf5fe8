/** Runs the README's example, so that the documentation cannot drift from the code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function exampleBlock(): string {
  const start = readme.indexOf('## Example');
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!match) throw new Error('README has no ts example after "## Example"');
  return match[1];
}

describe('README example', () => {
  it('runs and prints what the README says', () => {
    const source = exampleBlock();
    const importLine = /^import \{([^}]*)\} from '@tsemu\/memory';$/m;
    const names = importLine.exec(source)?.[1];
    expect(names).toBeDefined();
    // The example is plain JavaScript apart from its import, so it runs as a function body.
    const body = source.replace(importLine, `const {${names}} = lib;`);
    const printed: string[] = [];
    const console = { log: (...args: unknown[]) => printed.push(args.map(String).join(' ')) };
    new Function('lib', 'console', body)(lib, console);
    expect(printed.slice(0, 4)).toEqual(['f00d', '65 66', 'ffffffff', 'true']);
    const shown = /prints, as QEMU's `info mtree -f` would:\n\n```\n([\s\S]*?)```/.exec(readme);
    expect(`${printed[4]}`).toBe(`${shown?.[1]}\n`);
  });
});
