/** Runs a short helper program (a version query, an install) and collects its output. */
import { spawn } from 'node:child_process';

export interface ProgramResult {
  /** The exit status; null when the program could not be started or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why the program could not be started, if it could not. */
  error?: string;
}

export function runProgram(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let error: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (e) => {
      error = e.message;
    });
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
        error,
      }),
    );
  });
}

/** The last non-empty line of a program's error output, or its status, for a message. */
export function failureReason(result: ProgramResult): string {
  if (result.error !== undefined) return result.error;
  const last = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .at(-1);
  return last ?? `exit ${result.code}`;
}
