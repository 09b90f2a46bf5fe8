/**
 * "Toy", the tiny instruction set of the JIT core's test frontend. Eight 32-bit registers,
 * 4-byte instructions `[op, a, b, c]` (LI is 8 bytes: `[op, rd, 0, 0, imm32]`), lazy
 * condition codes set by CMP/TST like x86's, a one-level page table, interrupts and
 * exceptions. It exists to exercise the core the way the x86 frontend will.
 */
export const Op = {
  NOP: 0x00,
  LI: 0x01,
  ADD: 0x02,
  SUB: 0x03,
  AND: 0x04,
  OR: 0x05,
  XOR: 0x06,
  MUL: 0x07,
  SHL: 0x08,
  SHR: 0x09,
  SAR: 0x0a,
  MULHU: 0x0b,
  MULHS: 0x0c,
  ADDI: 0x0d,
  SETLT: 0x0e,
  SEL: 0x0f,
  LDW: 0x10,
  LDH: 0x11,
  LDHS: 0x12,
  LDB: 0x13,
  LDBS: 0x14,
  STW: 0x15,
  STH: 0x16,
  STB: 0x17,
  EXTR: 0x18,
  DEP: 0x19,
  CMP: 0x20,
  TST: 0x21,
  BCC: 0x22,
  JMP: 0x23,
  JR: 0x24,
  DIVU: 0x30,
  HALT: 0x31,
  SETMODE: 0x32,
  CLI: 0x33,
  STI: 0x34,
  IRET: 0x35,
  SYSCALL: 0x36,
  IN: 0x37,
  OUT: 0x38,
  TLBFLUSH: 0x39,
} as const;

export const CONDS = ['eq', 'ne', 'lt', 'ge', 'ltu', 'geu'] as const;
export type ToyCond = (typeof CONDS)[number];

const NAMES = new Map<number, string>(Object.entries(Op).map(([k, v]) => [v, k.toLowerCase()]));

/** Assembles Toy code at `origin`. Branch targets are labels, resolved by `build()`. */
export class ToyAsm {
  private readonly out: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string; next: number }[] = [];
  private readonly absolute: { at: number; label: string }[] = [];

  constructor(readonly origin = 0) {}

  /** Address of the next byte. */
  get pc(): number {
    return this.origin + this.out.length;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`ToyAsm: label ${name} defined twice`);
    this.labels.set(name, this.pc);
    return this;
  }

  addressOf(name: string): number {
    const a = this.labels.get(name);
    if (a === undefined) throw new Error(`ToyAsm: unknown label ${name}`);
    return a;
  }

  private insn(op: number, a = 0, b = 0, c = 0): this {
    this.out.push(op, a & 0xff, b & 0xff, c & 0xff);
    return this;
  }
  private r3(op: number, rd: number, rs: number, rt: number): this {
    return this.insn(op, rd, rs, rt);
  }

  nop = () => this.insn(Op.NOP);
  li(rd: number, imm: number): this {
    this.insn(Op.LI, rd);
    return this.word(imm);
  }
  add = (rd: number, rs: number, rt: number) => this.r3(Op.ADD, rd, rs, rt);
  sub = (rd: number, rs: number, rt: number) => this.r3(Op.SUB, rd, rs, rt);
  and = (rd: number, rs: number, rt: number) => this.r3(Op.AND, rd, rs, rt);
  or = (rd: number, rs: number, rt: number) => this.r3(Op.OR, rd, rs, rt);
  xor = (rd: number, rs: number, rt: number) => this.r3(Op.XOR, rd, rs, rt);
  mul = (rd: number, rs: number, rt: number) => this.r3(Op.MUL, rd, rs, rt);
  shl = (rd: number, rs: number, rt: number) => this.r3(Op.SHL, rd, rs, rt);
  shr = (rd: number, rs: number, rt: number) => this.r3(Op.SHR, rd, rs, rt);
  sar = (rd: number, rs: number, rt: number) => this.r3(Op.SAR, rd, rs, rt);
  mulhu = (rd: number, rs: number, rt: number) => this.r3(Op.MULHU, rd, rs, rt);
  mulhs = (rd: number, rs: number, rt: number) => this.r3(Op.MULHS, rd, rs, rt);
  addi = (rd: number, rs: number, imm8: number) => this.insn(Op.ADDI, rd, rs, imm8);
  setlt = (rd: number, rs: number, rt: number) => this.r3(Op.SETLT, rd, rs, rt);
  /** rd = rd != 0 ? rs : rt */
  sel = (rd: number, rs: number, rt: number) => this.r3(Op.SEL, rd, rs, rt);
  ldw = (rd: number, rs: number, off = 0) => this.insn(Op.LDW, rd, rs, off);
  ldh = (rd: number, rs: number, off = 0) => this.insn(Op.LDH, rd, rs, off);
  ldhs = (rd: number, rs: number, off = 0) => this.insn(Op.LDHS, rd, rs, off);
  ldb = (rd: number, rs: number, off = 0) => this.insn(Op.LDB, rd, rs, off);
  ldbs = (rd: number, rs: number, off = 0) => this.insn(Op.LDBS, rd, rs, off);
  /** [rs + off] = rt */
  stw = (rt: number, rs: number, off = 0) => this.insn(Op.STW, rt, rs, off);
  sth = (rt: number, rs: number, off = 0) => this.insn(Op.STH, rt, rs, off);
  stb = (rt: number, rs: number, off = 0) => this.insn(Op.STB, rt, rs, off);
  extr = (rd: number, rs: number, ofs: number, len: number) =>
    this.insn(Op.EXTR, (rd << 4) | rs, ofs, len);
  dep = (rd: number, rs: number, ofs: number, len: number) =>
    this.insn(Op.DEP, (rd << 4) | rs, ofs, len);
  cmp = (rs: number, rt: number) => this.insn(Op.CMP, rs, rt);
  tst = (rs: number, rt: number) => this.insn(Op.TST, rs, rt);
  bcc(cond: ToyCond, label: string): this {
    this.fixups.push({ at: this.out.length + 2, label, next: this.pc + 4 });
    return this.insn(Op.BCC, CONDS.indexOf(cond));
  }
  jmp(label: string): this {
    this.fixups.push({ at: this.out.length + 2, label, next: this.pc + 4 });
    return this.insn(Op.JMP);
  }
  jr = (rs: number) => this.insn(Op.JR, rs);
  /** li rd, <address of label> */
  la(rd: number, label: string): this {
    this.absolute.push({ at: this.out.length + 4, label });
    return this.li(rd, 0);
  }
  divu = (rd: number, rs: number, rt: number) => this.r3(Op.DIVU, rd, rs, rt);
  halt = () => this.insn(Op.HALT);
  setmode = (rs: number) => this.insn(Op.SETMODE, rs);
  cli = () => this.insn(Op.CLI);
  sti = () => this.insn(Op.STI);
  iret = () => this.insn(Op.IRET);
  syscall = () => this.insn(Op.SYSCALL);
  in = (rd: number, port: number) => this.insn(Op.IN, rd, port);
  out_ = (port: number, rs: number) => this.insn(Op.OUT, rs, port);
  tlbflush = () => this.insn(Op.TLBFLUSH);
  /** An undefined opcode (raises the illegal-instruction exception). */
  bad = () => this.insn(0xff);

  /** Raw 32-bit little-endian data. */
  word(v: number): this {
    this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    return this;
  }

  /** Pad with NOPs up to `addr`. */
  org(addr: number): this {
    if (addr < this.pc || (addr - this.pc) % 4 !== 0)
      throw new Error(`ToyAsm: cannot org to 0x${addr.toString(16)}`);
    while (this.pc < addr) this.nop();
    return this;
  }

  build(): Uint8Array {
    const bytes = Uint8Array.from(this.out);
    for (const f of this.absolute)
      new DataView(bytes.buffer).setUint32(f.at, this.addressOf(f.label), true);
    for (const f of this.fixups) {
      const delta = this.addressOf(f.label) - f.next;
      if (delta % 4 !== 0 || delta / 4 < -32768 || delta / 4 > 32767) {
        throw new Error(`ToyAsm: branch to ${f.label} out of range`);
      }
      const off = (delta / 4) & 0xffff;
      bytes[f.at] = off & 0xff;
      bytes[f.at + 1] = off >>> 8;
    }
    return bytes;
  }
}

/** One line of disassembly (for `-d in_asm`). */
export function disassembleToy(
  fetch: (pc: number) => number,
  pc: number,
): { text: string; length: number } {
  const op = fetch(pc);
  const [a, b, c] = [fetch(pc + 1), fetch(pc + 2), fetch(pc + 3)];
  const name = NAMES.get(op) ?? `.byte 0x${op.toString(16)}`;
  if (op === Op.LI) {
    const imm =
      (fetch(pc + 4) | (fetch(pc + 5) << 8) | (fetch(pc + 6) << 16) | (fetch(pc + 7) << 24)) >>> 0;
    return { text: `li r${a}, 0x${imm.toString(16)}`, length: 8 };
  }
  if (op === Op.BCC || op === Op.JMP) {
    const off = ((b | (c << 8)) << 16) >> 16;
    const target = (pc + 4 + off * 4) >>> 0;
    const cc = op === Op.BCC ? `${CONDS[a] ?? '?'} ` : '';
    return { text: `${name} ${cc}0x${target.toString(16)}`, length: 4 };
  }
  return { text: `${name} ${a}, ${b}, ${c}`, length: 4 };
}
