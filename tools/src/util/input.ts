import { readFile } from 'node:fs/promises';
import { ToolError } from './tool-error.js';

/** Reads an input file named on the command line; a missing one is a one-line ToolError. */
export async function readInput(path: string | undefined, what: string): Promise<Uint8Array> {
  if (path === undefined) throw new ToolError(`missing --${what} FILE (see --help)`);
  try {
    return await readFile(path);
  } catch (error) {
    throw new ToolError(
      `cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
