/**
 * x87 mnemonics for the test programs (@tsemu/x86asm has none): `assembleX87(source)`
 * rewrites each x87 line and assembles the rest as usual.
 *
 * - Register and operand-less forms (`fadd st, st(3)`, `faddp st(1), st`, `fchs`,
 *   `fnstsw ax`) become `db` lines, with the encodings taken from the decoder's own form
 *   table (decode/x87.ts) read backwards.
 * - Memory forms (`fld qword [esi+8]`, `fnstenv [ebp]`, `o16 fnsave [bx]`) are assembled
 *   as `add [m], reg` with ModRM.reg = the x87 /digit, and the 0x01 opcode byte is then
 *   replaced by the escape byte: x86asm encodes the addressing (SIB, displacement,
 *   segment and address-size prefixes) exactly as it would for the x87 instruction.
 *   Sizes: word, dword, qword, tword; none for FLDENV/FNSTENV/FRSTOR/FNSAVE.
 * - `fwait` is 9B.
 */
import { assemble } from '@tsemu/x86asm';
import { lookupX87 } from '../../src/i386/decode/x87.js';

const SIZES: Record<string, number> = { word: 2, dword: 4, qword: 8, tword: 10 };
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];

interface Tables {
  /** "name size" -> [escape byte, /digit] */
  memory: Map<string, [number, number]>;
  /** "name operands" (no spaces) -> the two bytes */
  register: Map<string, [number, number]>;
  /** Every x87 mnemonic (and fwait). */
  names: Set<string>;
}

function buildTables(): Tables {
  const memory = new Map<string, [number, number]>();
  const register = new Map<string, [number, number]>();
  const names = new Set<string>(['fwait']);
  for (let opcode = 0xd8; opcode <= 0xdf; opcode++) {
    for (let reg = 0; reg < 8; reg++) {
      const form = lookupX87(opcode, reg << 3);
      if (!form) continue;
      memory.set(`${form.name} ${form.memSize}`, [opcode, reg]);
      names.add(form.name);
    }
    for (let modrm = 0xc0; modrm <= 0xff; modrm++) {
      const form = lookupX87(opcode, modrm);
      if (!form) continue;
      names.add(form.name);
      const operands = form.operands.map((o) => (o === 'st(i)' ? `st(${modrm & 7})` : o));
      const key = `${form.name} ${operands.join(',')}`.trim();
      // The first encoding wins (D8 fcom before DC fcom2 ...), as assemblers pick it.
      if (!register.has(key)) register.set(key, [opcode, modrm]);
    }
  }
  return { memory, register, names };
}

let tables: Tables | null = null;

function hex(b: number): string {
  return `0x${b.toString(16)}`;
}

/**
 * Assembles `source` (x86asm syntax plus x87 mnemonics). `bits` is the starting mode;
 * `bits 16`/`bits 32` lines inside the source are followed.
 */
export function assembleX87(source: string, options: { bits?: 16 | 32; org?: number } = {}) {
  tables ??= buildTables();
  const { memory, register, names } = tables;
  let bits = options.bits ?? 32;
  const patches = new Map<number, number>();
  const lines = source.split('\n').map((line, index) => {
    const code = line.replace(/;.*$/, '');
    const directive = /^\s*(?:\[\s*)?bits\s+(16|32)/i.exec(code);
    if (directive) bits = Number(directive[1]) as 16 | 32;
    const m = /^(\s*(?:[.\w]+:\s*)?)(o16\s+|o32\s+)?(f\w+)(?=\s|$)\s*(.*)$/i.exec(code);
    if (!m || !names.has(m[3].toLowerCase())) return line;
    const [, label, sizePrefix, rawName, rawOperands] = m;
    const name = rawName.toLowerCase();
    const operands = rawOperands.trim().toLowerCase();
    if (name === 'fwait') return `${label}db 0x9b`;
    if (operands.includes('[')) {
      const sized = /^(word|dword|qword|tword)\s+(.*)$/.exec(operands);
      const size = sized ? SIZES[sized[1]] : 0;
      const address = sized ? sized[2] : operands;
      // Without a size keyword, a name with a single memory form takes it (fldcw, fnstsw).
      const only = [...memory.keys()].filter((k) => k.startsWith(`${name} `));
      const form =
        memory.get(`${name} ${size}`) ??
        (sized ? undefined : only.length === 1 ? memory.get(only[0]) : undefined);
      if (!form) throw new Error(`x87-asm: no memory form '${name}' of ${size} bytes`);
      const opSize = sizePrefix ? (sizePrefix.trim() === 'o16' ? 16 : 32) : bits;
      patches.set(index + 1, form[0]);
      const regName = (opSize === 16 ? REG16 : REG32)[form[1]];
      return `${label}add ${address}, ${regName}`;
    }
    const key = `${name} ${operands.replace(/\s+/g, '')}`.trim();
    const bytes = register.get(key);
    if (!bytes) throw new Error(`x87-asm: unknown x87 form '${key}'`);
    return `${label}db ${hex(bytes[0])}, ${hex(bytes[1])}`;
  });
  const program = assemble(lines.join('\n'), { bits: options.bits ?? 32, org: options.org ?? 0 });
  for (const entry of program.listing) {
    const escapeByte = patches.get(entry.line);
    if (escapeByte === undefined) continue;
    let at = entry.offset;
    while ([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67].includes(program.bytes[at])) at++;
    if (program.bytes[at] !== 0x01) throw new Error(`x87-asm: cannot patch line ${entry.line}`);
    program.bytes[at] = escapeByte;
  }
  return program;
}
