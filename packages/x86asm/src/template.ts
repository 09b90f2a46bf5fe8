import { assemble } from './assembler.js';

function interpolate(strings: TemplateStringsArray, values: readonly unknown[]): string {
  return strings.reduce(
    (text, part, i) => text + part + (i < values.length ? String(values[i]) : ''),
    '',
  );
}

/**
 * Tagged template for 32-bit code at address 0: `asm\`mov eax, ${n}\``
 * returns the bytes. Interpolated values are pasted as text.
 */
export function asm(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  return assemble(interpolate(strings, values), { bits: 32 }).bytes;
}

/** Like `asm`, for 16-bit code. */
export function asm16(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  return assemble(interpolate(strings, values), { bits: 16 }).bytes;
}
