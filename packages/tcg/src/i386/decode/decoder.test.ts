import { describe, expect, it } from 'vitest';
import { DecodeMode, decodeInsn, type FetchByte, InsnDecoder, MAX_INSN_LENGTH } from './decoder.js';
import {
  DecodedInsn,
  DecodeStatus,
  X86Op,
  X86OperandKind,
  X86Prefix,
  X86Reg,
  X86Seg,
} from './insn.js';

const PM32 = DecodeMode.CODE32 | DecodeMode.PROTECTED;
const PM16 = DecodeMode.PROTECTED;
const REAL = 0;

function bytes(hex: string): number[] {
  return hex
    .split(/\s+/)
    .filter(Boolean)
    .map((b) => Number.parseInt(b, 16));
}

/** Fetches from `hex` placed at `base`; anything else faults. */
function fetcher(hex: string, base = 0): FetchByte {
  const code = bytes(hex);
  return (eip) => (eip >= base && eip - base < code.length ? code[eip - base] : -1);
}

function decode(hex: string, mode = PM32, eip = 0) {
  return decodeInsn(fetcher(hex, eip), eip, mode);
}

function ok(hex: string, mode = PM32, eip = 0): DecodedInsn {
  const { insn, status } = decode(hex, mode, eip);
  expect(status, `decode ${hex}`).toBe(DecodeStatus.Ok);
  expect(insn.length).toBe(bytes(hex).length);
  return insn;
}

describe('prefixes', () => {
  it('66 switches the operand size and 67 the address size, per code size', () => {
    expect(ok('01 d8').opSize).toBe(4);
    expect(ok('66 01 d8').opSize).toBe(2);
    expect(ok('01 d8', PM16).opSize).toBe(2);
    expect(ok('66 01 d8', PM16).opSize).toBe(4);
    expect(ok('8b 03').addrSize).toBe(4);
    expect(ok('67 8b 07').addrSize).toBe(2);
    expect(ok('67 8b 03', PM16).addrSize).toBe(4);
  });

  it('byte operations have operand size 1 whatever the prefix', () => {
    expect(ok('66 00 d8').opSize).toBe(1);
  });

  it('the last segment override wins and the last of F2/F3 is the REP prefix', () => {
    const insn = ok('26 64 f2 f3 a4');
    expect(insn.segOverride).toBe(X86Seg.FS);
    expect(insn.memSeg).toBe(X86Seg.FS);
    expect(insn.prefixes & X86Prefix.REPZ).toBeTruthy();
    expect(insn.prefixes & X86Prefix.REPNZ).toBeFalsy();
    expect(Array.from(insn.prefixBytes.subarray(0, insn.numPrefixBytes))).toEqual([
      0x26, 0x64, 0xf2, 0xf3,
    ]);
  });

  it('records which prefixes take effect', () => {
    // A segment override on an instruction without memory does nothing.
    expect(ok('64 40').usedPrefixes & X86Prefix.SEGMENT_USED).toBe(0);
    expect(ok('64 8b 03').usedPrefixes & X86Prefix.SEGMENT_USED).toBeTruthy();
    // 66 on a byte operation does nothing; on a word operation it does.
    expect(ok('66 00 d8').usedPrefixes & X86Prefix.OPSIZE).toBe(0);
    expect(ok('66 01 d8').usedPrefixes & X86Prefix.OPSIZE).toBeTruthy();
    // REP on a string instruction, not on ADD.
    expect(ok('f3 a5').usedPrefixes & X86Prefix.REPZ).toBeTruthy();
    expect(ok('f3 01 d8').usedPrefixes & X86Prefix.REPZ).toBe(0);
  });
});

describe('ModRM and SIB, 32-bit addresses', () => {
  it('decodes base + index*scale + disp8 with DS as the default segment', () => {
    const insn = ok('8b 44 8b 08'); // mov eax, [ebx+ecx*4+8]
    expect(insn.op).toBe(X86Op.Mov);
    expect(insn.operands[0]).toMatchObject({ kind: X86OperandKind.Reg, size: 4, reg: X86Reg.EAX });
    expect(insn.operands[1]).toMatchObject({ kind: X86OperandKind.Mem, size: 4 });
    expect([insn.memBase, insn.memIndex, insn.memScale, insn.disp]).toEqual([
      X86Reg.EBX,
      X86Reg.ECX,
      2,
      8,
    ]);
    expect(insn.memSeg).toBe(X86Seg.DS);
  });

  it('uses SS for EBP- and ESP-based addresses, DS for EBP as an index', () => {
    expect(ok('8b 45 f8').memSeg).toBe(X86Seg.SS); // [ebp-8]
    expect(ok('8b 45 f8').disp).toBe(-8);
    expect(ok('8b 04 24').memSeg).toBe(X86Seg.SS); // [esp]
    expect(ok('8b 04 2b').memSeg).toBe(X86Seg.DS); // [ebx+ebp]
    expect(ok('8b 04 2b').memIndex).toBe(X86Reg.EBP);
  });

  it('decodes disp32 alone, SIB without base and SIB without index', () => {
    const abs = ok('8b 05 78 56 34 12'); // [0x12345678]
    expect([abs.memBase, abs.memIndex, abs.disp]).toEqual([-1, -1, 0x12345678]);
    const indexOnly = ok('8b 04 8d 10 00 00 00'); // [ecx*4+0x10]
    expect([indexOnly.memBase, indexOnly.memIndex, indexOnly.memScale, indexOnly.disp]).toEqual([
      -1,
      X86Reg.ECX,
      2,
      16,
    ]);
    expect(indexOnly.memSeg).toBe(X86Seg.DS);
    const noIndex = ok('8b 44 24 04'); // [esp+4]
    expect([noIndex.memBase, noIndex.memIndex]).toEqual([X86Reg.ESP, -1]);
    const disp32 = ok('8b 80 00 00 00 80'); // [eax-0x80000000]
    expect(disp32.disp).toBe(-0x80000000);
  });

  it('honours a segment override over the default', () => {
    expect(ok('3e 8b 45 00').memSeg).toBe(X86Seg.DS);
    expect(ok('65 8b 03').memSeg).toBe(X86Seg.GS);
  });
});

describe('ModRM, 16-bit addresses', () => {
  const cases: [string, number, number, number, X86Seg][] = [
    ['8b 00', X86Reg.EBX, X86Reg.ESI, 0, X86Seg.DS], // [bx+si]
    ['8b 01', X86Reg.EBX, X86Reg.EDI, 0, X86Seg.DS], // [bx+di]
    ['8b 02', X86Reg.EBP, X86Reg.ESI, 0, X86Seg.SS], // [bp+si]
    ['8b 03', X86Reg.EBP, X86Reg.EDI, 0, X86Seg.SS], // [bp+di]
    ['8b 04', -1, X86Reg.ESI, 0, X86Seg.DS], // [si]
    ['8b 05', -1, X86Reg.EDI, 0, X86Seg.DS], // [di]
    ['8b 46 fe', X86Reg.EBP, -1, -2, X86Seg.SS], // [bp-2]
    ['8b 07', X86Reg.EBX, -1, 0, X86Seg.DS], // [bx]
    ['8b 87 34 12', X86Reg.EBX, -1, 0x1234, X86Seg.DS], // [bx+0x1234]
    ['8b 36 34 12', -1, -1, 0x1234, X86Seg.DS], // [0x1234]
  ];
  it.each(cases)('%s', (hex, base, index, disp, seg) => {
    const insn = ok(hex, PM16);
    expect([insn.memBase, insn.memIndex, insn.disp, insn.memSeg]).toEqual([base, index, disp, seg]);
    expect(insn.addrSize).toBe(2);
  });
});

describe('immediates and branch targets', () => {
  it('sizes immediates by operand size and sign-extends Ib where the encoding says so', () => {
    expect(ok('05 78 56 34 12').operands[1].value).toBe(0x12345678);
    expect(ok('66 05 34 12').operands[1].value).toBe(0x1234);
    expect(ok('83 c0 f0').operands[1]).toMatchObject({
      kind: X86OperandKind.Imm,
      size: 4,
      value: 0xfffffff0,
    });
    expect(ok('66 83 c0 f0').operands[1]).toMatchObject({ size: 2, value: 0xfff0 });
    expect(ok('6a ff').operands[0].value).toBe(0xffffffff);
    expect(
      ok('c8 10 00 01')
        .operands.slice(0, 2)
        .map((o) => o.value),
    ).toEqual([0x10, 1]);
  });

  it('computes branch targets from the end of the instruction, wrapping to the operand size', () => {
    expect(ok('eb fe', PM32, 0x1000).operands[0]).toMatchObject({
      kind: X86OperandKind.Rel,
      value: 0x1000,
    });
    expect(ok('e9 fb ff ff ff', PM32, 0x1000).operands[0].value).toBe(0x1000);
    expect(ok('e8 00 00 00 00', PM32, 0xfffffffb).operands[0].value).toBe(0);
    // In 16-bit code the target wraps within 64 KiB.
    expect(ok('eb 10', PM16, 0xfff0).operands[0].value).toBe(0x0002);
    // 66 in 32-bit code makes it a 16-bit jump, so the target is truncated to IP.
    expect(ok('66 e9 00 00', PM32, 0x12345).operands[0].value).toBe(0x2349);
  });

  it('decodes far pointers and moffs', () => {
    const far = ok('ea 78 56 34 12 08 00');
    expect(far.operands[0]).toMatchObject({
      kind: X86OperandKind.FarPtr,
      value: 0x12345678,
      selector: 8,
    });
    expect(ok('ea 34 12 00 f0', PM16).operands[0]).toMatchObject({
      value: 0x1234,
      selector: 0xf000,
    });
    const moffs = ok('64 a1 00 10 00 00');
    expect(moffs.operands[1].kind).toBe(X86OperandKind.Mem);
    expect([moffs.memBase, moffs.disp, moffs.memSeg]).toEqual([-1, 0x1000, X86Seg.FS]);
  });
});

describe('opcode maps and groups', () => {
  const cases: [string, X86Op, number][] = [
    ['80 f8 05', X86Op.Cmp, PM32],
    ['c1 e0 04', X86Op.Shl, PM32],
    ['d1 f0', X86Op.Sal, PM32],
    ['f7 d8', X86Op.Neg, PM32],
    ['f6 c8 01', X86Op.Test, PM32],
    ['ff 15 00 10 00 00', X86Op.CallIndirect, PM32],
    ['ff 2d 00 10 00 00', X86Op.JmpFarIndirect, PM32],
    ['0f 01 15 00 10 00 00', X86Op.Lgdt, PM32],
    ['0f 01 e0', X86Op.Smsw, PM32],
    ['0f 00 d8', X86Op.Ltr, PM32],
    ['0f ba e0 03', X86Op.Bt, PM32],
    ['0f c7 0e', X86Op.Cmpxchg8b, PM32],
    ['0f a2', X86Op.Cpuid, PM32],
    ['0f 22 c0', X86Op.MovToCr, PM32],
    ['8e d8', X86Op.MovToSeg, PM32],
    ['0f b6 c0', X86Op.Movzx, PM32],
    ['f3 90', X86Op.Pause, PM32],
    ['0f 0b', X86Op.Ud, PM32],
    ['d9 c0', X86Op.X87, PM32],
    ['0f 58 c1', X86Op.Simd, PM32],
  ];
  it.each(cases)('%s decodes as %s', (hex, op, mode) => {
    expect(ok(hex, mode).op).toBe(op);
  });

  it('gives Jcc, SETcc and CMOVcc their condition', () => {
    expect(ok('74 00').cond).toBe(4);
    expect(ok('0f 9f c0').cond).toBe(15);
    expect(ok('0f 42 c1').cond).toBe(2);
  });

  it('ignores ModRM.mod for MOV to and from control registers', () => {
    const insn = ok('0f 20 00'); // mod = 0 still means mov eax, cr0
    expect(insn.operands[0]).toMatchObject({ kind: X86OperandKind.Reg, reg: X86Reg.EAX });
    expect(insn.operands[1]).toMatchObject({ kind: X86OperandKind.CReg, reg: 0 });
  });

  it('gives x87 memory operands their size and SSE instructions their mandatory prefix', () => {
    expect(ok('dd 00').operands[0]).toMatchObject({ kind: X86OperandKind.Mem, size: 8 }); // fld qword
    expect(ok('db 28').operands[0].size).toBe(10); // fld tbyte
    const addsd = ok('f2 0f 58 c1');
    expect(addsd.mandatoryPrefix).toBe(0xf2);
    expect(addsd.operands[0]).toMatchObject({ kind: X86OperandKind.XmmReg, reg: 0 });
    expect(ok('0f fe 03').operands[1]).toMatchObject({ kind: X86OperandKind.Mem, size: 8 }); // paddd mm0,[ebx]
  });
});

describe('undefined instructions (#UD)', () => {
  const undefinedOpcodes: [string, string][] = [
    ['0f 04', 'an empty slot of the 0F map'],
    ['0f 38 00 c0', 'the SSSE3 three-byte map'],
    ['0f 05', 'SYSCALL (not on a 32-bit Intel CPU)'],
    ['8d c0', 'LEA with a register operand'],
    ['c4 c0', 'LES with a register operand'],
    ['62 c0', 'BOUND with a register operand'],
    ['8e c8', 'MOV to CS'],
    ['8c f0', 'a segment register that does not exist'],
    ['0f 20 c8', 'MOV from CR1'],
    ['fe 10', 'group 4 /2'],
    ['0f c7 c8', 'CMPXCHG8B with a register'],
    ['0f 01 c0', 'group 7 /0 with a register (VMCALL)'],
    ['d9 d1', 'an undefined x87 register form'],
    ['df 08', 'FISTTP (SSE3)'],
    ['f3 0f e1 c0', 'an MMX opcode with a prefix that selects nothing'],
  ];
  it.each(undefinedOpcodes)('%s: %s', (hex) => {
    expect(decode(hex).status).toBe(DecodeStatus.InvalidOpcode);
  });

  it('a far call through memory is defined', () => {
    expect(ok('ff 18').op).toBe(X86Op.CallFarIndirect);
    expect(decode('ff d8').status).toBe(DecodeStatus.InvalidOpcode);
  });

  it('allows LOCK only on read-modify-write instructions with a memory destination', () => {
    expect(ok('f0 01 18').op).toBe(X86Op.Add); // lock add [eax], ebx
    expect(ok('f0 0f c7 0e').op).toBe(X86Op.Cmpxchg8b);
    expect(ok('f0 86 18').op).toBe(X86Op.Xchg);
    expect(decode('f0 01 d8').status).toBe(DecodeStatus.InvalidOpcode); // lock add eax, ebx
    expect(decode('f0 03 18').status).toBe(DecodeStatus.InvalidOpcode); // lock add ebx, [eax]
    expect(decode('f0 39 18').status).toBe(DecodeStatus.InvalidOpcode); // lock cmp
    expect(decode('f0 89 18').status).toBe(DecodeStatus.InvalidOpcode); // lock mov
    expect(decode('f0 90').status).toBe(DecodeStatus.InvalidOpcode); // lock nop
  });

  it('rejects LAR, LSL, ARPL and group 6 outside protected mode', () => {
    for (const hex of ['0f 02 c3', '0f 03 c3', '63 d8', '0f 00 d8', '0f 00 c0']) {
      expect(decode(hex, DecodeMode.CODE32).status, hex).toBe(DecodeStatus.InvalidOpcode);
      expect(decode(hex, REAL).status, hex).toBe(DecodeStatus.InvalidOpcode);
      expect(decode(hex, PM32).status, hex).toBe(DecodeStatus.Ok);
    }
  });

  it('still reports the length it read', () => {
    const { insn, status } = decode('0f 04');
    expect(status).toBe(DecodeStatus.InvalidOpcode);
    expect(insn.length).toBe(2);
    expect(insn.op).toBe(X86Op.Invalid);
  });
});

describe('length limit and fetch faults', () => {
  it('accepts a 15-byte instruction and reports #GP when one would be longer', () => {
    // add dword [eax+0x12345678], 1 with an imm32 is 10 bytes; five prefixes make 15.
    const insn = ok(`${'26 '.repeat(5)}81 80 78 56 34 12 01 00 00 00`);
    expect(insn.length).toBe(MAX_INSN_LENGTH);
    expect(decode(`${'26 '.repeat(6)}81 80 78 56 34 12 01 00 00 00`).status).toBe(
      DecodeStatus.TooLong,
    );
    const prefixesOnly = decode('66 '.repeat(20));
    expect(prefixesOnly.status).toBe(DecodeStatus.TooLong);
    expect(prefixesOnly.insn.length).toBe(MAX_INSN_LENGTH);
  });

  it('stops at the byte that cannot be fetched and says where', () => {
    // mov eax, [0x12345678] with only three bytes available (the rest is on an unmapped page).
    const { insn, status } = decodeInsn(fetcher('8b 05 78', 0x0ffe), 0x0ffe, PM32);
    expect(status).toBe(DecodeStatus.FetchFault);
    expect(insn.length).toBe(3);
    expect(insn.op).toBe(X86Op.Invalid);
  });

  it('does not catch exceptions the fetch callback throws', () => {
    const fault = new Error('page fault');
    const throwing: FetchByte = (eip) => {
      if (eip > 0) throw fault;
      return 0x8b;
    };
    expect(() => decodeInsn(throwing, 0, PM32)).toThrow(fault);
  });
});

describe('InsnDecoder', () => {
  it('reuses one DecodedInsn without leaking state between instructions', () => {
    const decoder = new InsnDecoder();
    const insn = new DecodedInsn();
    const code = bytes('64 f0 01 18 90');
    const fetch: FetchByte = (eip) => code[eip] ?? -1;
    expect(decoder.decode(insn, fetch, 0, PM32)).toBe(DecodeStatus.Ok);
    expect(insn.length).toBe(4);
    expect(decoder.decode(insn, fetch, 4, PM32)).toBe(DecodeStatus.Ok);
    expect(insn.op).toBe(X86Op.Nop);
    expect([insn.prefixes, insn.segOverride, insn.numPrefixBytes, insn.numOperands]).toEqual([
      0, -1, 0, 0,
    ]);
    expect(insn.hasMem()).toBe(false);
  });
});
