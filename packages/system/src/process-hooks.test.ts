import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { attachToProcess, type ProcessLike } from './process-hooks.js';
import { System } from './system.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts test/fixtures/exit-child.ts; `onReady` runs when it printed "ready". */
function runChild(mode: string, onReady: (child: ChildProcess) => void): Promise<ChildResult> {
  const child = spawn(
    process.execPath,
    ['--conditions=@tsemu/source', '--import', 'tsx', 'test/fixtures/exit-child.ts', mode],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let ready = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!ready && stdout.includes('ready\n')) {
      ready = true;
      onReady(child);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('exit notifiers in a real process', () => {
  it('run when SIGTERM arrives while the guest runs, and the process exits with 0', async () => {
    const result = await runChild('running', (child) => child.kill('SIGTERM'));
    expect(result.stderr).toBe('tsemu: terminating on signal 15\n');
    expect(result.stdout).toBe(
      'ready\nmain loop exited with 0\nexit notifier: disk image flushed\n',
    );
    expect(result).toMatchObject({ code: 0, signal: null });
  });

  it('run on SIGINT (Ctrl-C) as well', async () => {
    const result = await runChild('running', (child) => child.kill('SIGINT'));
    expect(result.stderr).toBe('tsemu: terminating on signal 2\n');
    expect(result.stdout).toContain('exit notifier: disk image flushed\n');
    expect(result.code).toBe(0);
  });

  it('run when the guest powers off and the process ends by itself', async () => {
    const result = await runChild('guest', () => {});
    expect(result.stdout).toBe(
      'ready\nmain loop exited with 0\nexit notifier: disk image flushed\n',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('run when a signal arrives and no main loop is running', async () => {
    const result = await runChild('stopped', (child) => child.kill('SIGTERM'));
    expect(result.stdout).toBe('ready\nexit notifier: disk image flushed\n');
    expect(result.stderr).toBe('tsemu: terminating on signal 15\n');
    expect(result.code).toBe(0);
  });
});

describe('attachToProcess', () => {
  it('can be detached', () => {
    const fake = new EventEmitter();
    const proc = Object.assign(fake, {
      exit: () => {
        throw new Error('exit called');
      },
    }) as unknown as ProcessLike;
    const system = new System({ reportError: () => {} });
    let runs = 0;
    system.notifiers.exit.add(() => runs++);
    const hooks = attachToProcess(system, proc);
    expect(fake.listenerCount('SIGTERM')).toBe(1);
    hooks.remove();
    expect(fake.listenerCount('SIGTERM')).toBe(0);
    expect(fake.listenerCount('exit')).toBe(0);
    fake.emit('exit');
    expect(runs).toBe(0);
  });
});
