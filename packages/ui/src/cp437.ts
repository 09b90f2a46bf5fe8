/**
 * Code page 437: the character set of the PC's text modes (the VGA BIOS font). Text grids
 * hold CP437 codes; terminals and tests want Unicode.
 */

// One string of 16 characters per row of the code page. Codes 0x00-0x1f and 0x7f are the
// glyphs the PC font draws for them (smileys, arrows...), except 0x00, which shows blank.
const ROWS = [
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼',
  '►◄↕‼¶§▬↨↑↓→←∟↔▲▼',
  ' !"#$%&\'()*+,-./',
  '0123456789:;<=>?',
  '@ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZ[\\]^_',
  '`abcdefghijklmno',
  'pqrstuvwxyz{|}~⌂',
  'ÇüéâäàåçêëèïîìÄÅ',
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ',
  'áíóúñÑªº¿⌐¬½¼¡«»',
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐',
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧',
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀',
  'αßΓπΣσµτΦΘΩδ∞φε∩',
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
];

/** CP437 code (0-255) to its Unicode character. */
export const CP437_TO_UNICODE: readonly string[] = ROWS.flatMap((row) => [...row]);

const UNICODE_TO_CP437: ReadonlyMap<string, number> = new Map(
  CP437_TO_UNICODE.map((ch, code) => [ch, code] as const),
);

/** The Unicode character of a CP437 code (only the low 8 bits count). */
export function cp437ToUnicode(code: number): string {
  return CP437_TO_UNICODE[code & 0xff];
}

/** The CP437 code of a character, or undefined if the code page has none. */
export function unicodeToCp437(ch: string): number | undefined {
  return UNICODE_TO_CP437.get(ch);
}
