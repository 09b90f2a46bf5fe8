/**
 * Runs a callback when the Node process exits by any ordinary path
 * (`process.exit()`, the event loop running dry, an uncaught exception).
 * Returns a function that removes the hook. Backends use it to flush output
 * and give the terminal back in its original mode.
 */
export function onProcessExit(callback: () => void): () => void {
  const listener = () => callback();
  process.once('exit', listener);
  return () => {
    process.removeListener('exit', listener);
  };
}

/** Describe a Node system error briefly: "No such file or directory" rather than a stack. */
export function describeSystemError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    const known: Record<string, string> = {
      ENOENT: 'No such file or directory',
      EACCES: 'Permission denied',
      EISDIR: 'Is a directory',
      ENOTDIR: 'Not a directory',
      EADDRINUSE: 'Address already in use',
      EADDRNOTAVAIL: 'Cannot assign requested address',
      ECONNREFUSED: 'Connection refused',
      ENOTFOUND: 'Name or service not known',
      EAI_AGAIN: 'Temporary failure in name resolution',
      ETIMEDOUT: 'Connection timed out',
      EROFS: 'Read-only file system',
    };
    if (known[code]) return known[code];
  }
  return error instanceof Error ? error.message : String(error);
}
