/**
 * The instruction forms the assembler knows, written in a small notation
 * close to the Intel manual's opcode tables (and NASM's insns.dat):
 *
 *     MNEMONIC operand,operand : encoding : flags
 *
 * Operands: r8 r16 r32 rv (general register); rm8 rm16 rm32 rmv (register
 * or memory); m (memory of any size) m8 m16 m32 m64 mv; mp (a far pointer
 * in memory for LES and friends); mfar (a far pointer in memory for JMP
 * and CALL, written `far [x]`); imm8 imm16 immv; s8 (an immediate that
 * fits in a sign-extended byte); one / three (the constants 1 and 3);
 * rel8 relv (branch targets); farv (`sel:offset`); moffs8 moffsv (an
 * absolute address without registers); al ax eax cl dx accv (fixed
 * registers); sreg, sreg_nocs, es cs ss ds fs gs; cr; dr. A `v` stands for
 * the operand size: each form using it expands into a 16-bit and a 32-bit
 * form.
 *
 * Encoding: hex opcode bytes (`40+r` adds the register number, `+cc` the
 * condition code); /r (ModRM with a register operand), /0../7 (ModRM with a
 * fixed reg field), /rr (the register operand in both fields, for
 * `imul eax, 5`); ib iw iv (immediates), jb jv (relative branch
 * displacements), ptr (a far pointer), mo (a moffs address); o16 / o32 give
 * the form an operand size without a `v` operand.
 *
 * Flags: lock (LOCK is allowed when the destination is memory), dsz (an
 * operand with no written size takes the code's default size, as for PUSH
 * and JMP), a16 / a32 (the form's address size, for JCXZ and JECXZ).
 *
 * When several forms fit, the shortest encoding wins and, among equally
 * short ones, the earliest in this table: the order follows GNU as's choices.
 */

const CONDITIONS: [string[], number][] = [
  [['o'], 0],
  [['no'], 1],
  [['b', 'c', 'nae'], 2],
  [['ae', 'nb', 'nc'], 3],
  [['e', 'z'], 4],
  [['ne', 'nz'], 5],
  [['be', 'na'], 6],
  [['a', 'nbe'], 7],
  [['s'], 8],
  [['ns'], 9],
  [['p', 'pe'], 10],
  [['np', 'po'], 11],
  [['l', 'nge'], 12],
  [['ge', 'nl'], 13],
  [['le', 'ng'], 14],
  [['g', 'nle'], 15],
];

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFTS: [string, number][] = [
  ['rol', 0],
  ['ror', 1],
  ['rcl', 2],
  ['rcr', 3],
  ['shl', 4],
  ['sal', 4],
  ['shr', 5],
  ['sar', 7],
];

const hex = (n: number): string => n.toString(16).padStart(2, '0');

function aluForms(): string[] {
  return ALU.flatMap((name, n) => {
    const lock = name === 'cmp' ? '' : ': lock';
    const base = n * 8;
    return [
      `${name} rm8,r8 : ${hex(base)} /r ${lock}`,
      `${name} rmv,rv : ${hex(base + 1)} /r ${lock}`,
      `${name} r8,rm8 : ${hex(base + 2)} /r`,
      `${name} rv,rmv : ${hex(base + 3)} /r`,
      `${name} rmv,s8 : 83 /${n} ib ${lock}`,
      `${name} al,imm8 : ${hex(base + 4)} ib`,
      `${name} accv,immv : ${hex(base + 5)} iv`,
      `${name} rm8,imm8 : 80 /${n} ib ${lock}`,
      `${name} rmv,immv : 81 /${n} iv ${lock}`,
    ];
  });
}

function shiftForms(): string[] {
  return SHIFTS.flatMap(([name, n]) => [
    `${name} rm8,one : d0 /${n}`,
    `${name} rmv,one : d1 /${n}`,
    `${name} rm8 : d0 /${n}`,
    `${name} rmv : d1 /${n}`,
    `${name} rm8,cl : d2 /${n}`,
    `${name} rmv,cl : d3 /${n}`,
    `${name} rm8,imm8 : c0 /${n} ib`,
    `${name} rmv,imm8 : c1 /${n} ib`,
  ]);
}

function conditionalForms(): string[] {
  return CONDITIONS.flatMap(([suffixes, cc]) =>
    suffixes.flatMap((s) => [
      `j${s} rel8 : ${hex(0x70 + cc)} jb : dsz`,
      `j${s} relv : 0f ${hex(0x80 + cc)} jv : dsz`,
      `set${s} rm8 : 0f ${hex(0x90 + cc)} /0`,
      `cmov${s} rv,rmv : 0f ${hex(0x40 + cc)} /r`,
    ]),
  );
}

function groupForms(name: string, opcode: string, digit: number, lock: boolean): string[] {
  const flags = lock ? ': lock' : '';
  return [
    `${name} rm8 : ${opcode.split('|')[0]} /${digit} ${flags}`,
    `${name} rmv : ${opcode.split('|')[1]} /${digit} ${flags}`,
  ];
}

/** String instructions: byte form, and word/dword forms with their operand size. */
function stringForms(name: string, byteOpcode: number): string[] {
  return [
    `${name}b : ${hex(byteOpcode)}`,
    `${name}w : o16 ${hex(byteOpcode + 1)}`,
    `${name}d : o32 ${hex(byteOpcode + 1)}`,
  ];
}

/** Instructions whose mnemonic names the operand size (pusha / pushaw / pushad ...). */
function sizedForms(plain: string, word: string, dword: string, opcode: string): string[] {
  return [`${plain} : ${opcode}`, `${word} : o16 ${opcode}`, `${dword} : o32 ${opcode}`];
}

export const FORM_TABLE: readonly string[] = [
  ...aluForms(),
  'test rm8,r8 : 84 /r',
  'test rmv,rv : 85 /r',
  'test r8,m8 : 84 /r',
  'test rv,mv : 85 /r',
  'test al,imm8 : a8 ib',
  'test accv,immv : a9 iv',
  'test rm8,imm8 : f6 /0 ib',
  'test rmv,immv : f7 /0 iv',

  'inc rv : 40+r',
  ...groupForms('inc', 'fe|ff', 0, true),
  'dec rv : 48+r',
  ...groupForms('dec', 'fe|ff', 1, true),
  ...groupForms('not', 'f6|f7', 2, true),
  ...groupForms('neg', 'f6|f7', 3, true),
  ...groupForms('mul', 'f6|f7', 4, false),
  ...groupForms('imul', 'f6|f7', 5, false),
  ...groupForms('div', 'f6|f7', 6, false),
  ...groupForms('idiv', 'f6|f7', 7, false),
  'imul rv,rmv : 0f af /r',
  'imul rv,rmv,s8 : 6b /r ib',
  'imul rv,rmv,immv : 69 /r iv',
  'imul rv,s8 : 6b /rr ib',
  'imul rv,immv : 69 /rr iv',

  ...shiftForms(),
  'shld rmv,rv,imm8 : 0f a4 /r ib',
  'shld rmv,rv,cl : 0f a5 /r',
  'shrd rmv,rv,imm8 : 0f ac /r ib',
  'shrd rmv,rv,cl : 0f ad /r',

  'mov rm8,r8 : 88 /r',
  'mov rmv,rv : 89 /r',
  'mov r8,rm8 : 8a /r',
  'mov rv,rmv : 8b /r',
  'mov r16,sreg : o16 8c /r',
  'mov r32,sreg : o32 8c /r',
  'mov m16,sreg : 8c /r',
  'mov sreg_nocs,r16 : 8e /r',
  'mov sreg_nocs,r32 : 8e /r',
  'mov sreg_nocs,m16 : 8e /r',
  'mov al,moffs8 : a0 mo',
  'mov accv,moffsv : a1 mo',
  'mov moffs8,al : a2 mo',
  'mov moffsv,accv : a3 mo',
  'mov r8,imm8 : b0+r ib',
  'mov rv,immv : b8+r iv',
  'mov rm8,imm8 : c6 /0 ib',
  'mov rmv,immv : c7 /0 iv',
  'mov r32,cr : 0f 20 /r',
  'mov cr,r32 : 0f 22 /r',
  'mov r32,dr : 0f 21 /r',
  'mov dr,r32 : 0f 23 /r',
  'movzx rv,rm8 : 0f b6 /r',
  'movzx r32,rm16 : o32 0f b7 /r',
  'movsx rv,rm8 : 0f be /r',
  'movsx r32,rm16 : o32 0f bf /r',
  'lea rv,m : 8d /r',

  'xchg accv,rv : 90+r',
  'xchg rv,accv : 90+r',
  'xchg rm8,r8 : 86 /r : lock',
  'xchg r8,rm8 : 86 /r : lock',
  'xchg rmv,rv : 87 /r : lock',
  'xchg rv,rmv : 87 /r : lock',

  'push rv : 50+r',
  'push mv : ff /6 : dsz',
  'push s8 : ov 6a ib : dsz',
  'push immv : 68 iv : dsz',
  'push es : 06',
  'push cs : 0e',
  'push ss : 16',
  'push ds : 1e',
  'push fs : 0f a0',
  'push gs : 0f a8',
  'pop rv : 58+r',
  'pop mv : 8f /0 : dsz',
  'pop es : 07',
  'pop ss : 17',
  'pop ds : 1f',
  'pop fs : 0f a1',
  'pop gs : 0f a9',
  ...sizedForms('pusha', 'pushaw', 'pushad', '60'),
  ...sizedForms('popa', 'popaw', 'popad', '61'),
  ...sizedForms('pushf', 'pushfw', 'pushfd', '9c'),
  ...sizedForms('popf', 'popfw', 'popfd', '9d'),
  'cbw : o16 98',
  'cwde : o32 98',
  'cwd : o16 99',
  'cdq : o32 99',

  'jmp rel8 : eb jb : dsz',
  'jmp relv : e9 jv : dsz',
  'jmp rmv : ff /4 : dsz',
  'jmp mfar : ff /5 : dsz',
  'jmp farv : ea ptr : dsz',
  'call relv : e8 jv : dsz',
  'call rmv : ff /2 : dsz',
  'call mfar : ff /3 : dsz',
  'call farv : 9a ptr : dsz',
  ...conditionalForms(),
  'jcxz rel8 : e3 jb : a16',
  'jecxz rel8 : e3 jb : a32',
  'loop rel8 : e2 jb',
  'loope rel8 : e1 jb',
  'loopz rel8 : e1 jb',
  'loopne rel8 : e0 jb',
  'loopnz rel8 : e0 jb',
  'ret : c3',
  'ret imm16 : c2 iw',
  'retn : c3',
  'retn imm16 : c2 iw',
  ...sizedForms('retf', 'retfw', 'retfd', 'cb'),
  'retf imm16 : ca iw',
  'retfw imm16 : o16 ca iw',
  'retfd imm16 : o32 ca iw',
  ...sizedForms('iret', 'iretw', 'iretd', 'cf'),
  'enter imm16,imm8 : c8 iw ib',
  'leave : c9',
  'int three : cc',
  'int imm8 : cd ib',
  'int3 : cc',
  'into : ce',
  'int1 : f1',
  'icebp : f1',

  ...stringForms('movs', 0xa4),
  ...stringForms('cmps', 0xa6),
  ...stringForms('stos', 0xaa),
  ...stringForms('lods', 0xac),
  ...stringForms('scas', 0xae),
  ...stringForms('ins', 0x6c),
  ...stringForms('outs', 0x6e),
  'xlat : d7',
  'xlatb : d7',

  'in al,imm8 : e4 ib',
  'in accv,imm8 : e5 ib',
  'in al,dx : ec',
  'in accv,dx : ed',
  'out imm8,al : e6 ib',
  'out imm8,accv : e7 ib',
  'out dx,al : ee',
  'out dx,accv : ef',

  'nop : 90',
  'nop rmv : 0f 1f /0',
  'pause : f3 90',
  'hlt : f4',
  'cmc : f5',
  'clc : f8',
  'stc : f9',
  'cli : fa',
  'sti : fb',
  'cld : fc',
  'std : fd',
  'lahf : 9f',
  'sahf : 9e',
  'wait : 9b',
  'fwait : 9b',
  'daa : 27',
  'das : 2f',
  'aaa : 37',
  'aas : 3f',
  'aam : d4 0a',
  'aam imm8 : d4 ib',
  'aad : d5 0a',
  'aad imm8 : d5 ib',
  'salc : d6',
  'bound rv,m : 62 /r',
  'arpl rm16,r16 : 63 /r',
  'les rv,mp : c4 /r',
  'lds rv,mp : c5 /r',
  'lss rv,mp : 0f b2 /r',
  'lfs rv,mp : 0f b4 /r',
  'lgs rv,mp : 0f b5 /r',

  'bt rmv,rv : 0f a3 /r',
  'bt rmv,imm8 : 0f ba /4 ib',
  'bts rmv,rv : 0f ab /r : lock',
  'bts rmv,imm8 : 0f ba /5 ib : lock',
  'btr rmv,rv : 0f b3 /r : lock',
  'btr rmv,imm8 : 0f ba /6 ib : lock',
  'btc rmv,rv : 0f bb /r : lock',
  'btc rmv,imm8 : 0f ba /7 ib : lock',
  'bsf rv,rmv : 0f bc /r',
  'bsr rv,rmv : 0f bd /r',
  'bswap r32 : o32 0f c8+r',
  'xadd rm8,r8 : 0f c0 /r : lock',
  'xadd rmv,rv : 0f c1 /r : lock',
  'cmpxchg rm8,r8 : 0f b0 /r : lock',
  'cmpxchg rmv,rv : 0f b1 /r : lock',
  'cmpxchg8b m64 : 0f c7 /1 : lock',

  'cpuid : 0f a2',
  'rdtsc : 0f 31',
  'rdmsr : 0f 32',
  'wrmsr : 0f 30',
  'rdpmc : 0f 33',
  'sysenter : 0f 34',
  'sysexit : 0f 35',
  'rsm : 0f aa',
  'ud2 : 0f 0b',
  'ud0 rv,rmv : 0f ff /r',
  'ud1 rv,rmv : 0f b9 /r',
  'clts : 0f 06',
  'invd : 0f 08',
  'wbinvd : 0f 09',
  'sgdt m : 0f 01 /0',
  'sidt m : 0f 01 /1',
  'lgdt m : 0f 01 /2',
  'lidt m : 0f 01 /3',
  'smsw rv : 0f 01 /4',
  'smsw m16 : 0f 01 /4',
  'lmsw rm16 : 0f 01 /6',
  'invlpg m : 0f 01 /7',
  'sldt rv : 0f 00 /0',
  'sldt m16 : 0f 00 /0',
  'str rv : 0f 00 /1',
  'str m16 : 0f 00 /1',
  'lldt rm16 : 0f 00 /2',
  'ltr rm16 : 0f 00 /3',
  'verr rm16 : 0f 00 /4',
  'verw rm16 : 0f 00 /5',
  'lar rv,rm16 : 0f 02 /r',
  'lar r32,r32 : o32 0f 02 /r',
  'lsl rv,rm16 : 0f 03 /r',
  'lsl r32,r32 : o32 0f 03 /r',
];
