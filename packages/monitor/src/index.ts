/**
 * @tsemu/monitor: QEMU's human monitor (HMP) for tsemu: the `(qemu) ` prompt on a
 * character device, with `info`, `x`/`xp`, `print`, `stop`/`cont`, `system_reset`,
 * `system_powerdown`, `screendump`, `quit` and `help`. The machine hands it what it
 * needs through the structural `MonitorMachine` interface.
 */

export type { ArgValue, CommandArgs } from './arguments.js';
export type { CommandContext, HmpCommand } from './command-table.js';
export {
  type ExpressionResult,
  evaluateExpression,
  type RegisterReader,
} from './expression.js';
export { HmpInterpreter, type HmpInterpreterOptions } from './interpreter.js';
export {
  type DisassembledInstruction,
  MonitorError,
  type MonitorInfoCommand,
  type MonitorMachine,
  type ScreendumpOptions,
} from './machine.js';
export {
  type DumpFormat,
  type DumpSource,
  formatPrintValue,
  memoryDump,
  quoteChar,
} from './memory-dump.js';
export { MONITOR_PROMPT, Monitor, type MonitorOptions } from './monitor.js';
export {
  READLINE_MAX_HISTORY,
  READLINE_MAX_LINE,
  ReadLine,
  type ReadLineHost,
} from './readline.js';
