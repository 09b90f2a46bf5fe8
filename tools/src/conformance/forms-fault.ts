/**
 * Forms that raise an exception by design (group `fault`): INT n, INT3, INTO and BOUND;
 * privileged and I/O instructions at CPL 3 (#GP); memory accesses that cross the data page's
 * edges or reach unmapped memory (#PF, with the fault address); stack accesses off the page;
 * and REP string instructions that run off the page after some iterations (the registers
 * show how far they got). A fault leaves the state before the instruction: nothing here is
 * undefined.
 */
import type { InstructionForm } from './forms.js';
import { DATA_PAGE_ADDRESS, DATA_PAGE_SIZE, OF } from './state.js';
import type { OperandSize, TestBuilder } from './test-builder.js';

const ECX = 1;
const ESP = 4;
const ESI = 6;
const EDI = 7;

function form(name: string, generate: (b: TestBuilder) => string): InstructionForm {
  return { name, group: 'fault', generate };
}

function interruptForms(): InstructionForm[] {
  return [
    form('int imm8', (b) => {
      // Not 0x80: that is a system call, which could end the runner.
      let vector = b.rng.below(256);
      if (vector === 0x80) vector = 0x81;
      return `int 0x${vector.toString(16)}`;
    }),
    form('int3', () => 'int3'),
    form('into', (b) => {
      b.eflags = b.rng.chance(0.5) ? b.eflags | OF : b.eflags & ~OF;
      return 'into';
    }),
    ...([16, 32] as const).map((size) =>
      form(`bound r${size},m${2 * size}`, (b) => {
        const lower = b.value(size);
        const upper = b.value(size);
        const m = b.mem(size, lower);
        b.poke(m.offset + size / 8, size, upper);
        return `bound ${b.reg(size)}, ${m.text.replace(/^\w+ /, '')}`;
      }),
    ),
  ];
}

/** Instructions CPL 3 may not execute here: #GP(0) (I/O: no IOPL, no I/O bitmap). */
const PRIVILEGED: readonly [string, (b: TestBuilder) => string][] = [
  ['hlt', () => 'hlt'],
  ['cli', () => 'cli'],
  ['sti', () => 'sti'],
  ['in al,dx', () => 'in al, dx'],
  ['in eax,imm8', (b) => `in eax, ${b.rng.below(256)}`],
  ['out dx,al', () => 'out dx, al'],
  ['out imm8,eax', (b) => `out ${b.rng.below(256)}, eax`],
  ['insb', () => 'insb'],
  ['outsd', () => 'outsd'],
  ['mov r32,cr0', (b) => `mov ${b.reg(32)}, cr0`],
  ['mov cr3,r32', (b) => `mov cr3, ${b.reg(32)}`],
  ['mov r32,dr7', (b) => `mov ${b.reg(32)}, dr7`],
  ['lgdt m', (b) => `lgdt ${b.mem(32).text.replace(/^\w+ /, '')}`],
  ['lidt m', (b) => `lidt ${b.mem(32).text.replace(/^\w+ /, '')}`],
  ['lldt r16', (b) => `lldt ${b.reg(16)}`],
  ['ltr r16', (b) => `ltr ${b.reg(16)}`],
  ['lmsw r16', (b) => `lmsw ${b.reg(16)}`],
  ['invlpg m', (b) => `invlpg ${b.mem(32).text.replace(/^\w+ /, '')}`],
  ['clts', () => 'clts'],
  ['invd', () => 'invd'],
  ['wbinvd', () => 'wbinvd'],
  ['rdmsr', () => 'rdmsr'],
  ['wrmsr', () => 'wrmsr'],
];

function privilegedForms(): InstructionForm[] {
  return [...PRIVILEGED.map(([name, generate]) => form(name, generate)), form('ud2', () => 'ud2')];
}

/** A data-page offset so that a `size`-bit access there crosses the page's end or start. */
function straddle(b: TestBuilder, size: OperandSize, edge: 'end' | 'start'): number {
  const inside = 1 + b.rng.below(size / 8 - 1);
  return edge === 'end' ? DATA_PAGE_SIZE - inside : -(size / 8 - inside);
}

function pageEdgeForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const size of [16, 32] as const) {
    for (const edge of ['end', 'start'] as const) {
      forms.push(
        form(`mov r${size},m${size} across the page ${edge}`, (b) => {
          const m = b.memAt(size, straddle(b, size, edge));
          return `mov ${b.reg(size)}, ${m}`;
        }),
        form(`mov m${size},r${size} across the page ${edge}`, (b) => {
          const m = b.memAt(size, straddle(b, size, edge));
          return `mov ${m}, ${b.reg(size)}`;
        }),
        form(`add m${size},r${size} across the page ${edge}`, (b) => {
          const m = b.memAt(size, straddle(b, size, edge));
          return `add ${m}, ${b.reg(size)}`;
        }),
      );
    }
  }
  // Below the runner's code, where nothing is mapped natively or in tsemu.
  const unmapped = (b: TestBuilder, size: OperandSize) =>
    b.memAt(size, 0x1000 + b.rng.below(0x08000000 - 0x2000) - DATA_PAGE_ADDRESS);
  // Reads, writes, and read-modify-writes (whose #PF error code says "write").
  const accesses: [string, (b: TestBuilder) => string][] = [
    ['mov r32,m32', (b) => `mov ${b.reg(32)}, ${unmapped(b, 32)}`],
    ['mov m32,r32', (b) => `mov ${unmapped(b, 32)}, ${b.reg(32)}`],
    ['setc m8', (b) => `setc ${unmapped(b, 8)}`],
    ['inc m32', (b) => `inc ${unmapped(b, 32)}`],
    ['not m8', (b) => `not ${unmapped(b, 8)}`],
    ['shl m16,1', (b) => `shl ${unmapped(b, 16)}, 1`],
    ['xchg m32,r32', (b) => `xchg ${unmapped(b, 32)}, ${b.reg(32)}`],
    ['xadd m32,r32', (b) => `xadd ${unmapped(b, 32)}, ${b.reg(32)}`],
    ['cmpxchg m32,r32', (b) => `cmpxchg ${unmapped(b, 32)}, ${b.reg(32)}`],
    ['bts m32,imm8', (b) => `bts ${unmapped(b, 32)}, ${b.rng.below(32)}`],
    ['lock add m32,r32', (b) => `lock add ${unmapped(b, 32)}, ${b.reg(32)}`],
  ];
  for (const [name, generate] of accesses) forms.push(form(`${name} unmapped`, generate));
  forms.push(
    form('push r32 below the page', (b) => {
      b.setReg(ESP, 32, DATA_PAGE_ADDRESS + b.rng.below(4));
      return `push ${b.reg(32)}`;
    }),
    form('call rel32 below the page', (b) => {
      b.setReg(ESP, 32, DATA_PAGE_ADDRESS + b.rng.below(4));
      return 'call f\nf:';
    }),
    form('pop r32 across the page end', (b) => {
      b.setReg(ESP, 32, DATA_PAGE_ADDRESS + DATA_PAGE_SIZE - b.rng.below(4));
      return `pop ${b.reg(32)}`;
    }),
  );
  return forms;
}

/**
 * REP string instructions whose pointers start near an edge of the data page and whose count
 * takes them past it: the fault comes after some iterations, with ECX, ESI and EDI updated
 * for the ones that completed.
 */
function stringEdgeForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  const ops: [string, boolean, boolean][] = [
    // [instruction, uses ESI, uses EDI]
    ['rep movs', true, true],
    ['rep stos', false, true],
    ['rep lods', true, false],
    ['repe cmps', true, true],
    ['repne scas', false, true],
  ];
  const suffix: Record<OperandSize, string> = { 8: 'b', 16: 'w', 32: 'd' };
  for (const [op, usesSi, usesDi] of ops) {
    for (const size of [8, 32] as const) {
      for (const edge of ['end', 'start'] as const) {
        forms.push(
          form(`${op}${suffix[size]} off the page ${edge}`, (b) => {
            const down = edge === 'start';
            b.setDirection(down);
            const near = () =>
              DATA_PAGE_ADDRESS + (down ? b.rng.below(32) : DATA_PAGE_SIZE - 1 - b.rng.below(32));
            // The pointer that does not run off stays in the window (the other one does).
            const inWindow = () => DATA_PAGE_ADDRESS + 0x7c0 + b.rng.below(0x40);
            const runsOff = usesDi && (!usesSi || b.rng.chance(0.5)) ? EDI : ESI;
            b.fixedReg(ESI, 32, usesSi && runsOff === ESI ? near() : inWindow());
            b.fixedReg(EDI, 32, usesDi && runsOff === EDI ? near() : inWindow());
            b.fixedReg(ECX, 32, 1 + b.rng.below(48));
            // The page is filled with one dword: CMPS and SCAS find equal elements there.
            const fill = b.value(32);
            b.setFill(fill);
            b.fixedReg(0, 32, b.rng.chance(0.5) ? fill : b.value(32));
            return `${op}${suffix[size]}`;
          }),
        );
      }
    }
  }
  return forms;
}

export function faultForms(): InstructionForm[] {
  return [...interruptForms(), ...privilegedForms(), ...pageEdgeForms(), ...stringEdgeForms()];
}
