import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../util/tool-error.js';
import { acquireLock } from './cache-lock.js';

describe('acquireLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsemu-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a second holder wait until the first releases', async () => {
    const lock = join(dir, 'lock');
    const order: string[] = [];
    const releaseFirst = await acquireLock(lock);
    let waitedFor: number | undefined;
    const second = acquireLock(lock, { pollMs: 10, onWait: (pid) => (waitedFor = pid) }).then(
      (release) => {
        order.push('second acquired');
        return release;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    order.push('first releases');
    await releaseFirst();
    const releaseSecond = await second;
    expect(order).toEqual(['first releases', 'second acquired']);
    expect(waitedFor).toBe(process.pid);
    await releaseSecond();
    await expect(stat(lock)).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const lock = join(dir, 'lock');
    const gone = spawnSync('true').pid;
    await mkdir(lock);
    await writeFile(join(lock, 'owner.json'), JSON.stringify({ pid: gone, host: hostname() }));
    let waited = false;
    const release = await acquireLock(lock, { onWait: () => (waited = true) });
    expect(waited).toBe(false);
    await release();
  });

  it('gives up with a clear error when the holder never finishes', async () => {
    const lock = join(dir, 'lock');
    const release = await acquireLock(lock);
    const attempt = acquireLock(lock, { timeoutMs: 50, pollMs: 10 });
    await expect(attempt).rejects.toThrow(ToolError);
    await expect(attempt).rejects.toThrow(
      /gave up after 0 s waiting for the lock .* \(held by pid \d+\)/,
    );
    await release();
  });
});
