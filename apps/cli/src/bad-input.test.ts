/**
 * A user's mistakes on the command line: each is one line on stderr naming what is wrong,
 * and exit status 1, before any guest code runs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const status = await runCli(argv, {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
  });
  return { status, out, err };
}

const scratch = mkdtempSync(join(tmpdir(), 'tsemu-cli-'));
const file = (name: string, bytes: Uint8Array | string) => {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
};

async function expectOneLineError(argv: string[], pattern: RegExp) {
  const result = await run(argv);
  expect(result.status).toBe(1);
  expect(result.err.trimEnd().split('\n')).toHaveLength(1);
  expect(result.err).toMatch(pattern);
}

describe('bad input from the user', () => {
  it('refuses unknown and unsupported options, naming them', async () => {
    await expectOneLineError(['-frobnicate'], /-frobnicate: invalid option/);
    await expectOneLineError(['-accel', 'kvm'], /-accel kvm: accelerator not available/);
    await expectOneLineError(
      ['-accel', 'tcg,backend=fast'],
      /-accel backend=fast: expected tiered, js or interpreter/,
    );
    await expectOneLineError(['-smp', '4'], /-smp 4: only 1 CPU/);
    await expectOneLineError(['-machine', 'q35'], /unsupported machine type 'q35'/);
    await expectOneLineError(['-cpu', 'pentium'], /-cpu pentium: unable to find CPU model/);
    await expectOneLineError(['-vga', 'cirrus'], /-vga cirrus: unsupported video card/);
    await expectOneLineError(['-boot', 'order=z'], /invalid boot order 'z'/);
    await expectOneLineError(['-d', 'nonsense'], /-d nonsense/);
    await expectOneLineError(['-m'], /-m: requires an argument/);
  });

  it('refuses a RAM size too small or too large', async () => {
    await expectOneLineError(['-m', '1'], /-m 1: at least 2 MiB/);
    await expectOneLineError(['-m', '64G'], /-m 65536: at most 3584 MiB/);
    await expectOneLineError(['-m', 'lots'], /-m lots: invalid RAM size/);
  });

  it('refuses missing, truncated or wrong firmware and kernels', async () => {
    await expectOneLineError(['-bios', join(scratch, 'missing.bin')], /No such file or directory/);
    await expectOneLineError(
      ['-bios', file('short.bin', new Uint8Array(1000))],
      /could not load PC BIOS/,
    );
    await expectOneLineError(['-kernel', join(scratch, 'missing')], /-kernel .*No such file/);
    await expectOneLineError(
      ['-kernel', file('text.img', 'not a kernel at all'.repeat(100))],
      /-kernel .*(not a Linux bzImage|Multiboot)/,
    );
    const vmlinuz = join(process.cwd(), '../../.cache/images/vmlinuz');
    const truncated = file('truncated-vmlinuz', readFileSync(vmlinuz).subarray(0, 600));
    await expectOneLineError(['-kernel', truncated], /-kernel .*truncated-vmlinuz/);
    await expectOneLineError(
      ['-kernel', vmlinuz, '-initrd', join(scratch, 'nope')],
      /-initrd .*No such file/,
    );
    await expectOneLineError(['-initrd', vmlinuz], /-initrd only allowed with -kernel/);
  });

  it('refuses a missing or corrupt disk image', async () => {
    await expectOneLineError(['-hda', join(scratch, 'missing.img')], /missing\.img/);
    const qcow = new Uint8Array(512);
    qcow.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]); // a qcow2 magic, then garbage
    await expectOneLineError(['-hda', file('broken.qcow2', qcow)], /broken\.qcow2/);
  });
});
