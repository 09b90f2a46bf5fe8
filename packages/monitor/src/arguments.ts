import { isSpace, readWord, skipSpaces } from './command-line.js';
import { evaluateExpression, type RegisterReader } from './expression.js';

/**
 * Command arguments, parsed as QEMU's monitor_parse_arguments parses them from
 * a command's `args_type` string: comma-separated `key:type` entries with
 *
 * | type | argument |
 * |---|---|
 * | `s` | a word (quotes allowed) |
 * | `F` | a file name (a word) |
 * | `S` | the rest of the line |
 * | `/` | a `/{count}{format}{size}` format, stored as `count`, `format`, `size` |
 * | `l` | an expression (64-bit) |
 * | `i` | an expression that must fit in 32 bits |
 * | `-x` | a flag `-x`; `-xs` a flag with a word after it |
 *
 * A `?` after the type makes the argument optional.
 */

export type ArgValue = string | bigint | boolean | number;
export type CommandArgs = ReadonlyMap<string, ArgValue>;

interface ArgSpec {
  readonly key: string;
  readonly type: string;
  readonly optional: boolean;
  /** For `-` options: the option letter and whether a word follows it. */
  readonly optionChar?: string;
  readonly optionTakesValue?: boolean;
}

/** The `x`/`xp`/`print` format remembered between commands (QEMU's default_fmt_format/size). */
export interface FormatDefaults {
  format: string;
  size: number;
}

export interface ArgumentContext {
  /** The command's full name (`print|p`), as QEMU puts it in its messages. */
  readonly commandName: string;
  readonly formatDefaults: FormatDefaults;
  readonly readRegister: RegisterReader;
}

export type ArgumentResult =
  | { ok: true; args: CommandArgs }
  | { ok: false; messages: readonly string[] };

export function parseArgsType(argsType: string): readonly ArgSpec[] {
  if (argsType === '') return [];
  return argsType.split(',').map((entry) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`bad args_type entry '${entry}'`);
    const key = entry.slice(0, colon);
    const type = entry[colon + 1];
    const rest = entry.slice(colon + 2);
    if (type === '-') {
      return { key, type, optional: true, optionChar: rest[0], optionTakesValue: rest[1] === 's' };
    }
    if (!'sFSli/'.includes(type) || (rest !== '' && rest !== '?')) {
      throw new Error(`unsupported args_type entry '${entry}'`);
    }
    return { key, type, optional: rest === '?' };
  });
}

const fail = (...messages: string[]): ArgumentResult => ({ ok: false, messages });

/** Parse `line` from `pos` against `specs`. */
export function parseArguments(
  specs: readonly ArgSpec[],
  line: string,
  pos: number,
  context: ArgumentContext,
): ArgumentResult {
  const args = new Map<string, ArgValue>();
  const name = context.commandName;
  let p = pos;
  for (let index = 0; index < specs.length; index++) {
    const spec = specs[index];
    p = skipSpaces(line, p);
    const atEnd = p >= line.length;
    switch (spec.type) {
      case 's':
      case 'F': {
        if (spec.optional && atEnd) break;
        const word = readWord(line, p);
        if (!word) return fail(`${name}: ${spec.type === 'F' ? 'filename' : 'string'} expected`);
        args.set(spec.key, word.value);
        p = word.end;
        break;
      }
      case 'S': {
        if (spec.optional && atEnd) break;
        if (atEnd) return fail(`${name}: string expected`);
        args.set(spec.key, line.slice(p));
        p = line.length;
        break;
      }
      case '/': {
        const format = parseFormat(line, p, context.formatDefaults);
        if (!format.ok) return fail(format.message);
        args.set('count', format.count);
        args.set('format', format.format);
        args.set('size', format.size);
        p = format.end;
        break;
      }
      case 'l':
      case 'i': {
        if (spec.optional && atEnd) break;
        const result = evaluateExpression(line, p, context.readRegister);
        if (!result.ok) return fail(result.message);
        // QEMU checks the high 32 bits of the 64-bit value: -1 is too big too.
        if (spec.type === 'i' && BigInt.asUintN(64, result.value) >> 32n !== 0n) {
          return fail(`'${name}' has failed: integer is for 32-bit values`);
        }
        args.set(spec.key, result.value);
        p = result.end;
        break;
      }
      case '-': {
        if (line[p] !== '-') break;
        const letter = line[p + 1];
        if (letter !== spec.optionChar) {
          // Another option, for a later entry; or no option this command knows.
          const later = specs
            .slice(index + 1)
            .some((s) => s.type === '-' && s.optionChar === letter);
          if (!later) return fail(`${name}: unsupported option -${letter ?? ''}`);
          break;
        }
        p += 2;
        if (spec.optionTakesValue) {
          const word = readWord(line, p);
          if (!word) return fail(`${name}: value expected for -${letter}`);
          args.set(spec.key, word.value);
          p = word.end;
        } else {
          args.set(spec.key, true);
        }
        break;
      }
      default:
        return fail(`${name}: unknown type '${spec.type}'`);
    }
  }
  p = skipSpaces(line, p);
  if (p < line.length) return fail(`${name}: extraneous characters at the end of line`);
  return { ok: true, args };
}

type FormatResult =
  | { ok: true; count: number; format: string; size: number; end: number }
  | { ok: false; message: string };

/**
 * `/{count}{format}{size}`: a missing format or size is the one used last (hex
 * words at first); a format given without a size keeps the last size, except
 * `i`, whose size means "as the CPU runs" (-1) unless given.
 */
function parseFormat(line: string, pos: number, defaults: FormatDefaults): FormatResult {
  let p = pos;
  if (line[p] !== '/') {
    const format = defaults.format;
    return { ok: true, count: 1, format, size: format === 'i' ? -1 : defaults.size, end: p };
  }
  p++;
  let count = 1;
  if (/[0-9]/.test(line[p] ?? '')) {
    count = 0;
    // C int arithmetic, as QEMU's loop.
    while (/[0-9]/.test(line[p] ?? '')) count = (Math.imul(count, 10) + Number(line[p++])) | 0;
  }
  let format = '';
  let size = -1;
  for (;;) {
    const char = line[p];
    if (char !== undefined && 'oduxic'.includes(char)) format = char;
    else if (char === 'b') size = 1;
    else if (char === 'h') size = 2;
    else if (char === 'w') size = 4;
    else if (char === 'g' || char === 'L') size = 8;
    else break;
    p++;
  }
  if (p < line.length && !isSpace(line[p])) {
    return { ok: false, message: `invalid char in format: '${line[p]}'` };
  }
  if (format === '') format = defaults.format;
  if (format !== 'i') {
    if (size < 0) size = defaults.size;
    defaults.size = size;
  }
  defaults.format = format;
  return { ok: true, count, format, size, end: p };
}
