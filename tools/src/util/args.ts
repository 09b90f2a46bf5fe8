import { ToolError } from './tool-error.js';

/**
 * Runs a node:util parseArgs call, turning its errors (unknown option, missing value) into a
 * one-line ToolError.
 */
export function parseOrExplain<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ToolError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
}
