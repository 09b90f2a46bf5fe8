import { formatHelp, type OptionSpec, parseOptions, UsageError } from './options.js';
import { TSEMU_VERSION } from './version.js';

/** The options this build of tsemu understands. Grows as features land. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'h', hasArg: false, help: 'display this help and exit' },
  { name: 'help', hasArg: false, help: 'display this help and exit' },
  { name: 'version', hasArg: false, help: 'display version information and exit' },
];

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export function versionText(): string {
  return `tsemu emulator version ${TSEMU_VERSION}\nA PC system emulator in TypeScript, modelled on QEMU.\n`;
}

export function helpText(): string {
  return `${versionText()}usage: tsemu [options]\n\n${formatHelp(OPTION_SPECS)}\n`;
}

/** Runs the command and returns its exit status (QEMU's conventions). */
export function runCli(argv: readonly string[], io: CliIo): number {
  try {
    const options = parseOptions(argv, OPTION_SPECS);
    for (const option of options) {
      if (option.name === 'h' || option.name === 'help') {
        io.stdout(helpText());
        return 0;
      }
      if (option.name === 'version') {
        io.stdout(versionText());
        return 0;
      }
    }
    io.stderr('tsemu: no machine to run yet: this build knows only -version and -h\n');
    return 1;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tsemu: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
