// Runs the example in README.md, so the package's front page cannot go stale.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { I8254, IrqRecorder, ManualTime } from '../src/index.js';

it('the README example prints what the README says', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const body = code!.replace(/^import .*\n/m, '');
  const printed: string[] = [];
  const run = new Function('I8254', 'IrqRecorder', 'ManualTime', 'console', body);
  run(I8254, IrqRecorder, ManualTime, { log: (line: string) => printed.push(line) });
  expect(printed).toEqual(['10 interrupts in 10 ms']);
  expect(code).toContain('// 10 interrupts in 10 ms');
});
