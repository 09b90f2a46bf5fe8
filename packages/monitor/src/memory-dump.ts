/**
 * The text of `x`, `xp` and `print` (QEMU's memory_dump, hmp_print and
 * monitor_printc), reproduced column for column so scripts written for QEMU's
 * monitor read ours unchanged.
 */

/** What a `/fmt` asks for: `/{count}{format}{size}`. */
export interface DumpFormat {
  /** Items to show. */
  readonly count: number;
  /** x (hex), d (signed), u (unsigned), o (octal), c (char) or i (instructions). */
  readonly format: string;
  /** Bytes per item: 1, 2, 4 or 8; -1 for `i` without a size. */
  readonly size: number;
}

/** A quoted character as QEMU's monitor_printc writes it: 'a', '\n', '\x00'. */
export function quoteChar(code: number): string {
  let body: string;
  if (code === 0x27) body = "\\'";
  else if (code === 0x5c) body = '\\\\';
  else if (code === 0x0a) body = '\\n';
  else if (code === 0x0d) body = '\\r';
  else if (code >= 32 && code <= 126) body = String.fromCharCode(code);
  // printf("%02x") of a C int: a negative value shows as its 32-bit pattern.
  else body = `\\x${(code >>> 0).toString(16).padStart(2, '0')}`;
  return `'${body}'`;
}

/** `print /fmt expr` (QEMU's hmp_print): the value as an unsigned 64-bit hwaddr. */
export function formatPrintValue(value: bigint, format: string): string {
  const unsigned = BigInt.asUintN(64, value);
  switch (format) {
    case 'o':
      // printf("%#o"): a leading 0, except for zero itself.
      return unsigned === 0n ? '0' : `0${unsigned.toString(8)}`;
    case 'x':
      // printf("%#x"): 0x, except for zero itself.
      return unsigned === 0n ? '0' : `0x${unsigned.toString(16)}`;
    case 'u':
      return unsigned.toString();
    case 'c':
      // monitor_printc takes a C int: the low 32 bits, signed.
      return quoteChar(Number(BigInt.asIntN(32, unsigned)));
    default:
      return BigInt.asIntN(64, unsigned).toString();
  }
}

/** Where `memoryDump` reads from and how it prints addresses. */
export interface DumpSource {
  /** Bytes at `address`, or null where nothing can be read ("Cannot access memory"). */
  read(address: bigint, length: number): Uint8Array | null;
  /** Hex digits of the address column: 16 for physical (hwaddr), 8 or 16 for virtual (target_ulong). */
  readonly addressDigits: number;
  /** Addresses wrap at this many bits (64 for physical, the target's width for virtual). */
  readonly addressBits: number;
}

/**
 * The lines of an `x`/`xp` dump (not `/i`): each starts with the address, then
 * 8 items of a byte dump or 16 bytes' worth of larger items, each after one space.
 * Every line ends with "\n". Reading stops at the first line that cannot be read.
 */
export function memoryDump(
  request: DumpFormat,
  start: bigint,
  source: DumpSource,
  print: (text: string) => void,
): void {
  let wordSize = request.size;
  // C int arithmetic: a huge count wraps, and a non-positive length prints nothing.
  let remaining = Math.imul(wordSize, request.count);
  const lineSize = wordSize === 1 ? 8 : 16;
  let maxDigits = 0;
  switch (request.format) {
    case 'o':
      maxDigits = Math.ceil((wordSize * 8) / 3);
      break;
    case 'u':
    case 'd':
      maxDigits = Math.ceil((wordSize * 8 * 10) / 33);
      break;
    case 'c':
      // Characters are bytes, whatever the size; the line length above used the size given.
      wordSize = 1;
      break;
    default:
      maxDigits = (wordSize * 8) / 4;
      break;
  }
  let address = BigInt.asUintN(source.addressBits, start);
  while (remaining > 0) {
    let line = `${address.toString(16).padStart(source.addressDigits, '0')}:`;
    const length = Math.min(remaining, lineSize);
    const bytes = source.read(address, length);
    if (!bytes || bytes.length < length) {
      print(`${line} Cannot access memory\n`);
      return;
    }
    for (let i = 0; i < length; i += wordSize) {
      line += ` ${formatItem(readLittleEndian(bytes, i, wordSize), request.format, maxDigits)}`;
    }
    print(`${line}\n`);
    address = BigInt.asUintN(source.addressBits, address + BigInt(length));
    remaining -= length;
  }
}

function readLittleEndian(bytes: Uint8Array, offset: number, size: number): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

function formatItem(value: bigint, format: string, width: number): string {
  switch (format) {
    case 'o':
      return (value === 0n ? '0' : `0${value.toString(8)}`).padStart(width, ' ');
    case 'u':
      return value.toString().padStart(width, ' ');
    case 'd':
      // QEMU prints the unsigned item with %PRId64: only a 64-bit item can look negative.
      return BigInt.asIntN(64, value).toString().padStart(width, ' ');
    case 'c':
      return quoteChar(Number(value));
    default:
      return `0x${value.toString(16).padStart(width, '0')}`;
  }
}
