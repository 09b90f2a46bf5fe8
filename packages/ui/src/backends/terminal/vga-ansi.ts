/**
 * PC text attributes as ANSI/ECMA-48 "select graphic rendition" sequences.
 *
 * The PC's 16 text colours are the 8 ANSI colours and their bright versions, in a different
 * order: the PC counts blue, green, red as bits 0, 1, 2; ANSI counts red, green, blue.
 */

/** ANSI colour number (0-7) of each PC colour's low 3 bits. */
export const PC_TO_ANSI_COLOR: readonly number[] = [0, 4, 2, 6, 1, 5, 3, 7];

/**
 * The SGR sequence for a PC attribute byte: foreground bits 0-3, background bits 4-7; with
 * `blinkAttribute`, bit 7 is blink (shown with SGR 5) and the background has 8 colours.
 */
export function attributeSgr(attribute: number, blinkAttribute: boolean): string {
  const fg = attribute & 0x0f;
  const blink = blinkAttribute && (attribute & 0x80) !== 0;
  const bg = blinkAttribute ? (attribute >> 4) & 0x07 : (attribute >> 4) & 0x0f;
  const fgCode = (fg & 8 ? 90 : 30) + PC_TO_ANSI_COLOR[fg & 7];
  const bgCode = (bg & 8 ? 100 : 40) + PC_TO_ANSI_COLOR[bg & 7];
  return `\x1b[0;${fgCode};${bgCode}${blink ? ';5' : ''}m`;
}
