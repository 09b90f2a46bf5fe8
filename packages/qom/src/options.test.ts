import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { unwrap } from './errors.js';
import { formatOptionString, optionValue, parseOptionString } from './options.js';

describe('QEMU option strings', () => {
  test('driver,key=value pairs with an implied first key', () => {
    const parsed = unwrap(parseOptionString('isa-serial,chardev=s0,iobase=0x3f8', 'driver'));
    expect(parsed.entries).toEqual([
      ['driver', 'isa-serial'],
      ['chardev', 's0'],
      ['iobase', '0x3f8'],
    ]);
    expect(parsed.help).toBe(false);
  });

  test('a doubled comma is a literal comma, in the implied value too', () => {
    const parsed = unwrap(parseOptionString('file,,name,path=/a,,b,,,x=1', 'driver'));
    expect(parsed.entries).toEqual([
      ['driver', 'file,name'],
      ['path', '/a,b,'],
      ['x', '1'],
    ]);
  });

  test('values may contain = and be empty; a trailing comma is ignored', () => {
    const parsed = unwrap(
      parseOptionString('append=console=ttyS0 root=/dev/sda,initrd=,', undefined),
    );
    expect(parsed.entries).toEqual([
      ['append', 'console=ttyS0 root=/dev/sda'],
      ['initrd', ''],
    ]);
  });

  test('flags: foo is foo=on, nofoo is foo=off, help and ? ask for help', () => {
    const parsed = unwrap(parseOptionString('e1000,multifunction,noromboot,help', 'driver'));
    expect(parsed.entries).toEqual([
      ['driver', 'e1000'],
      ['multifunction', 'on'],
      ['romboot', 'off'],
    ]);
    expect(parsed.help).toBe(true);
    expect(unwrap(parseOptionString('e1000,?', 'driver')).help).toBe(true);
  });

  test('without an implied key the first element is a flag or key=value', () => {
    expect(unwrap(parseOptionString('accel=tcg,usb', undefined)).entries).toEqual([
      ['accel', 'tcg'],
      ['usb', 'on'],
    ]);
  });

  test('a later value for the same key wins', () => {
    const parsed = unwrap(parseOptionString('x,irq=3,irq=4', 'driver'));
    expect(optionValue(parsed, 'irq')).toBe('4');
    expect(optionValue(parsed, 'iobase')).toBeUndefined();
  });

  test('malformed elements are refused', () => {
    const missingName = parseOptionString('a,=5', 'driver');
    expect(!missingName.ok && missingName.error.message).toBe(
      "Invalid option 'a,=5': an element has '=' but no parameter name",
    );
    // After a flag, ",," is not an escape: it leaves an empty element, as in QEMU.
    expect(parseOptionString('a,b,,', undefined).ok).toBe(false);
    expect(parseOptionString(',x=1', undefined).ok).toBe(false);
  });

  test('formatting and parsing round-trip any values', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
    fc.assert(
      // An implied value containing '=' reads as key=value, in QEMU too.
      fc.property(
        fc.string().filter((d) => !d.includes('=')),
        fc.array(fc.tuple(key, fc.string()), { maxLength: 5 }),
        (driver, pairs) => {
          const entries: Array<[string, string]> = [['driver', driver], ...pairs];
          const text = formatOptionString(entries, 'driver');
          const parsed = parseOptionString(text, 'driver');
          // An empty driver alone is the empty string, which has no elements at all.
          if (text === '') {
            return;
          }
          expect(unwrap(parsed).entries).toEqual(entries);
        },
      ),
    );
  });
});

test('any text parses to a result, never an exception', () => {
  fc.assert(
    fc.property(
      fc.string(),
      fc.option(fc.constant('driver'), { nil: undefined }),
      (text, implied) => {
        expect(typeof parseOptionString(text, implied).ok).toBe('boolean');
      },
    ),
  );
});
