import { FORM_TABLE } from './table.js';

/** What an operand of a form accepts (see table.ts for the notation). */
export type SpecKind =
  | 'gpr'
  | 'fixed'
  | 'sreg'
  | 'cr'
  | 'dr'
  | 'rm'
  | 'mem'
  | 'imm'
  | 'rel'
  | 'far'
  | 'moffs';

export interface OperandSpec {
  kind: SpecKind;
  /** Size in bytes; 0 = any (for `m`). */
  size: number;
  /** Fixed register name (`fixed`), or a variant: s8 one three mp mfar nocs. */
  detail: string;
}

export type ImmediateSlot = { type: 'imm' | 'rel' | 'ptr' | 'moffs'; size: number };

export interface Form {
  mnemonic: string;
  specs: OperandSpec[];
  /** Operand size in bits given to the instruction (66 prefix when it differs from the code size), or 0. */
  opsize: 0 | 16 | 32;
  /** Address size in bits that the form implies (JCXZ/JECXZ), or 0. */
  addrsize: 0 | 16 | 32;
  opcode: number[];
  /** Add the register operand's number to the last opcode byte. */
  plusReg: boolean;
  /** ModRM: null, 'r' (register operand in reg), 'rr' (same register in reg and rm), or a fixed reg field. */
  modrm: null | 'r' | 'rr' | number;
  immediates: ImmediateSlot[];
  lockable: boolean;
  /** Operands without a written size take the code's default size. */
  defaultSize: boolean;
}

const V_SPECS = new Set([
  'rv',
  'rmv',
  'mv',
  'immv',
  'accv',
  'relv',
  'farv',
  'moffsv',
  'mp',
  'mfar',
]);

function parseSpec(text: string, opsize: number): OperandSpec {
  const bytes = opsize / 8;
  const v = (name: string) => name.replace(/v$/, String(opsize));
  switch (text) {
    case 'al':
    case 'cl':
      return { kind: 'fixed', size: 1, detail: text };
    case 'ax':
    case 'dx':
      return { kind: 'fixed', size: 2, detail: text };
    case 'eax':
      return { kind: 'fixed', size: 4, detail: text };
    case 'accv':
      return { kind: 'fixed', size: bytes, detail: opsize === 16 ? 'ax' : 'eax' };
    case 'es':
    case 'cs':
    case 'ss':
    case 'ds':
    case 'fs':
    case 'gs':
      return { kind: 'fixed', size: 2, detail: text };
    case 'sreg':
    case 'sreg_nocs':
      return { kind: 'sreg', size: 2, detail: text === 'sreg_nocs' ? 'nocs' : '' };
    case 'cr':
    case 'dr':
      return { kind: text, size: 4, detail: '' };
    case 'm':
      return { kind: 'mem', size: 0, detail: '' };
    case 'mp':
    case 'mfar':
      return { kind: 'mem', size: bytes + 2, detail: text };
    case 's8':
    case 'one':
    case 'three':
      return { kind: 'imm', size: 1, detail: text };
  }
  const match = /^(r|rm|m|imm|rel|far|moffs)(8|16|32|64|v)$/.exec(text);
  if (!match) throw new Error(`x86asm form table: bad operand '${text}'`);
  const size = Number(v(match[2]).replace(/^\D*/, '')) / 8;
  const kinds: Record<string, SpecKind> = {
    r: 'gpr',
    rm: 'rm',
    m: 'mem',
    imm: 'imm',
    rel: 'rel',
    far: 'far',
    moffs: 'moffs',
  };
  return { kind: kinds[match[1]], size, detail: '' };
}

function parseLine(line: string): Form[] {
  const [head, encoding, flagText = ''] = line.split(':').map((s) => s.trim());
  const [mnemonic, operandText = ''] = head.split(/\s+/, 2);
  const specTexts = operandText ? operandText.split(',') : [];
  const tokens = encoding.split(/\s+/);
  const flags = flagText.split(/\s+/).filter(Boolean);
  const sized = specTexts.some((s) => V_SPECS.has(s)) || tokens.includes('ov');
  const sizes: (16 | 32 | 0)[] = sized ? [16, 32] : [0];
  return sizes.map((size) => {
    let opsize: 0 | 16 | 32 = size;
    const form: Form = {
      mnemonic,
      specs: specTexts.map((s) => parseSpec(s, size || 32)),
      opsize,
      addrsize: flags.includes('a16') ? 16 : flags.includes('a32') ? 32 : 0,
      opcode: [],
      plusReg: false,
      modrm: null,
      immediates: [],
      lockable: flags.includes('lock'),
      defaultSize: flags.includes('dsz'),
    };
    for (const token of tokens) {
      if (token === 'ov') continue;
      if (token === 'o16' || token === 'o32') {
        opsize = token === 'o16' ? 16 : 32;
        form.opsize = opsize;
      } else if (/^[0-9a-f]{2}$/.test(token)) form.opcode.push(Number.parseInt(token, 16));
      else if (/^[0-9a-f]{2}\+r$/.test(token)) {
        form.opcode.push(Number.parseInt(token.slice(0, 2), 16));
        form.plusReg = true;
      } else if (token === '/r') form.modrm = 'r';
      else if (token === '/rr') form.modrm = 'rr';
      else if (/^\/[0-7]$/.test(token)) form.modrm = Number(token[1]);
      else if (/^i[bwdv]$/.test(token))
        form.immediates.push({ type: 'imm', size: slotSize(token[1], opsize) });
      else if (/^j[bwdv]$/.test(token))
        form.immediates.push({ type: 'rel', size: slotSize(token[1], opsize) });
      else if (token === 'ptr') form.immediates.push({ type: 'ptr', size: opsize / 8 });
      else if (token === 'mo') form.immediates.push({ type: 'moffs', size: 0 });
      else throw new Error(`x86asm form table: bad encoding token '${token}' in '${line}'`);
    }
    return form;
  });
}

function slotSize(letter: string, opsize: number): number {
  return { b: 1, w: 2, d: 4, v: opsize / 8 }[letter] ?? 0;
}

/** Every form, by lower-case mnemonic, in table order. Built once; never mutated. */
export const FORMS: ReadonlyMap<string, readonly Form[]> = (() => {
  const map = new Map<string, Form[]>();
  for (const line of FORM_TABLE) {
    for (const form of parseLine(line)) {
      const list = map.get(form.mnemonic) ?? [];
      list.push(form);
      map.set(form.mnemonic, list);
    }
  }
  return map;
})();
