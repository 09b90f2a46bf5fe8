import { isSpace, skipSpaces } from './command-line.js';

/**
 * The monitor's integer expressions (QEMU's get_expr in monitor/hmp.c), as
 * `x`, `xp` and `print` take them: 64-bit signed arithmetic with
 *
 *   sum     := logic (('+' | '-') logic)*
 *   logic   := product (('&' | '|' | '^') product)*
 *   product := unary (('*' | '/' | '%') unary)*
 *   unary   := ('+' | '-' | '~') unary | '(' sum ')' | "'" char "'" | '$' register | number
 *
 * Numbers are read as C's strtoull with base 0: `0x1f` hex, `017` octal,
 * `42` decimal. As in QEMU, `&` `|` `^` bind tighter than `+` `-`.
 * Values are BigInts wrapped to int64 after every step, as C's int64_t wraps.
 */

/** Reads a register for `$name`; undefined when there is no such register. */
export type RegisterReader = (name: string) => bigint | undefined;

export type ExpressionResult =
  | { ok: true; value: bigint; end: number }
  | { ok: false; message: string; end: number };

const int64 = (value: bigint): bigint => BigInt.asIntN(64, value);
const UINT64_MAX = (1n << 64n) - 1n;

/** Thrown inside the evaluator to unwind to `evaluateExpression`, as QEMU's siglongjmp. */
class ExpressionError extends Error {}

class ExpressionParser {
  constructor(
    private readonly text: string,
    public pos: number,
    private readonly readRegister: RegisterReader,
  ) {}

  /** The character at the current position (a method, so TypeScript does not narrow it across calls). */
  private current(): string | undefined {
    return this.text[this.pos];
  }

  /** Step over one character and the white space after it (QEMU's next()). */
  private next(): void {
    if (this.pos < this.text.length) this.pos = skipSpaces(this.text, this.pos + 1);
  }

  private fail(message: string): never {
    throw new ExpressionError(message);
  }

  sum(): bigint {
    let value = this.logic();
    for (;;) {
      const op = this.current();
      if (op !== '+' && op !== '-') return value;
      this.next();
      const right = this.logic();
      value = int64(op === '+' ? value + right : value - right);
    }
  }

  private logic(): bigint {
    let value = this.product();
    for (;;) {
      const op = this.current();
      if (op !== '&' && op !== '|' && op !== '^') return value;
      this.next();
      const right = this.product();
      value = int64(op === '&' ? value & right : op === '|' ? value | right : value ^ right);
    }
  }

  private product(): bigint {
    let value = this.unary();
    for (;;) {
      const op = this.current();
      if (op !== '*' && op !== '/' && op !== '%') return value;
      this.next();
      const right = this.unary();
      if (op === '*') {
        value = int64(value * right);
      } else {
        if (right === 0n) this.fail('division by zero');
        // BigInt division truncates toward zero, as C's does.
        value = int64(op === '/' ? value / right : value % right);
      }
    }
  }

  private unary(): bigint {
    switch (this.current()) {
      case '+':
        this.next();
        return this.unary();
      case '-':
        this.next();
        return int64(-this.unary());
      case '~':
        this.next();
        return int64(~this.unary());
      case '(': {
        this.next();
        const value = this.sum();
        if (this.current() !== ')') this.fail("')' expected");
        this.next();
        return value;
      }
      case "'": {
        this.pos++;
        if (this.pos >= this.text.length) this.fail('character constant expected');
        const value = BigInt(this.text.charCodeAt(this.pos));
        this.pos++;
        if (this.current() !== "'") this.fail("missing terminating ' character");
        this.next();
        return value;
      }
      case '$':
        return this.register();
      case undefined:
        return this.fail('unexpected end of expression');
      default:
        return this.number();
    }
  }

  private register(): bigint {
    this.pos++;
    const start = this.pos;
    while (this.pos < this.text.length && /[A-Za-z0-9_.]/.test(this.text[this.pos])) this.pos++;
    const name = this.text.slice(start, this.pos);
    this.pos = skipSpaces(this.text, this.pos);
    const value = this.readRegister(name);
    if (value === undefined) this.fail('unknown register');
    return int64(value);
  }

  /** strtoull(text, &end, 0): hex after 0x, octal after a leading 0, else decimal. */
  private number(): bigint {
    const start = this.pos;
    let p = start;
    let radix = 10;
    let digits = /[0-9]/;
    if (
      this.text[p] === '0' &&
      /[xX]/.test(this.text[p + 1] ?? '') &&
      /[0-9a-fA-F]/.test(this.text[p + 2] ?? '')
    ) {
      radix = 16;
      digits = /[0-9a-fA-F]/;
      p += 2;
    } else if (this.text[p] === '0') {
      radix = 8;
      digits = /[0-7]/;
    }
    const digitsStart = p;
    while (p < this.text.length && digits.test(this.text[p])) p++;
    if (p === digitsStart) {
      this.fail(`invalid char '${this.text[start]}' in expression`);
    }
    const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : '';
    const value = BigInt(prefix + this.text.slice(digitsStart, p));
    if (value > UINT64_MAX) this.fail('number too large');
    this.pos = p;
    while (isSpace(this.current())) this.pos++;
    return int64(value);
  }
}

/** Evaluate the expression starting at `pos` in `text`; stops at the first character it cannot use. */
export function evaluateExpression(
  text: string,
  pos: number,
  readRegister: RegisterReader,
): ExpressionResult {
  const parser = new ExpressionParser(text, skipSpaces(text, pos), readRegister);
  try {
    const value = parser.sum();
    return { ok: true, value, end: parser.pos };
  } catch (error) {
    if (error instanceof ExpressionError)
      return { ok: false, message: error.message, end: parser.pos };
    throw error;
  }
}
