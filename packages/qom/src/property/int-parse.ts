/**
 * Number syntax of QEMU's string properties.
 *
 * QEMU reads integers with strtoll/strtoull in base 0, so `-device foo,irq=0x4`
 * is hex and `irq=010` is octal (8). Sizes take a binary suffix (`64M`, `1.5G`).
 * We parse into a bigint first so that range checks are exact even beyond 2^53.
 */

const INTEGER_SYNTAX = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/** An integer in C's base-0 syntax (decimal, 0x hex, leading-0 octal), or undefined. */
export function parseCInteger(text: string): bigint | undefined {
  const match = INTEGER_SYNTAX.exec(text);
  if (match === null) {
    return undefined;
  }
  const [, sign, body] = match as unknown as [string, string, string];
  let magnitude: bigint;
  if (body.length > 1 && (body[1] === 'x' || body[1] === 'X')) {
    magnitude = BigInt(body);
  } else if (body.length > 1 && body[0] === '0') {
    magnitude = BigInt(`0o${body.slice(1)}`);
  } else {
    magnitude = BigInt(body);
  }
  return sign === '-' ? -magnitude : magnitude;
}

const SIZE_UNITS: Readonly<Record<string, bigint>> = {
  b: 1n,
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
  p: 1n << 50n,
  e: 1n << 60n,
};

const SIZE_SYNTAX = /^(0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?)([bBkKmMgGtTpPeE]?)$/;

/**
 * A byte count as QEMU's qemu_strtosz reads it: `4096`, `0x1000`, `64M`, `1.5G`.
 * Suffixes are powers of 1024; a fraction needs a suffix and is rounded down
 * to whole bytes. Returns undefined for anything else.
 */
export function parseSize(text: string): bigint | undefined {
  const match = SIZE_SYNTAX.exec(text);
  if (match === null) {
    return undefined;
  }
  const [, number, suffix] = match as unknown as [string, string, string];
  const unit = SIZE_UNITS[suffix.toLowerCase() || 'b'] ?? 1n;
  if (number.startsWith('0x') || number.startsWith('0X')) {
    return BigInt(number) * unit;
  }
  const dot = number.indexOf('.');
  if (dot < 0) {
    return BigInt(number) * unit;
  }
  if (unit === 1n) {
    return undefined;
  }
  const whole = BigInt(number.slice(0, dot));
  const fractionDigits = number.slice(dot + 1);
  const fraction = BigInt(fractionDigits);
  const scale = 10n ** BigInt(fractionDigits.length);
  return whole * unit + (fraction * unit) / scale;
}
