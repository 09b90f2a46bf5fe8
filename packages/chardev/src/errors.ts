/**
 * A host-side chardev mistake: a bad `-chardev`/`-serial` spec, a file that
 * cannot be opened, a socket that cannot connect. The message is one line meant
 * for the user (the command prints it and exits with status 1).
 */
export class ChardevError extends Error {
  override readonly name = 'ChardevError';
}
