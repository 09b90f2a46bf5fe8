import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_DONE, CPU_WORKLOADS } from '../../bench-peers/guest-script.js';
import { buildBenchInitramfs } from '../../bench-peers/images.js';
import { buildInitramfs } from '../../src/initramfs/initramfs.js';
import { runToolOk } from '../../src/testing/run-tool.js';

const work = mkdtempSync(join(tmpdir(), 'tsemu-bench-initramfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A stand-in for Debian's busybox: the archive's layout is under test; the harness boots the
// real one (docs/bench-peers.md).
const fakeBusybox = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);

describe('the benchmark initramfs', () => {
  runToolOk('cpio', ['-idm', '-H', 'newc', '--quiet', '--no-absolute-filenames'], {
    input: gunzipSync(buildBenchInitramfs(fakeBusybox)),
    cwd: work,
    debianPackage: 'cpio',
  });

  it('keeps the standard /init (and its marker) and runs the workloads instead of a shell', () => {
    const init = readFileSync(join(work, 'init'), 'utf8');
    expect(init).toContain('echo TSEMU-INITRAMFS-READY\n');
    expect(init.trimEnd().endsWith('exec /sbin/init')).toBe(true);
    const inittab = readFileSync(join(work, 'etc/inittab'), 'utf8');
    expect(inittab).toContain('::once:/bin/sh /etc/bench.sh');
    expect(inittab).not.toContain('respawn');
  });

  it('has an executable workload script that a POSIX shell parses', () => {
    const script = join(work, 'etc/bench.sh');
    expect(statSync(script).mode & 0o777).toBe(0o755);
    runToolOk('sh', ['-n', script], { debianPackage: 'dash' });
    const text = readFileSync(script, 'utf8');
    for (const { name } of CPU_WORKLOADS) expect(text).toMatch(new RegExp(`^run ${name} `, 'm'));
    expect(text).toContain(`echo ${BENCH_DONE}\npoweroff\n`);
  });

  it('leaves the standard initramfs as it was', () => {
    const text = gunzipSync(buildInitramfs({ busybox: fakeBusybox })).toString('latin1');
    expect(text).not.toContain('bench.sh');
    expect(text).toContain('::respawn:/bin/cttyhack /bin/sh -l');
  });
});
