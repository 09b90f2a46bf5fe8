/**
 * Runs the real `tsemu` command in a child process (from the sources, through tsx), as a
 * user would, and talks to it over its stdin/stdout: the end-to-end tests' driver.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The guest images the project's tool fetches (pnpm --filter @tsemu/tools fetch-guest-images). */
export const IMAGES = fileURLToPath(new URL('../../../.cache/images/', import.meta.url));

export function image(name: string): string {
  const path = `${IMAGES}${name}`;
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: run 'pnpm --filter @tsemu/tools fetch-guest-images' first`,
    );
  }
  return path;
}

export class TsemuProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly started = performance.now();
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(
      process.execPath,
      ['--conditions=@tsemu/source', '--import', 'tsx', 'src/main.ts', ...args],
      { cwd: CLI_DIR, stdio: 'pipe' },
    );
    this.child.stdout.setEncoding('latin1');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (text: string) => {
      this.stdout += text;
    });
    this.child.stderr.on('data', (text: string) => {
      this.stderr += text;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Seconds since the process started. */
  get elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Resolves when stdout (after `from`) contains `text`; rejects after `timeoutMs` or exit. */
  waitFor(text: string | RegExp, timeoutMs: number, from = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const found = () => {
        const rest = this.stdout.slice(from);
        const at = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
        return at < 0 ? -1 : from + at;
      };
      const check = () => {
        const at = found();
        if (at >= 0) {
          done();
          resolve(at);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `no ${String(text)} after ${timeoutMs} ms; stdout tail:\n${this.stdout.slice(-2000)}\nstderr:\n${this.stderr.slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      const onExit = () => {
        setTimeout(() => {
          if (found() >= 0) return check();
          done();
          reject(
            new Error(
              `tsemu exited before ${String(text)}:\n${this.stdout.slice(-2000)}\n${this.stderr}`,
            ),
          );
        }, 50);
      };
      const done = () => {
        clearTimeout(timer);
        this.child.stdout.off('data', check);
        this.child.off('exit', onExit);
      };
      this.child.stdout.on('data', check);
      this.child.on('exit', onExit);
      check();
    });
  }

  send(text: string): void {
    this.child.stdin.write(text);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
