/**
 * The small lexical pieces of the HMP command line (QEMU's monitor/hmp.c):
 * white space, command names, and the quoted-or-bare word reader `get_str`.
 * Positions are indices into the line; every reader returns where it stopped.
 */

/** C's isspace(): space, tab, newline, vertical tab, form feed, carriage return. */
export function isSpace(char: string | undefined): boolean {
  return (
    char === ' ' ||
    char === '\t' ||
    char === '\n' ||
    char === '\v' ||
    char === '\f' ||
    char === '\r'
  );
}

export function skipSpaces(line: string, pos: number): number {
  while (pos < line.length && isSpace(line[pos])) pos++;
  return pos;
}

/**
 * The command name at `pos` (after white space): everything up to the end, a
 * space or a `/` (so `x/4xw` names `x`). Undefined for a blank line.
 */
export function readCommandName(
  line: string,
  pos: number,
): { name: string; end: number } | undefined {
  const start = skipSpaces(line, pos);
  if (start >= line.length) return undefined;
  let end = start;
  while (end < line.length && line[end] !== '/' && !isSpace(line[end])) end++;
  return { name: line.slice(start, end), end };
}

/**
 * One word (QEMU's get_str): either bare, up to the next white space, or in
 * double quotes with the escapes \n \r \\ \' \". Undefined when there is no
 * word, the quotes are not closed, or an escape is unknown.
 */
export function readWord(line: string, pos: number): { value: string; end: number } | undefined {
  let p = skipSpaces(line, pos);
  if (p >= line.length) return undefined;
  let value = '';
  if (line[p] === '"') {
    p++;
    while (p < line.length && line[p] !== '"') {
      if (line[p] === '\\') {
        const escaped = line[p + 1];
        p += 2;
        if (escaped === 'n') value += '\n';
        else if (escaped === 'r') value += '\r';
        else if (escaped === '\\' || escaped === "'" || escaped === '"') value += escaped;
        else return undefined;
      } else {
        value += line[p++];
      }
    }
    if (line[p] !== '"') return undefined;
    return { value, end: p + 1 };
  }
  while (p < line.length && !isSpace(line[p])) value += line[p++];
  return { value, end: p };
}

/** Split a line into words with `readWord` (QEMU's parse_cmdline, at most 16). Undefined if a word is malformed. */
export function splitWords(line: string): string[] | undefined {
  const words: string[] = [];
  let pos = 0;
  for (;;) {
    pos = skipSpaces(line, pos);
    if (pos >= line.length) return words;
    if (words.length >= 16) return undefined;
    const word = readWord(line, pos);
    if (!word) return undefined;
    words.push(word.value);
    pos = word.end;
  }
}
