import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { main } from './readme-example.js';

it('runs the README example and prints what the README says', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const source = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8');
  expect(readme.match(/```ts\n([\s\S]*?)```/)?.[1]).toBe(source);
  const lines: string[] = [];
  main((line) => lines.push(line));
  expect(`${lines.join('\n')}\n`).toBe(readme.match(/```text\n([\s\S]*?)```/)?.[1]);
});
