import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGuest } from '../../bench-peers/guest-run.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-guest-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in emulator: prints a boot log, waits for "poweroff" on its input, then exits. */
const fakeEmulator = join(work, 'fake-emulator.mjs');
writeFileSync(
  fakeEmulator,
  `const mode = process.argv[2];
process.stdout.write('Linux version 6.1\\r\\n');
setTimeout(() => process.stdout.write('TSEMU-INITRAMFS-READY\\r\\n'), 100);
if (mode === 'hang') setInterval(() => {}, 1000);
process.stdin.on('data', (data) => {
  if (!String(data).includes('poweroff')) return;
  process.stdout.write('reboot: Power down\\r\\n');
  if (mode === 'exits') process.exit(0);
});
`,
);

const node = process.execPath;
const marker = (text: string) => text.includes('TSEMU-INITRAMFS-READY');
const powerOff = (text: string) => text.includes('reboot: Power down');

describe('runGuest', () => {
  it('records lines with times, types after the marker, and sees the process exit', async () => {
    const trace = await runGuest(
      { command: node, args: [fakeEmulator, 'exits'] },
      { timeoutMs: 10_000, input: { after: marker, text: 'poweroff\n' }, doneLine: powerOff },
    );
    expect(trace.lines.map((l) => l.text)).toEqual([
      'Linux version 6.1',
      'TSEMU-INITRAMFS-READY',
      'reboot: Power down',
    ]);
    const [first, ready, off] = trace.lines.map((l) => l.atMs);
    expect(ready).toBeGreaterThanOrEqual(first + 90);
    expect(off).toBeGreaterThanOrEqual(ready);
    expect(trace.end).toMatchObject({ kind: 'exit', code: 0 });
  });

  it('ends a process that does not exit after the done line', async () => {
    const trace = await runGuest(
      { command: node, args: [fakeEmulator, 'stays'] },
      {
        timeoutMs: 10_000,
        input: { after: marker, text: 'poweroff\n' },
        doneLine: powerOff,
        exitGraceMs: 100,
      },
    );
    expect(trace.lines.at(-1)?.text).toBe('reboot: Power down');
    expect(trace.end).toMatchObject({ kind: 'exit', signal: 'SIGTERM' });
  });

  it('kills a run that passes its time limit, and reports a program that cannot start', async () => {
    const hung = await runGuest(
      { command: node, args: [fakeEmulator, 'hang'] },
      { timeoutMs: 2000 },
    );
    expect(hung.end.kind).toBe('timeout');
    expect(hung.lines.map((l) => l.text)).toContain('TSEMU-INITRAMFS-READY');
    const missing = await runGuest(
      { command: join(work, 'no-such-emulator'), args: [] },
      { timeoutMs: 5000 },
    );
    expect(missing.end).toMatchObject({ kind: 'spawn-error' });
    expect(missing.end.kind === 'spawn-error' && missing.end.message).toMatch(/ENOENT/);
  });
});
