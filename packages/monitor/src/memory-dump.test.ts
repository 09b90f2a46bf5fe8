import { describe, expect, it } from 'vitest';
import { formatPrintValue, memoryDump, quoteChar } from './memory-dump.js';

function dump(count: number, format: string, size: number, bytes: number[], bits = 64): string {
  let text = '';
  memoryDump(
    { count, format, size },
    0x100n,
    {
      addressBits: bits,
      addressDigits: bits / 4,
      read: (address, length) => {
        const offset = Number(address) - 0x100;
        return offset + length <= bytes.length
          ? Uint8Array.from(bytes.slice(offset, offset + length))
          : null;
      },
    },
    (line) => {
      text += line;
    },
  );
  return text;
}

describe('memory dump text', () => {
  it('prints signed items only as QEMU does: a 64-bit item with its top bit set is negative', () => {
    const ff = new Array(16).fill(0xff);
    expect(dump(2, 'd', 1, ff)).toBe('0000000000000100: 255 255\n');
    expect(dump(1, 'd', 4, ff)).toBe('0000000000000100: 4294967295\n');
    expect(dump(1, 'd', 8, ff)).toBe('0000000000000100:                   -1\n');
    expect(dump(1, 'u', 8, ff)).toBe('0000000000000100: 18446744073709551615\n');
  });

  it('pads octal items to the width of the largest value, with a leading 0', () => {
    expect(dump(3, 'o', 2, [0, 0, 8, 0, 0xff, 0xff])).toBe(
      '0000000000000100:      0    010 0177777\n',
    );
  });

  it('wraps virtual addresses at the target width', () => {
    let text = '';
    memoryDump(
      { count: 2, format: 'x', size: 1 },
      0xffffffffn,
      { addressBits: 32, addressDigits: 8, read: (_address, length) => new Uint8Array(length) },
      (line) => {
        text += line;
      },
    );
    expect(text).toBe('ffffffff: 0x00 0x00\n');
    expect(dump(9, 'x', 1, new Array(9).fill(1), 32)).toBe(
      '00000100: 0x01 0x01 0x01 0x01 0x01 0x01 0x01 0x01\n00000108: 0x01\n',
    );
  });

  it('quotes characters and prints values as hmp_print does', () => {
    expect(quoteChar(0x41)).toBe("'A'");
    expect(quoteChar(0x1b)).toBe("'\\x1b'");
    expect(quoteChar(-1)).toBe("'\\xffffffff'");
    expect(formatPrintValue(255n, 'x')).toBe('0xff');
    expect(formatPrintValue(0n, 'x')).toBe('0');
    expect(formatPrintValue(-2n, 'u')).toBe('18446744073709551614');
    expect(formatPrintValue(-2n, 'd')).toBe('-2');
    expect(formatPrintValue(8n, 'o')).toBe('010');
    expect(formatPrintValue(0x141n, 'c')).toBe("'\\x141'");
  });
});
