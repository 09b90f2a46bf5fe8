/**
 * The `-d` log items, named as QEMU names them, and the parser for `-d` strings.
 *
 * Each item switches on one kind of diagnostic output. Most are written by other packages
 * (the JIT writes `in_asm`, `op`, `op_opt`, `out_asm`, `exec`, `cpu`; device models write
 * `guest_errors` and `unimp`); this package only knows their names.
 */

/** One `-d` item: its name and the line `-d help` prints for it. */
export interface LogItemInfo {
  readonly name: string;
  readonly help: string;
}

/** Every item `-d` accepts, in the order `-d help` lists them. */
export const LOG_ITEMS = [
  { name: 'out_asm', help: 'show the host code generated for each translated block' },
  { name: 'in_asm', help: 'show the guest instructions of each translated block' },
  { name: 'op', help: 'show the IR ops of each translated block' },
  { name: 'op_opt', help: 'show the IR ops after the optimizer ran' },
  { name: 'int', help: 'show interrupts and exceptions, one line each' },
  { name: 'exec', help: 'show each translated block as it is entered (very verbose)' },
  { name: 'cpu', help: 'show the CPU registers before entering a block (very verbose)' },
  { name: 'fpu', help: "add the FPU registers to the 'cpu' output" },
  { name: 'mmu', help: 'show page walks, TLB fills and MMU faults' },
  { name: 'pcall', help: 'x86: show protected-mode far calls, returns and exceptions' },
  { name: 'cpu_reset', help: 'show the CPU state before each CPU reset' },
  { name: 'unimp', help: 'report guest use of functionality that is not implemented' },
  {
    name: 'guest_errors',
    help: 'report invalid guest actions (e.g. an access to a register that does not exist)',
  },
  { name: 'page', help: 'dump the page mappings at start (user-mode emulation)' },
  { name: 'nochain', help: "do not chain translated blocks, so 'exec' and 'cpu' see every block" },
  { name: 'plugin', help: 'output of TCG plugins' },
  { name: 'strace', help: 'show every system call with arguments and result (user mode)' },
  { name: 'tid', help: "one log file per thread; the -D file name must contain '%d'" },
  { name: 'invalid_mem', help: 'report guest accesses to unassigned memory' },
] as const satisfies readonly LogItemInfo[];

/** The name of a `-d` item (`trace:PATTERN` items are plain strings). */
export type LogItemName = (typeof LOG_ITEMS)[number]['name'];

const ITEM_NAMES: ReadonlySet<string> = new Set(LOG_ITEMS.map((item) => item.name));

/** True if `name` is one of {@link LOG_ITEMS}. */
export function isLogItemName(name: string): name is LogItemName {
  return ITEM_NAMES.has(name);
}

/** What a `-d` string asked for. */
export interface LogSelection {
  /** `-d help` (alone or in the list): print {@link logUsage} instead of running. */
  readonly help: boolean;
  readonly items: ReadonlySet<LogItemName>;
  /** Patterns of `trace:PATTERN` items, `*` matching any run of characters. */
  readonly tracePatterns: readonly string[];
}

/** A `-d` string names an item that does not exist. */
export class LogItemError extends Error {
  constructor(readonly item: string) {
    super(
      item === ''
        ? "empty log item in -d list (use '-d help' to list the items)"
        : `unknown log item '${item}' (use '-d help' to list the items)`,
    );
    this.name = 'LogItemError';
  }
}

/**
 * Parses a `-d` argument: a comma separated list of item names, `all` for every item,
 * `trace:PATTERN` for trace events, `help` for the list. Throws {@link LogItemError} for an
 * unknown item (QEMU prints the usage and exits 1; the CLI does the printing).
 */
export function parseLogItems(spec: string): LogSelection {
  const items = new Set<LogItemName>();
  const tracePatterns: string[] = [];
  let help = false;
  for (const part of spec.split(',')) {
    if (part === 'help') {
      help = true;
    } else if (part === 'all') {
      for (const item of LOG_ITEMS) items.add(item.name);
    } else if (part.startsWith('trace:') && part.length > 'trace:'.length) {
      tracePatterns.push(part.slice('trace:'.length));
    } else if (isLogItemName(part)) {
      items.add(part);
    } else {
      throw new LogItemError(part);
    }
  }
  return { help, items, tracePatterns };
}

/** The text `-d help` prints. */
export function logUsage(): string {
  const lines = ['Log items (comma separated):'];
  for (const item of LOG_ITEMS) lines.push(`${item.name.padEnd(15)} ${item.help}`);
  lines.push(`${'all'.padEnd(15)} every item above`);
  lines.push(
    `${'trace:PATTERN'.padEnd(15)} enable the trace events matching PATTERN ('*' wildcard)`,
  );
  return `${lines.join('\n')}\n`;
}

/** Compiles a `trace:` pattern (only `*` is special) into a matcher. */
export function traceMatcher(pattern: string): (event: string) => boolean {
  const escaped = pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const regexp = new RegExp(`^${escaped.join('.*')}$`);
  return (event) => regexp.test(event);
}
