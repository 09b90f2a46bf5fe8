/** Where in the source a problem was found (1-based line). */
export interface Diagnostic {
  line: number;
  message: string;
  /** The source text of that line, for the error message. */
  source: string;
}

/**
 * Thrown by `assemble` when the source has errors. `diagnostics` lists every
 * error found (the assembler keeps going after the first one so a test
 * author sees all of them at once).
 */
export class AssemblyError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[], sourceName = '<source>') {
    const lines = diagnostics.map(
      (d) => `${sourceName}:${d.line}: ${d.message}${d.source ? `\n    ${d.source.trim()}` : ''}`,
    );
    super(lines.join('\n'));
    this.name = 'AssemblyError';
    this.diagnostics = diagnostics;
  }
}

/** An error in one statement; the assembler turns it into a Diagnostic. */
export class StatementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatementError';
  }
}
