/**
 * A lock on the cache folder, so that two runs of the tool (two terminals, or tests running in
 * parallel) do not download and write the same files at once. The lock is a directory holding
 * its owner's pid, renamed into place: the rename either creates it, owner record included, or
 * fails atomically. The pid lets a lock left by a killed run be taken over.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError } from '../util/tool-error.js';

export interface LockOptions {
  /** How long to wait for another run to finish before giving up. */
  timeoutMs?: number;
  pollMs?: number;
  /** Called once, with the other owner's pid, when the lock is held by another run. */
  onWait?: (ownerPid: number | undefined) => void;
}

interface LockOwner {
  pid: number;
  host: string;
}

/** Takes the lock at `path` (a directory it creates); resolves to the function that releases it. */
export async function acquireLock(
  path: string,
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 15 * 60 * 1000;
  const pollMs = options.pollMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    // The lock appears with its owner record already inside (a directory renamed into
    // place), so a waiter never sees a lock without knowing who holds it.
    const staging = `${path}.${process.pid}.staging`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging);
    const me: LockOwner = { pid: process.pid, host: hostname() };
    await writeFile(join(staging, 'owner.json'), JSON.stringify(me));
    try {
      await rename(staging, path);
      return () => rm(path, { recursive: true, force: true });
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
    const owner = await readOwner(path);
    if (owner !== undefined && owner.host === hostname() && !isAlive(owner.pid)) {
      // The run that held it was killed; nothing it wrote is used before a rename, so the
      // lock can simply be taken over.
      await rm(path, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      options.onWait?.(owner?.pid);
      told = true;
    }
    if (Date.now() > deadline) {
      throw new ToolError(
        `gave up after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${path} (held by pid ${owner?.pid ?? 'unknown'})`,
      );
    }
    await sleep(pollMs);
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(join(path, 'owner.json'), 'utf8'),
    ) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string'
      ? { pid: parsed.pid, host: parsed.host }
      : undefined;
  } catch {
    // The owner is between mkdir and writing owner.json, or it is unreadable: wait.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
