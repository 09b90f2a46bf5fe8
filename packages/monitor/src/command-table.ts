import type { CommandArgs } from './arguments.js';
import type { MonitorMachine } from './machine.js';

/** What a command handler gets besides its arguments. */
export interface CommandContext {
  readonly machine: MonitorMachine;
  /** Monitor output; "\n" ends a line (the monitor sends "\r\n"). */
  print(text: string): void;
  /** The version in the banner and `info version`. */
  readonly version: string;
  /** The command-line history, oldest first (`info history`). */
  history(): readonly string[];
  /** The top-level command table (for `help`). */
  readonly commands: readonly HmpCommand[];
  /** Take no more input after this command (QEMU's monitor_suspend in `quit`). */
  suspendInput(): void;
}

/**
 * One HMP command, as an entry of QEMU's hmp-commands.hx: `name` lists the
 * aliases separated by `|` (`cont|c`), `argsType` says how to parse the
 * arguments (see arguments.ts), `params` and `help` are what `help` prints.
 */
export interface HmpCommand {
  readonly name: string;
  readonly argsType: string;
  readonly params: string;
  readonly help: string;
  run(context: CommandContext, args: CommandArgs): void | Promise<void>;
  /** Sub-commands (`info`): `info status` is looked up here. */
  readonly subTable?: readonly HmpCommand[];
}

/** Whether `typed` is one of the `|`-separated names in `name` (QEMU's hmp_compare_cmd). */
export function matchesName(typed: string, name: string): boolean {
  return name.split('|').includes(typed);
}

export function findCommand(table: readonly HmpCommand[], typed: string): HmpCommand | undefined {
  return table.find((command) => matchesName(typed, command.name));
}

/** QEMU sorts its tables by name with strcmp at startup; `help` lists them in that order. */
export function sortByName(table: readonly HmpCommand[]): HmpCommand[] {
  return [...table].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function helpLine(command: HmpCommand, prefix: readonly string[]): string {
  const lead = prefix.map((word) => `${word} `).join('');
  return `${lead}${command.name} ${command.params} -- ${command.help}\n`;
}

/**
 * `help WORDS` (QEMU's help_cmd_dump): everything in the table, or the entry
 * the words name, descending into sub-tables (`help info status`).
 */
export function printHelp(
  table: readonly HmpCommand[],
  words: readonly string[],
  print: (text: string) => void,
  index = 0,
): void {
  if (index >= words.length) {
    for (const command of table) print(helpLine(command, words.slice(0, index)));
    return;
  }
  const command = findCommand(table, words[index]);
  if (!command) {
    print(`unknown command: '${words.slice(0, index + 1).join(' ')}'\n`);
    return;
  }
  if (command.subTable) printHelp(command.subTable, words, print, index + 1);
  else print(helpLine(command, words.slice(0, index)));
}
