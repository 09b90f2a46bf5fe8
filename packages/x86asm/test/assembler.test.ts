import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssemblyError, asm, asm16, assemble } from '../src/index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes32 = (source: string) => hex(assemble(source, { bits: 32 }).bytes);
const bytes16 = (source: string) => hex(assemble(source, { bits: 16 }).bytes);

function errorsOf(source: string, bits: 16 | 32 = 32): string[] {
  try {
    assemble(source, { bits });
  } catch (e) {
    if (e instanceof AssemblyError) return e.diagnostics.map((d) => `${d.line}: ${d.message}`);
    throw e;
  }
  throw new Error('expected an AssemblyError');
}

describe('README example', () => {
  it('assembles to the bytes the README shows', () => {
    // Read the example out of the README so that it cannot rot.
    const readme = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '../README.md'),
      'utf8',
    );
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    const source = /assemble\(`([\s\S]*?)`\)/.exec(example)![1];
    const shown = /program\.bytes; \/\/ Uint8Array \[([^\]]*)\]/.exec(example)![1];
    const program = assemble(source);
    expect(Array.from(program.bytes)).toEqual(shown.split(',').map((b) => Number(b)));
    expect(program.symbol('start')).toBe(Number(/symbol\('start'\); \/\/ (\w+)/.exec(example)![1]));
  });
});

describe('labels and symbols', () => {
  it('resolves forward and backward references, $ and $$', () => {
    const program = assemble(`
      org 0x7c00
      jmp near end
    here: dd $, $$, here, end
    end: dw end - here
    `);
    expect(program.symbol('here')).toBe(0x7c05);
    expect(program.symbol('end')).toBe(0x7c15);
    expect(hex(program.bytes)).toBe(
      'e910000000' + '057c0000' + '007c0000' + '057c0000' + '157c0000' + '1000',
    );
  });

  it('scopes .local labels under the last global label', () => {
    const program = assemble(`
    first:
    .loop: dec ecx
      jnz .loop
    second:
    .loop: jmp .loop
    `);
    expect(program.symbol('first.loop')).toBe(0);
    expect(program.symbol('second.loop')).toBe(3);
    expect(hex(program.bytes)).toBe('4975fdebfe');
  });

  it('defines constants with equ, also before they are used or after', () => {
    const program = assemble(`
      mov eax, BUFFER_END
      BUFFER equ 0x8000
      BUFFER_END equ BUFFER + SIZE
      SIZE equ 0x100
    `);
    expect(hex(program.bytes)).toBe('b800810000');
    expect(program.symbol('BUFFER_END')).toBe(0x8100);
  });

  it('takes predefined symbols from the options', () => {
    expect(hex(assemble('mov al, PORT', { symbols: { PORT: 0x60 } }).bytes)).toBe('b060');
  });

  it('accepts labels without a colon before data, as NASM does', () => {
    const program = assemble(`msg db 'hi', 0\nlen equ $ - msg`);
    expect(program.symbol('len')).toBe(3);
  });
});

describe('data and layout directives', () => {
  it('fills a boot sector with times and ends it with the signature', () => {
    const program = assemble(`
      bits 16
      org 0x7c00
      cli
      hlt
      times 510-($-$$) db 0
      dw 0xaa55
    `);
    expect(program.bytes.length).toBe(512);
    expect(hex(program.bytes.subarray(0, 2))).toBe('faf4');
    expect(hex(program.bytes.subarray(510))).toBe('55aa');
  });

  it('writes strings, character constants, escapes and padded units', () => {
    expect(bytes32('db \'ab\', `\\n\\x41\\0`, "q"')).toBe('61620a410071');
    expect(bytes32("dw 'abc'")).toBe('61626300');
    expect(bytes32("dd 'ab'")).toBe('61620000');
    expect(bytes32("mov eax, 'ABCD'")).toBe('b841424344');
    expect(bytes32('db -1, 255, 0x7f')).toBe('ffff7f');
  });

  it('takes negative checksums down to -2^bits, as Multiboot headers write them', () => {
    expect(bytes32('dd -(0xe85250d6 + 16)')).toBe('1aafad17');
    expect(bytes32('dd -(0x1badb002 + 3)')).toBe('fb4f52e4');
    expect(errorsOf('db 256\ndw -0x10001')).toEqual([
      '1: value 256 does not fit in 8 bits',
      '2: value -65537 does not fit in 16 bits',
    ]);
  });

  it('writes 64-bit values and floating-point constants', () => {
    expect(bytes32('dq 0x1122334455667788, -1')).toBe('8877665544332211ffffffffffffffff');
    expect(bytes32('dd 1.5, -2.0')).toBe('0000c03f000000c0');
    expect(bytes32('dq 1.0')).toBe('000000000000f03f');
  });

  it('aligns with NOPs (align) or zeros (alignb), and reserves zeros', () => {
    expect(bytes32('db 1\nalign 4\ndb 2')).toBe('0190909002');
    expect(bytes32('db 1\nalignb 4\ndb 2')).toBe('0100000002');
    expect(bytes32('db 1\nalign 4, 0xcc\ndb 2')).toBe('01cccccc02');
    expect(bytes32('resb 2\nresw 1\ndb 7')).toBe('0000000007');
  });

  it('lists where each line went', () => {
    const program = assemble('nop\n\nmov eax, 1\n');
    expect(program.listing.map((l) => [l.line, l.offset, l.length])).toEqual([
      [1, 0, 1],
      [2, 1, 0],
      [3, 1, 5],
      [4, 6, 0],
    ]);
  });
});

describe('expressions', () => {
  it('follows NASM precedence', () => {
    expect(bytes32('dd 1 + 2 * 3, (1 + 2) * 3, 1 << 4 | 1, 7 & 3 ^ 1, -8 / 2, 17 % 5, ~0')).toBe(
      '07000000' + '09000000' + '11000000' + '02000000' + 'fcffffff' + '02000000' + 'ffffffff',
    );
  });

  it('reads every numeric notation', () => {
    expect(bytes32('db 0x10, 10h, $10, 0b101, 101b, 0o17, 17q, 0d9, 1_0')).toBe(
      '1010100505' + '0f0f090a',
    );
  });

  it('computes like BigInt arithmetic truncated to 32 bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000000, max: 1000000 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.constantFrom('+', '-', '*', '&', '|', '^'),
        (a, b, op) => {
          const expected = {
            '+': a + b,
            '-': a - b,
            '*': a * b,
            '&': a & b,
            '|': a | b,
            '^': a ^ b,
          }[op];
          const out = assemble(`dd (${a}) ${op} (${b})`).bytes;
          return new DataView(out.buffer).getInt32(0, true) === (expected | 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('instructions', () => {
  it('prefers the short forms GNU as picks', () => {
    expect(bytes32('add eax, 1')).toBe('83c001');
    expect(bytes32('add eax, 0x1000')).toBe('0500100000');
    expect(bytes32('mov eax, [0x1234]')).toBe('a134120000');
    expect(bytes32('shl eax, 1')).toBe('d1e0');
    expect(bytes32('int 3')).toBe('cc');
    expect(bytes32('xchg ebx, eax')).toBe('93');
    expect(bytes32('inc eax')).toBe('40');
  });

  it('encodes every 16-bit address form', () => {
    expect(bytes16('mov ax, [bx+si]\nmov ax, [bp]\nmov ax, [bp+di+0x1234]\nmov ax, [0x1234]')).toBe(
      '8b00' + '8b4600' + '8b833412' + 'a13412',
    );
  });

  it('adds operand- and address-size prefixes for the other size', () => {
    expect(bytes16('mov eax, [ebx]')).toBe('67668b03');
    expect(bytes32('mov ax, [bx]')).toBe('67668b07');
    expect(bytes32('o16 movsb\na16 stosd\no16 push 5')).toBe('66a4' + '67ab' + '666a05');
  });

  it('leaves out a segment override that names the default segment, like GNU as', () => {
    expect(
      bytes32('mov eax, [ds:ebx]\nmov eax, [ss:ebp]\nmov eax, [ds:ebp]\nmov eax, [es:ebx]'),
    ).toBe('8b03' + '8b4500' + '3e8b4500' + '268b03');
  });

  it('takes GNU-style operand spellings too', () => {
    expect(bytes32('mov eax, dword ptr fs:[ebx]')).toBe(bytes32('mov eax, [fs:ebx]'));
  });

  it('splits NASM-style scales of 3, 5 and 9 and keeps GNU as scale-only indexes', () => {
    expect(bytes32('lea eax, [ebx*3]')).toBe('8d045b');
    expect(bytes32('lea eax, [ebx*2]')).toBe('8d045d00000000');
    expect(bytes32('lea eax, [ebx*1]')).toBe('8d041d00000000');
  });

  it('forces displacement sizes with [byte ...] and [dword ...]', () => {
    expect(bytes32('mov eax, [dword ebx]')).toBe('8b8300000000');
    expect(bytes32('mov eax, [byte ebx]')).toBe('8b4300');
  });

  it('writes far jumps and calls, direct and through memory', () => {
    expect(bytes32('jmp 0x08:0x100000')).toBe('ea000010000800');
    expect(bytes16('jmp 0xf000:0xe05b')).toBe('ea5be000f0');
    expect(bytes16('jmp dword 0x08:0x12345678')).toBe('66ea785634120800');
    expect(bytes32('jmp far [eax]\ncall far [ebx]')).toBe('ff28ff1b');
    expect(bytes16('jmp far [bx]')).toBe('ff2f');
  });

  it('reads jmp dword [x] in 16-bit code as a near jump with a 32-bit operand (NASM, not GNU as)', () => {
    expect(bytes16('jmp dword [bx]')).toBe('66ff27');
    expect(bytes16('call word [bx]')).toBe('ff17');
  });

  it('encodes system instructions', () => {
    expect(bytes32('lgdt [gdtr]\nmov cr0, eax\nltr ax\nmov eax, dr6\niretd\nhlt\ngdtr: dw 0')).toBe(
      '0f011512000000' + '0f22c0' + '0f00d8' + '0f21f0' + 'cf' + 'f4' + '0000',
    );
  });

  it('knows the instructions GNU as lacks', () => {
    expect(bytes32('salc\nicebp\nint1\nretn\nretn 4')).toBe('d6f1f1c3c20400');
  });

  it('accepts prefixes as words, alone or before an instruction', () => {
    expect(bytes32('rep movsd\nrepne scasb\nlock xadd [eax], ecx\nfs lodsb')).toBe(
      'f3a5' + 'f2ae' + 'f00fc108' + '64ac',
    );
    expect(bytes32('o16\nrep')).toBe('66f3');
  });

  it('defaults unsized PUSH, POP, JMP and CALL memory operands to the code size', () => {
    expect(bytes32('push [eax]\njmp [eax]')).toBe('ff30ff20');
    expect(bytes16('push [bx]')).toBe('ff37');
  });
});

describe('a whole program', () => {
  it('assembles a boot sector that enters protected mode, as GNU as does', () => {
    const program = assemble(`
      bits 16
      org 0x7c00
    start:
      cli
      xor ax, ax
      mov ds, ax
      mov ss, ax
      mov sp, 0x7c00
      lgdt [gdtr]
      mov eax, cr0
      or al, 1
      mov cr0, eax
      jmp 0x08:pm_entry
      bits 32
    pm_entry:
      mov ax, 0x10
      mov ds, ax
      mov es, ax
      mov ss, ax
      mov esp, 0x90000
      mov dx, 0xe9
      mov al, 'A'
      out dx, al
      hlt
      align 8
    gdt:
      dq 0
      dq 0x00cf9a000000ffff
      dq 0x00cf92000000ffff
    gdtr:
      dw gdtr - gdt - 1
      dd gdt
    `);
    // GNU as 2.40 on the same program (.code16/.code32); it pads `align` with one
    // 5-byte NOP (8d 74 26 00 90) where we write five 90s.
    const gas =
      'fa31c08ed88ed0bc007c0f0116507c0f20c00c010f22c0ea1c7c080066b810008ed88ec08ed0bc00000900' +
      '66bae900b041eef4' +
      '8d74260090' +
      '0000000000000000ffff0000009acf00ffff00000092cf001700387c0000';
    expect(hex(program.bytes)).toBe(gas.replace('8d74260090', '9090909090'));
    expect(program.symbol('pm_entry')).toBe(0x7c1c);
  });
});

describe('branch relaxation', () => {
  it('uses rel8 when the target is near and rel32 otherwise, forward and backward', () => {
    const program = assemble(`
    top:
      jz near_target
      jz far_target
      times 200 nop
    near_target: jmp top
    far_target: jmp top
    `);
    const b = program.bytes;
    // 200 NOPs between them: neither jz reaches with rel8.
    expect(hex(b.subarray(0, 12))).toBe('0f84ce000000' + '0f84cd000000');
    expect(program.symbol('near_target')).toBe(212);
    expect(hex(b.subarray(212, 217))).toBe('e927ffffff');
    expect(hex(b.subarray(217, 222))).toBe('e922ffffff');
  });

  it('keeps short branches short when they reach', () => {
    expect(bytes32('a: jmp b\nnop\nb: jnz a')).toBe('eb01' + '90' + '75fb');
  });

  it('honours short and near', () => {
    expect(bytes32('jmp near x\nx:')).toBe('e900000000');
    const [error] = errorsOf('jmp short x\ntimes 200 nop\nx:');
    expect(error).toMatch(/^1: short jump out of range/);
  });

  it('reports LOOP and JCXZ targets out of reach', () => {
    expect(errorsOf('x: times 200 nop\nloop x')).toEqual([
      '2: short jump out of range (-202 bytes)',
    ]);
    expect(bytes16('x: jcxz x\njecxz x')).toBe('e3fe' + '67e3fb');
  });
});

describe('errors', () => {
  it('reports every bad line with its number', () => {
    const errors = errorsOf(
      'nop\nfoo eax\nmov [eax], 1\nadd eax\nlock mov [eax], ebx\nmov al, 300\n',
    );
    expect(errors).toEqual([
      "2: unknown instruction 'foo'",
      '3: operation size not specified (write byte, word or dword)',
      "4: no form of 'add' takes these operands",
      "5: 'lock' is not allowed on 'mov' with these operands (use db 0xf0 to test #UD)",
      "6: no form of 'mov' takes these operands",
    ]);
  });

  it('reports undefined symbols and duplicate labels', () => {
    expect(errorsOf('jmp nowhere')).toEqual(["0: undefined symbol 'nowhere'"]);
    expect(errorsOf('a: nop\na: nop')).toEqual(["2: 'a' is defined twice"]);
  });

  it('rejects impossible addresses', () => {
    expect(errorsOf('mov eax, [esp*2]')).toEqual(['1: esp cannot be an index register']);
    expect(errorsOf('mov ax, [bx+bp]', 16)).toEqual([
      '1: 16-bit addresses take [bx|bp + si|di + disp]',
    ]);
    expect(errorsOf('mov eax, [ebx+cx]')).toEqual(['1: bad register in memory operand']);
    expect(errorsOf('mov ax, [0x12345]', 16)).toEqual([
      '1: displacement out of range for a 16-bit address',
    ]);
  });

  it('says what the source was called', () => {
    expect(() => assemble('bad', { name: 'boot.asm' })).toThrow(
      /^boot\.asm:1: unknown instruction 'bad'/,
    );
  });
});

describe('tagged templates', () => {
  it('assembles 32-bit and 16-bit snippets with interpolated values', () => {
    const port = 0x3f8;
    expect(
      hex(asm`mov dx, ${port}
      out dx, al`),
    ).toBe('66baf803ee');
    expect(hex(asm16`mov ax, ${0x1234}`)).toBe('b83412');
  });
});
