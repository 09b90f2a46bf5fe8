import { type FormatDefaults, parseArgsType, parseArguments } from './arguments.js';
import { isSpace, readCommandName, skipSpaces, splitWords } from './command-line.js';
import {
  type CommandContext,
  findCommand,
  type HmpCommand,
  matchesName,
  sortByName,
} from './command-table.js';
import { builtinCommands, builtinInfoCommands, infoCommandFromProvider } from './commands.js';
import type { MonitorInfoCommand, MonitorMachine } from './machine.js';

export interface HmpInterpreterOptions {
  /** The version shown by `info version` (and in the monitor's banner). */
  readonly version: string;
  /** The command-line history for `info history` (the line editor's). */
  readonly history?: () => readonly string[];
  /** Called by `quit`: the monitor stops taking input. */
  readonly suspendInput?: () => void;
}

/**
 * The HMP command interpreter without any terminal: it runs one command line
 * and prints what QEMU's monitor would print (QEMU's handle_hmp_command). The
 * `Monitor` feeds it the lines typed on a chardev; a QMP `human-monitor-command`
 * could feed it too.
 */
export class HmpInterpreter {
  /** Sorted by name, as QEMU sorts its tables. */
  private readonly infoTable: HmpCommand[];
  readonly commands: readonly HmpCommand[];
  /** The format `x`, `xp` and `print` reuse when none is given (hex words at first). */
  private readonly formatDefaults: FormatDefaults = { format: 'x', size: 4 };

  constructor(
    readonly machine: MonitorMachine,
    private readonly options: HmpInterpreterOptions,
  ) {
    this.infoTable = sortByName(builtinInfoCommands());
    for (const [name, provider] of Object.entries(machine.info ?? {})) {
      this.addInfoCommand(name, provider);
    }
    this.commands = sortByName(builtinCommands(this.infoTable));
  }

  /**
   * Adds an `info NAME` sub-command (the machine's `info` record is added at construction).
   * @throws Error if the name is taken.
   */
  addInfoCommand(name: string, provider: MonitorInfoCommand): void {
    if (this.infoTable.some((command) => matchesName(name, command.name))) {
      throw new Error(`info command '${name}' is already defined`);
    }
    const command = infoCommandFromProvider(name, provider);
    parseArgsType(command.argsType);
    this.infoTable.push(command);
    this.infoTable.splice(0, this.infoTable.length, ...sortByName(this.infoTable));
  }

  /**
   * Runs one command line, printing its output through `print` ("\n" line ends).
   * Returns a promise when the command finishes later (`screendump`).
   */
  execute(line: string, print: (text: string) => void): void | Promise<void> {
    const found = this.lookUp(line, 0, this.commands, print);
    if (!found) return;
    const { command, argsStart } = found;
    const context: CommandContext = {
      machine: this.machine,
      print,
      version: this.options.version,
      history: this.options.history ?? (() => []),
      commands: this.commands,
      suspendInput: this.options.suspendInput ?? (() => {}),
    };
    const parsed = parseArguments(parseArgsType(command.argsType), line, argsStart, {
      commandName: command.name,
      formatDefaults: this.formatDefaults,
      readRegister: (name) => this.readRegister(name),
    });
    if (!parsed.ok) {
      for (const message of parsed.messages) print(`${message}\n`);
      let end = argsStart;
      while (end > 0 && isSpace(line[end - 1])) end--;
      print(`Try "help ${line.slice(0, end)}" for more information\n`);
      return;
    }
    const report = (error: unknown) => {
      print(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    };
    try {
      const result = command.run(context, parsed.args);
      if (result instanceof Promise) return result.catch(report);
    } catch (error) {
      report(error);
    }
  }

  /**
   * Tab completion for the text before the cursor (QEMU's monitor_find_completion):
   * command names, `info` sub-commands, and command names after `help`.
   * `wordLength` is how much of the last word is already typed.
   */
  complete(lineBeforeCursor: string): { candidates: string[]; wordLength: number } {
    const words = splitWords(lineBeforeCursor);
    const none = { candidates: [], wordLength: 0 };
    if (!words) return none;
    if (lineBeforeCursor.length > 0 && isSpace(lineBeforeCursor[lineBeforeCursor.length - 1])) {
      words.push('');
    }
    return this.completeIn(this.commands, words) ?? none;
  }

  private completeIn(
    table: readonly HmpCommand[],
    words: readonly string[],
  ): { candidates: string[]; wordLength: number } | undefined {
    if (words.length <= 1) {
      const typed = words[0] ?? '';
      const candidates: string[] = [];
      for (const command of table) {
        for (const alias of command.name.split('|')) {
          if (alias.startsWith(typed) && !candidates.includes(alias)) candidates.push(alias);
        }
      }
      return { candidates, wordLength: typed.length };
    }
    const command = findCommand(table, words[0]);
    if (!command) return undefined;
    if (command.subTable) return this.completeIn(command.subTable, words.slice(1));
    if (command.name === 'help|?') return this.completeIn(table, words.slice(1));
    return undefined;
  }

  /** The command the line names, looking into sub-tables (QEMU's monitor_parse_command). */
  private lookUp(
    line: string,
    pos: number,
    table: readonly HmpCommand[],
    print: (text: string) => void,
  ): { command: HmpCommand; argsStart: number } | undefined {
    const name = readCommandName(line, pos);
    if (!name) return undefined;
    const command = findCommand(table, name.name);
    if (!command) {
      // QEMU quotes the line from its very start to the end of the unknown name.
      print(`unknown command: '${line.slice(0, name.end)}'\n`);
      return undefined;
    }
    const argsStart = skipSpaces(line, name.end);
    if (command.subTable && argsStart < line.length) {
      return this.lookUp(line, argsStart, command.subTable, print);
    }
    return { command, argsStart };
  }

  /** `$name`: the machine's register, sign-extended from the target's width as QEMU's target_long. */
  private readRegister(name: string): bigint | undefined {
    const value = this.machine.readRegister?.(name);
    if (value === undefined || !Number.isFinite(value)) return undefined;
    return BigInt.asIntN(this.machine.targetBits ?? 32, BigInt(Math.trunc(value)));
  }
}
