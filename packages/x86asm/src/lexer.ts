import { StatementError } from './errors.js';

/**
 * Tokens of one source line. The assembler is line-oriented like NASM, so
 * the lexer works on a single line and stops at a `;` comment.
 */
export type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'number'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'string'; bytes: number[] }
  | { kind: 'punct'; text: string };

const IDENT_START = /[A-Za-z_.?@]/;
const IDENT_PART = /[A-Za-z0-9_.?@$#~]/;
const PUNCTUATION = ['<<', '>>', '//', '%%', '[', ']', '(', ')', ',', ':', '+', '-', '*', '/', '%'];
const SINGLE_PUNCT = '&|^~!';

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ';') break;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '$') {
      // `$$` is the section start, `$` the current statement; `$0f` is hex (old NASM style).
      if (line[i + 1] === '$') {
        tokens.push({ kind: 'ident', text: '$$' });
        i += 2;
      } else if (/[0-9]/.test(line[i + 1] ?? '')) {
        let j = i + 1;
        while (j < line.length && /[0-9A-Fa-f_]/.test(line[j])) j++;
        tokens.push({
          kind: 'number',
          value: BigInt(`0x${line.slice(i + 1, j).replace(/_/g, '')}`),
        });
        i = j;
      } else if (IDENT_START.test(line[i + 1] ?? '')) {
        // `$name` forces `name` to be read as an identifier even if it is a keyword.
        let j = i + 1;
        while (j < line.length && IDENT_PART.test(line[j])) j++;
        tokens.push({ kind: 'ident', text: line.slice(i + 1, j) });
        i = j;
      } else {
        tokens.push({ kind: 'ident', text: '$' });
        i++;
      }
      continue;
    }
    if (/[0-9]/.test(c)) {
      const match = /^[0-9][0-9A-Za-z_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?/.exec(line.slice(i));
      const text = match![0];
      tokens.push(parseNumber(text));
      i += text.length;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < line.length && IDENT_PART.test(line[j])) j++;
      tokens.push({ kind: 'ident', text: line.slice(i, j) });
      i = j;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const [bytes, end] = readString(line, i);
      tokens.push({ kind: 'string', bytes });
      i = end;
      continue;
    }
    const punct = PUNCTUATION.find((p) => line.startsWith(p, i));
    if (punct) {
      tokens.push({ kind: 'punct', text: punct });
      i += punct.length;
      continue;
    }
    if (SINGLE_PUNCT.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
      continue;
    }
    throw new StatementError(`unexpected character '${c}'`);
  }
  return tokens;
}

/** NASM's numeric forms: 0x1f, 1fh, $1f, 0b101, 101b, 0o17, 17q, 0d99, 99d, 1_000, 1.5e3. */
function parseNumber(text: string): Token {
  const t = text.replace(/_/g, '').toLowerCase();
  const tryRadix = (digits: string, radix: number): Token | null => {
    const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-f]+$/ }[radix];
    if (!valid?.test(digits)) return null;
    const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[radix];
    return { kind: 'number', value: BigInt(`${prefix}${digits}`) };
  };
  let token: Token | null = null;
  if (/^[0-9]+(\.[0-9]*)?(e[+-]?[0-9]+)?$/.test(t) && /[.e]/.test(t)) {
    return { kind: 'float', value: Number.parseFloat(t) };
  }
  if (t.startsWith('0x') || t.startsWith('0h')) token = tryRadix(t.slice(2), 16);
  else if (t.endsWith('h')) token = tryRadix(t.slice(0, -1), 16);
  else if (t.startsWith('0b') || t.startsWith('0y')) token = tryRadix(t.slice(2), 2);
  else if (t.startsWith('0o') || t.startsWith('0q')) token = tryRadix(t.slice(2), 8);
  else if (t.startsWith('0d') || t.startsWith('0t')) token = tryRadix(t.slice(2), 10);
  else if (t.endsWith('b') || t.endsWith('y')) token = tryRadix(t.slice(0, -1), 2);
  else if (t.endsWith('o') || t.endsWith('q')) token = tryRadix(t.slice(0, -1), 8);
  else if (t.endsWith('d') || t.endsWith('t')) token = tryRadix(t.slice(0, -1), 10);
  else token = tryRadix(t, 10);
  if (!token) throw new StatementError(`bad number '${text}'`);
  return token;
}

/** Reads a quoted string starting at `start`; backquoted strings take C escapes. */
function readString(line: string, start: number): [number[], number] {
  const quote = line[start];
  const bytes: number[] = [];
  let i = start + 1;
  while (i < line.length && line[i] !== quote) {
    let c = line[i];
    if (quote === '`' && c === '\\') {
      i++;
      c = line[i] ?? '';
      const simple: Record<string, number> = {
        n: 10,
        r: 13,
        t: 9,
        '0': 0,
        '\\': 92,
        "'": 39,
        '"': 34,
        '`': 96,
        a: 7,
        b: 8,
        e: 27,
        f: 12,
        v: 11,
      };
      if (c === 'x') {
        const hex = /^[0-9A-Fa-f]{1,2}/.exec(line.slice(i + 1));
        if (!hex) throw new StatementError('bad \\x escape');
        bytes.push(Number.parseInt(hex[0], 16));
        i += 1 + hex[0].length;
        continue;
      }
      if (!(c in simple)) throw new StatementError(`unknown escape '\\${c}'`);
      bytes.push(simple[c]);
      i++;
      continue;
    }
    bytes.push(...new TextEncoder().encode(c));
    i++;
  }
  if (i >= line.length) throw new StatementError('unterminated string');
  return [bytes, i + 1];
}
