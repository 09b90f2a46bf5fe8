/**
 * The MMX/SSE architectural state: MMX registers aliased on the x87 registers (with the
 * x87-to-MMX transition and EMMS), MXCSR through LDMXCSR/STMXCSR, and the FXSAVE/FXRSTOR
 * image (every field of the 512-byte layout, with and without CR4.OSFXSR).
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { CR4_OSFXSR, CR4_OSXMMEXCPT } from '../../src/i386/cpu/constants.js';
import { FPU } from '../../src/i386/cpu/state-layout.js';
import { BACKENDS, TestMachine } from './machine.js';
import { simdAsm } from './simd-asm.js';

function flat(backend: BackendKind, source: string, osfxsr = true): TestMachine {
  const m = new TestMachine({ backend });
  m.loadFlat32(simdAsm(`${source}\n hlt`));
  if (osfxsr) m.cpu.setCr4(m.cpu.cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
  return m;
}

/** A recognisable x87 state: TOP = 5, registers 1 and 3 empty. */
function setX87State(m: TestMachine): void {
  const fpu = m.cpu.fpu;
  fpu[FPU.FCW] = 0x027f;
  fpu[FPU.FSW] = 0x4121; // C3, C0, PE, IE (TOP lives in FTOP)
  fpu[FPU.FTOP] = 5;
  fpu[FPU.FTAGS_EMPTY] = 0b00001010;
  fpu[FPU.FOP] = 0x5d9;
  fpu[FPU.FIP] = 0x12345678;
  fpu[FPU.FCS] = 0x0008;
  fpu[FPU.FDP] = 0x00abcdef;
  fpu[FPU.FDS] = 0x0010;
  fpu[FPU.MXCSR] = 0x9fa5;
  for (let i = 0; i < 8; i++) {
    m.cpu.fpregs[4 * i] = 0x11111111 * (i + 1);
    m.cpu.fpregs[4 * i + 1] = 0x80000000 | (i << 24) | 0;
    m.cpu.fpregs[4 * i + 2] = 0x3fff + i;
  }
  for (let i = 0; i < 32; i++) m.cpu.xmm[i] = (0x01010101 * i) | 0;
}

describe.each(BACKENDS)('SIMD state (%s)', (backend) => {
  it('aliases MMX registers on the x87 significands: TOP = 0, tags valid, exponent 0xffff', () => {
    const m = flat(
      backend,
      `
      movq mm3, [0x20000]
      movq [0x30000], mm3
      mov eax, 0x55667788
      movd mm5, eax
      paddd mm5, mm5
      movd [0x30008], mm5
    `,
    );
    m.load(0x20000, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    m.cpu.fpu[FPU.FTOP] = 6;
    m.cpu.fpu[FPU.FTAGS_EMPTY] = 0xff;
    m.cpu.fpregs[4 * 2 + 2] = 0x4000; // an x87 value in R2 that MMX code does not touch
    expect(m.run()).toBe('halted');
    const cpu = m.cpu;
    expect(Array.from(m.read(0x30000, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(m.read32(0x30008)).toBe(0xaaccef10);
    expect([cpu.fpregs[12] >>> 0, cpu.fpregs[13] >>> 0, cpu.fpregs[14]]).toEqual([
      0x04030201, 0x08070605, 0xffff,
    ]);
    expect([cpu.fpregs[20] >>> 0, cpu.fpregs[21], cpu.fpregs[22]]).toEqual([0xaaccef10, 0, 0xffff]);
    expect(cpu.fpregs[10]).toBe(0x4000);
    expect(cpu.fpu[FPU.FTOP]).toBe(0);
    expect(cpu.fpu[FPU.FTAGS_EMPTY]).toBe(0);
  });

  it('EMMS empties every tag; reading an MMX register makes them valid again', () => {
    const m = flat(backend, 'emms\n mov dword [0x30000], 1');
    m.cpu.fpu[FPU.FTOP] = 3;
    m.cpu.fpu[FPU.FTAGS_EMPTY] = 0x0f;
    expect(m.run()).toBe('halted');
    expect(m.cpu.fpu[FPU.FTAGS_EMPTY]).toBe(0xff);
    expect(m.cpu.fpu[FPU.FTOP]).toBe(0); // EMMS sets TOP to 0, as the host does
    const m2 = flat(backend, 'movd eax, mm2');
    m2.cpu.fpu[FPU.FTOP] = 3;
    m2.cpu.fpu[FPU.FTAGS_EMPTY] = 0xff;
    m2.cpu.fpregs[8] = 0x1234;
    m2.cpu.fpregs[10] = 0x4001;
    expect(m2.run()).toBe('halted');
    expect(m2.cpu.regs[0]).toBe(0x1234);
    expect(m2.cpu.fpregs[10]).toBe(0x4001); // a read does not touch the exponent
    expect([m2.cpu.fpu[FPU.FTOP], m2.cpu.fpu[FPU.FTAGS_EMPTY]]).toEqual([0, 0]);
  });

  it('LDMXCSR/STMXCSR; MXCSR starts at 0x1f80', () => {
    const m = flat(
      backend,
      `
      stmxcsr [0x30000]
      mov dword [0x30004], 0xffbf
      ldmxcsr [0x30004]
      stmxcsr [0x30008]
    `,
    );
    expect(m.run()).toBe('halted');
    expect(m.read32(0x30000)).toBe(0x1f80);
    expect(m.read32(0x30008)).toBe(0xffbf);
    expect(m.cpu.fpu[FPU.MXCSR]).toBe(0xffbf);
  });

  it('FXSAVE writes the 512-byte image: x87 environment, ST(i) in stack order, MXCSR, XMM', () => {
    const m = flat(backend, 'fxsave [0x30000]');
    m.load(0x30000, new Uint8Array(512).fill(0xee));
    setX87State(m);
    expect(m.run()).toBe('halted');
    const u16 = (o: number) => m.read16(0x30000 + o);
    const u32 = (o: number) => m.read32(0x30000 + o);
    expect(u16(0)).toBe(0x027f); // FCW
    expect(u16(2)).toBe(0x4121 | (5 << 11)); // FSW with TOP
    expect(m.read(0x30004, 2)).toEqual(new Uint8Array([0b11110101, 0])); // abridged tags
    expect(u16(6)).toBe(0x5d9); // FOP
    expect(u32(8)).toBe(0x12345678); // FIP
    expect(u32(12)).toBe(0x0008); // FCS (and a reserved word of zeros)
    expect(u32(16)).toBe(0x00abcdef); // FDP
    expect(u32(20)).toBe(0x0010); // FDS
    expect(u32(24)).toBe(0x9fa5); // MXCSR
    expect(u32(28)).toBe(0xffff); // MXCSR_MASK
    for (let j = 0; j < 8; j++) {
      const r = (5 + j) & 7; // ST(j) is physical register (TOP + j) & 7
      const slot = 32 + 16 * j;
      expect([u32(slot), u32(slot + 4), u16(slot + 8), u16(slot + 10), u32(slot + 12)]).toEqual([
        (0x11111111 * (r + 1)) >>> 0,
        (0x80000000 | (r << 24)) >>> 0,
        0x3fff + r,
        0,
        0,
      ]);
    }
    for (let i = 0; i < 32; i++) expect(u32(160 + 4 * i)).toBe((0x01010101 * i) >>> 0);
    // The rest of the area is the software's.
    expect(u32(288)).toBe(0xeeeeeeee);
    expect(u32(508)).toBe(0xeeeeeeee);
  });

  it('FXRSTOR loads that image back; without CR4.OSFXSR neither saves nor loads MXCSR/XMM', () => {
    const save = flat(backend, 'fxsave [0x30000]');
    setX87State(save);
    expect(save.run()).toBe('halted');
    const image = save.read(0x30000, 512);

    const m = flat(backend, 'fxrstor [0x30000]');
    m.load(0x30000, image);
    expect(m.run()).toBe('halted');
    const fpu = m.cpu.fpu;
    expect([fpu[FPU.FCW], fpu[FPU.FSW], fpu[FPU.FTOP], fpu[FPU.FTAGS_EMPTY]]).toEqual([
      0x027f, 0x4121, 5, 0b00001010,
    ]);
    expect([fpu[FPU.FOP], fpu[FPU.FIP], fpu[FPU.FCS], fpu[FPU.FDP], fpu[FPU.FDS]]).toEqual([
      0x5d9, 0x12345678, 8, 0x00abcdef, 0x10,
    ]);
    expect(fpu[FPU.MXCSR]).toBe(0x9fa5);
    for (let i = 0; i < 8; i++) {
      expect([
        m.cpu.fpregs[4 * i] >>> 0,
        m.cpu.fpregs[4 * i + 1] >>> 0,
        m.cpu.fpregs[4 * i + 2],
      ]).toEqual([(0x11111111 * (i + 1)) >>> 0, (0x80000000 | (i << 24)) >>> 0, 0x3fff + i]);
    }
    for (let i = 0; i < 32; i++) expect(m.cpu.xmm[i] >>> 0).toBe((0x01010101 * i) >>> 0);

    const noSse = flat(backend, 'fxsave [0x30000]\n fxrstor [0x30200]', false);
    setX87State(noSse);
    noSse.load(0x30000, new Uint8Array(512).fill(0xee));
    const other = new Uint8Array(image);
    other.fill(0x77, 160, 288); // different XMM image
    other.set([0, 0, 0, 0], 24); // and MXCSR 0
    noSse.load(0x30200, other);
    expect(noSse.run()).toBe('halted');
    expect(noSse.read32(0x30000 + 24)).toBe(0xeeeeeeee);
    expect(noSse.read32(0x30000 + 160)).toBe(0xeeeeeeee);
    expect(noSse.read16(0x30000)).toBe(0x027f);
    expect(noSse.cpu.fpu[FPU.MXCSR]).toBe(0x9fa5);
    expect(noSse.cpu.xmm[1]).toBe(0x01010101);
  });
});
