/**
 * QEMU-style command-line parsing: options start with one dash (two are
 * accepted too, as QEMU does), and each option either takes an argument or not.
 * Only options that tsemu really implements are known; anything else is an
 * error naming the option, never silently ignored.
 */

export interface OptionSpec {
  /** Option name without dashes, e.g. "m" or "kernel". */
  name: string;
  /** Whether the option takes an argument (`-m 256`). */
  hasArg: boolean;
  /** One line for `-h`. */
  help: string;
  /** Placeholder for the argument in `-h`, e.g. "megs". */
  argName?: string;
}

export interface ParsedOption {
  name: string;
  value?: string;
}

/** A user mistake on the command line: reported in one line, exit status 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseOptions(
  argv: readonly string[],
  specs: readonly OptionSpec[],
): ParsedOption[] {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const parsed: ParsedOption[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-') || word === '-') {
      throw new UsageError(`${word}: unexpected argument (options start with '-')`);
    }
    const name = word.replace(/^--?/, '');
    const spec = byName.get(name);
    if (spec === undefined) {
      throw new UsageError(`${word}: invalid option`);
    }
    if (spec.hasArg) {
      const value = argv[i + 1];
      if (value === undefined) {
        throw new UsageError(`${word}: requires an argument`);
      }
      parsed.push({ name, value });
      i++;
    } else {
      parsed.push({ name });
    }
  }
  return parsed;
}

export function formatHelp(specs: readonly OptionSpec[]): string {
  const lines = specs.map((spec) => {
    const left = spec.hasArg ? `-${spec.name} ${spec.argName ?? 'arg'}` : `-${spec.name}`;
    return `${left.padEnd(24)} ${spec.help}`;
  });
  return lines.join('\n');
}
