import { describe, expect, it } from 'vitest';
import { evaluateExpression } from './expression.js';

const registers: Record<string, bigint> = { eax: 5n, 'st0.x': 7n };
const evaluate = (text: string) => evaluateExpression(text, 0, (name) => registers[name]);
const value = (text: string) => {
  const result = evaluate(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
};

describe('monitor expressions', () => {
  it('reads numbers as strtoull with base 0 does', () => {
    expect(value('42')).toBe(42n);
    expect(value('0x2A')).toBe(42n);
    expect(value('052')).toBe(42n);
    expect(value('0')).toBe(0n);
    expect(value('0xffffffffffffffff')).toBe(-1n);
  });

  it('binds & | ^ tighter than + - , and * / % tighter still', () => {
    expect(value('1 + 2 * 3')).toBe(7n);
    expect(value('1 + 6 & 3')).toBe(3n); // 1 + (6 & 3)
    expect(value('(1 + 6) & 3')).toBe(3n);
    expect(value('8 | 1 - 1')).toBe(8n); // (8 | 1) - 1
    expect(value('7 % 4 * 2')).toBe(6n);
    expect(value('-7 / 2')).toBe(-3n);
    expect(value('~0')).toBe(-1n);
    expect(value("'A' + 1")).toBe(66n);
  });

  it('wraps at 64 bits', () => {
    expect(value('0x7fffffffffffffff + 1')).toBe(-(2n ** 63n));
    expect(value('0x100000000 * 0x100000000')).toBe(0n);
  });

  it('reads registers, with dots in their names', () => {
    expect(value('$eax * 2')).toBe(10n);
    expect(value('$st0.x')).toBe(7n);
  });

  it("stops at the first character it cannot use and says where, as QEMU's messages do", () => {
    expect(evaluate('5 zz')).toEqual({ ok: true, value: 5n, end: 2 });
    expect(evaluate('09')).toEqual({ ok: true, value: 0n, end: 1 });
    expect(evaluate('zz')).toMatchObject({ ok: false, message: "invalid char 'z' in expression" });
    expect(evaluate('')).toMatchObject({ ok: false, message: 'unexpected end of expression' });
    expect(evaluate('$ebp')).toMatchObject({ ok: false, message: 'unknown register' });
    expect(evaluate('4 % 0')).toMatchObject({ ok: false, message: 'division by zero' });
    expect(evaluate("'")).toMatchObject({ ok: false, message: 'character constant expected' });
    expect(evaluate("'ab'")).toMatchObject({
      ok: false,
      message: "missing terminating ' character",
    });
    expect(evaluate('0x10000000000000000')).toMatchObject({
      ok: false,
      message: 'number too large',
    });
  });
});
