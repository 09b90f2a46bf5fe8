import { ToolError } from './tool-error.js';

/**
 * Runs a command's main function: a ToolError becomes one line on stderr and exit status 1;
 * anything else is a bug and is printed with its stack.
 */
export function runCli(commandName: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ToolError) {
      process.stderr.write(`${commandName}: ${error.message}\n`);
    } else {
      process.stderr.write(
        `${commandName}: internal error: ${String(error instanceof Error ? error.stack : error)}\n`,
      );
    }
    process.exitCode = 1;
  });
}
