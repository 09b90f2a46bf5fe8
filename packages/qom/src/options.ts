/**
 * QEMU's option strings: `driver,key=value,key2=value2` (QemuOpts syntax).
 *
 * - Elements are separated by `,`; a literal comma inside a value is `,,`.
 * - With an implied key (e.g. `driver` for -device), a first element without
 *   `=` is that key's value: `isa-serial,chardev=s0`.
 * - A later element without `=` is a flag: `foo` means `foo=on`, `nofoo`
 *   means `foo=off`.
 * - `help` or `?` as a flag asks for help.
 * - A trailing comma is ignored.
 */
import { err, ok, type Result } from './errors.js';

export interface ParsedOptions {
  /** Every key/value pair in order; a key may repeat. */
  readonly entries: ReadonlyArray<readonly [key: string, value: string]>;
  /** True when a `help` or `?` flag was given. */
  readonly help: boolean;
}

/** The last value given for `key` (later values override earlier ones, as in QEMU). */
export function optionValue(options: ParsedOptions, key: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of options.entries) {
    if (k === key) {
      value = v;
    }
  }
  return value;
}

/** Whether an option value asks for help (QEMU's is_help_option). */
export function isHelpOption(value: string | undefined): boolean {
  return value === 'help' || value === '?';
}

/** Read a value from `pos` up to a single comma; `,,` is a literal comma. */
function readValue(text: string, pos: number): { value: string; next: number } {
  let value = '';
  let i = pos;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === ',') {
      if (text[i + 1] === ',') {
        value += ',';
        i += 2;
        continue;
      }
      break;
    }
    value += ch;
    i++;
  }
  return { value, next: i };
}

export function parseOptionString(text: string, impliedKey?: string): Result<ParsedOptions> {
  const entries: Array<readonly [string, string]> = [];
  let help = false;
  let pos = 0;
  let first = true;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const nameEnd = rest.search(/[=,]/);
    const nameLength = nameEnd < 0 ? rest.length : nameEnd;
    const hasValue = nameEnd >= 0 && rest[nameEnd] === '=';
    let next: number;
    if (hasValue) {
      const key = rest.slice(0, nameLength);
      if (key === '') {
        return err(`Invalid option '${text}': an element has '=' but no parameter name`);
      }
      const read = readValue(text, pos + nameLength + 1);
      entries.push([key, read.value]);
      next = read.next;
    } else if (first && impliedKey !== undefined) {
      const read = readValue(text, pos);
      entries.push([impliedKey, read.value]);
      next = read.next;
    } else {
      const flag = rest.slice(0, nameLength);
      next = pos + nameLength;
      if (isHelpOption(flag)) {
        help = true;
      } else if (flag === '') {
        return err(`Invalid option '${text}': empty parameter`);
      } else if (flag.startsWith('no') && flag.length > 2) {
        entries.push([flag.slice(2), 'off']);
      } else {
        entries.push([flag, 'on']);
      }
    }
    first = false;
    // Skip the separating comma.
    pos = next < text.length ? next + 1 : next;
  }
  return ok({ entries, help });
}

/** Write options back in QEMU syntax, escaping commas in values. */
export function formatOptionString(
  entries: ReadonlyArray<readonly [string, string]>,
  impliedKey?: string,
): string {
  return entries
    .map(([key, value], index) => {
      const escaped = value.replaceAll(',', ',,');
      return index === 0 && key === impliedKey ? escaped : `${key}=${escaped}`;
    })
    .join(',');
}
