import { buildConfig } from './config.js';
import { OPTION_SPECS } from './option-table.js';
import { formatHelp, parseOptions, UsageError } from './options.js';
import { helpOutput, runMachine } from './run-machine.js';
import { TSEMU_VERSION } from './version.js';

export { OPTION_SPECS };

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

/**
 * Runs the command and returns its exit status (QEMU's conventions: 0 after a guest
 * poweroff or `quit`, isa-debug-exit's status, 1 with one line on stderr for a mistake).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
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
    const config = buildConfig(options);
    if (config.help) {
      io.stdout(helpOutput(config));
      return 0;
    }
    return await runMachine(config, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tsemu: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
