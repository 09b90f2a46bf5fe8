/**
 * A host-side problem a person can fix (a missing program, a missing package, a bad option).
 * Commands print its message as one line on stderr and exit with status 1, with no stack
 * trace; any other error is a bug in the tools and keeps its stack.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}
