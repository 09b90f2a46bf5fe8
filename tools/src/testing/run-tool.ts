import { spawnSync } from 'node:child_process';

export interface ToolRun {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a real program (cpio, isoinfo, sfdisk...) for a test and returns what it printed.
 * A program that is not installed fails the test with the Debian package to install.
 */
export function runTool(
  command: string,
  args: string[],
  options: { input?: Uint8Array; cwd?: string; debianPackage: string },
): ToolRun {
  const result = spawnSync(command, args, {
    input: options.input,
    cwd: options.cwd,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(
      `could not run ${command} (${result.error.message}); install it with: apt-get install -y ${options.debianPackage}`,
    );
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
}

/** Like runTool, but the program must exit with status 0; returns its stdout. */
export function runToolOk(
  command: string,
  args: string[],
  options: { input?: Uint8Array; cwd?: string; debianPackage: string },
): Buffer {
  const run = runTool(command, args, options);
  if (run.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  }
  return run.stdout;
}
