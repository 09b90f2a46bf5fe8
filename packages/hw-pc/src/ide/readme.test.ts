import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { main } from './readme-example.js';
import { main as pciMain } from './readme-pci-example.js';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const codeBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const outputBlocks = [...readme.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]);

async function printed(run: (print: (line: string) => void) => Promise<void>): Promise<string> {
  const lines: string[] = [];
  await run((line) => lines.push(line));
  return `${lines.join('\n')}\n`;
}

it('runs the README example and prints what the README says', async () => {
  const source = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8');
  expect(codeBlocks[0]).toBe(source);
  expect(await printed(main)).toBe(outputBlocks[0]);
});

it('runs the README example of the PCI function and prints what the README says', async () => {
  const source = readFileSync(new URL('./readme-pci-example.ts', import.meta.url), 'utf8');
  expect(codeBlocks[1]).toBe(source);
  expect(await printed(pciMain)).toBe(outputBlocks[1]);
});
