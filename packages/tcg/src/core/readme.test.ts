import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cond, dumpIr, IrBuilder, optimizeIr, StateLayout } from '../index.js';

describe('README', () => {
  it('the example runs and says what it prints', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = readme.match(/```ts\n([\s\S]*?)```/)![1];
    // Run the README's code on this package's sources.
    const body = example.replace(/^import .*$/m, '').concat('\nreturn text;');
    const run = new Function(
      'Cond',
      'IrBuilder',
      'StateLayout',
      'dumpIr',
      'optimizeIr',
      stripTypes(body),
    );
    const text = run(Cond, IrBuilder, StateLayout, dumpIr, optimizeIr) as string;
    expect(text).toContain(' add_i32 eax,eax,$0x5');
    expect(text).toContain(' brcond_i32 eax,ecx,ne,$L0');
    expect(example).toContain(
      '// text contains " add_i32 eax,eax,$0x5" and " brcond_i32 eax,ecx,ne,$L0"',
    );
  });
});

/** The example is plain JS apart from its import; make sure it stays that way. */
function stripTypes(code: string): string {
  if (/:\s*[A-Z]\w*[<\s=]|\bas\s+\w/.test(code))
    throw new Error('README example uses TypeScript-only syntax');
  return code;
}
