/**
 * The exception paths of MMX/SSE/SSE2, in a protected-mode guest whose handlers record
 * every exception: #UD and #NM from CR0.EM/TS and CR4.OSFXSR, #MF for a pending x87
 * exception, #XM (or #UD) for unmasked SIMD floating-point exceptions, #GP for misaligned
 * 16-byte operands and reserved MXCSR bits, and page faults that leave registers and
 * memory as they were.
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { FPU } from '../../src/i386/cpu/state-layout.js';
import { BACKENDS, TestMachine } from './machine.js';
import { PF_FIX, pmProgram, RESUME, readRecords, SEL, toUser } from './pm-kernel.js';
import { simdAsm } from './simd-asm.js';

/** CR4.OSFXSR | CR4.OSXMMEXCPT. */
const ENABLE_SSE = `
    mov eax, cr4
    or eax, 0x600
    mov cr4, eax
`;

/** Page directory at 1 MiB; 0-4 MiB identity-mapped; 4-8 MiB through PT1 (empty). */
const PD = 0x100000;
const PT0 = 0x101000;
const PT1 = 0x102000;
const pte1 = (linear: number) => PT1 + ((linear - 0x400000) >>> 12) * 4;
const PAGING_ON = `
    mov edi, ${PD}
    mov ecx, 1024 * 3
    xor eax, eax
    cld
    rep stosd
    mov edi, ${PT0}
    mov eax, 7
    mov ecx, 1024
fill_pt0:
    stosd
    add eax, 0x1000
    loop fill_pt0
    mov dword [${PD}], ${PT0 | 7}
    mov dword [${PD + 4}], ${PT1 | 7}
    mov eax, ${PD}
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
`;

function boot(
  backend: BackendKind,
  body: string,
  options: { data?: string; before?: (m: TestMachine) => void } = {},
) {
  const m = new TestMachine({ backend, ramSize: 8 << 20 });
  const p = m.loadReal(simdAsm(pmProgram(body, options.data ?? '')));
  options.before?.(m);
  const result = m.run();
  return { m, p, result, records: readRecords((a) => m.read32(a)) };
}

/** Expect the recorded exceptions to be these (vector, label of the faulting instruction). */
function expectFaults(
  run: ReturnType<typeof boot>,
  expected: [vector: number, label: string, error?: number][],
): void {
  expect(run.result).toBe('halted');
  expect(run.records.map((r) => [r.vector, r.eip, r.error])).toEqual(
    expected.map(([v, label, error]) => [v, run.p.symbol(label), error ?? 0]),
  );
}

describe.each(BACKENDS)('SIMD exceptions (%s)', (backend) => {
  it('CR0.EM: MMX and SSE raise #UD, FXSAVE #NM; fences, CLFLUSH and MOVNTI still run', () => {
    const run = boot(
      backend,
      `${ENABLE_SSE}
      mov eax, cr0
      or eax, 4
      mov cr0, eax
      mov dword [${RESUME}], r1
    f1: paddb mm0, mm1
    r1: mov dword [${RESUME}], r2
    f2: addps xmm0, xmm1
    r2: mov dword [${RESUME}], r3
    f3: fxsave [0x30000]
    r3: mov dword [${RESUME}], r4
    f4: emms
    r4: lfence
      sfence
      mfence
      mov eax, 0x1234
      movnti [0x30010], eax
      clflush [0x30010]
    `,
    );
    expectFaults(run, [
      [6, 'f1'],
      [6, 'f2'],
      [7, 'f3'],
      [6, 'f4'],
    ]);
    expect(run.m.read32(0x30010)).toBe(0x1234);
  });

  it('CR0.TS: #NM for MMX, SSE, EMMS, FXSAVE/FXRSTOR; CR4.OSFXSR clear: #UD for SSE only', () => {
    const run = boot(
      backend,
      `${ENABLE_SSE}
      mov eax, cr0
      or eax, 8
      mov cr0, eax
      mov dword [${RESUME}], r1
    f1: movq mm0, mm1
    r1: mov dword [${RESUME}], r2
    f2: movaps xmm0, xmm1
    r2: mov dword [${RESUME}], r3
    f3: emms
    r3: mov dword [${RESUME}], r4
    f4: fxrstor [0x30000]
    r4: mov eax, cr4
      and eax, ~0x200
      mov cr4, eax
      mov dword [${RESUME}], r5
    f5: movaps xmm0, xmm1           ; no OSFXSR and TS: #UD comes first
    r5: clts
      mov dword [${RESUME}], r6
    f6: ldmxcsr [0x30000]
    r6: mov dword [${RESUME}], r7
    f7: cvtpi2ps xmm0, mm1
    r7: mov dword [${RESUME}], r8
    f8: movq2dq xmm0, mm1
    r8: paddb mm0, mm1              ; MMX, and the SSE additions to MMX, need no OSFXSR
      pshufw mm0, mm1, 0x1b
      pmovmskb eax, mm0
      emms
    `,
    );
    expectFaults(run, [
      [7, 'f1'],
      [7, 'f2'],
      [7, 'f3'],
      [7, 'f4'],
      [6, 'f5'],
      [6, 'f6'],
      [6, 'f7'],
      [6, 'f8'],
    ]);
  });

  it('raises #MF for an MMX instruction while an x87 exception is pending (CR0.NE)', () => {
    const ferr: boolean[] = [];
    const run = boot(
      backend,
      `${ENABLE_SSE}
      mov eax, cr0
      or eax, 0x20
      mov cr0, eax
      mov dword [${RESUME}], r1
    f1: paddw mm0, mm1
    r1: mov dword [${RESUME}], r2
    f2: emms
    r2: addps xmm0, xmm1            ; SSE does not look at the x87 state
      mov dword [${RESUME}], r3
    f3: cvtps2pi mm0, [0x30000]     ; an MMX destination does
    r3: mov eax, cr0
      and eax, ~0x20
      mov cr0, eax
      paddw mm0, mm1                ; without NE: FERR# (IRQ 13) and the instruction runs
      mov dword [0x30010], 1
    `,
      {
        // IE with the exception summary: an unmasked invalid operation is pending.
        before: (m) => {
          m.cpu.fpu[FPU.FSW] = 0x81;
          m.cpu.ferr = (level) => ferr.push(level);
        },
      },
    );
    expectFaults(run, [
      [16, 'f1'],
      [16, 'f2'],
      [16, 'f3'],
    ]);
    expect(run.m.read32(0x30010)).toBe(1);
    expect(ferr).toEqual([true]);
  });

  it('#XM for an unmasked SIMD exception (#UD without OSXMMEXCPT); the destination is kept', () => {
    const run = boot(
      backend,
      `${ENABLE_SSE}
      movups xmm0, [values]
      xorps xmm1, xmm1
      ldmxcsr [zero_divide_unmasked]
      mov dword [${RESUME}], r1
    f1: divss xmm0, xmm1
    r1: stmxcsr [0x30000]
      movups [0x30010], xmm0
      mov eax, cr4
      and eax, ~0x400
      mov cr4, eax
      mov dword [${RESUME}], r2
    f2: divps xmm0, xmm1
    r2: ; a pre-computation exception (IE from an SNaN) stops the post-computation
      ; flags of every lane: PE from lane 1 is not recorded
      ldmxcsr [invalid_unmasked]
      movups xmm2, [snan_and_one]
      movups xmm3, [one_and_tiny]
      mov dword [${RESUME}], r3
    f3: addps xmm2, xmm3
    r3: stmxcsr [0x30020]
      movups [0x30030], xmm2
      ldmxcsr [all_masked]
      addps xmm2, xmm3              ; masked: the NaN is quietened, PE and IE recorded
      stmxcsr [0x30040]
      movups [0x30050], xmm2
    `,
      {
        data: `
      align 16
    values: dd 1.0, 2.0, 3.0, 4.0
    snan_and_one: dd 0x7fa00000, 1.0, 0, 0
    one_and_tiny: dd 1.0, 1.0e-10, 0, 0
    zero_divide_unmasked: dd 0x1d80
    invalid_unmasked: dd 0x1f00
    all_masked: dd 0x1f80
    `,
      },
    );
    expectFaults(run, [
      [19, 'f1'],
      [6, 'f2'],
      [6, 'f3'],
    ]);
    const m = run.m;
    expect(m.read32(0x30000)).toBe(0x1d84);
    // 1.0 2.0 3.0 4.0, unchanged
    expect([0, 4, 8, 12].map((o) => m.read32(0x30010 + o))).toEqual([
      0x3f800000, 0x40000000, 0x40400000, 0x40800000,
    ]);
    expect(m.read32(0x30020)).toBe(0x1f01);
    expect(m.read32(0x30030)).toBe(0x7fa00000);
    expect(m.read32(0x30040)).toBe(0x1fa1);
    expect(m.read32(0x30050)).toBe(0x7fe00000);
  });

  it('#GP(0) for misaligned 16-byte operands of the aligned forms; the register is kept', () => {
    const run = boot(
      backend,
      `${ENABLE_SSE}
      pcmpeqb xmm0, xmm0
      mov dword [${RESUME}], r1
    f1: movdqa xmm0, [0x30001]
    r1: mov dword [${RESUME}], r2
    f2: movaps [0x30008], xmm0
    r2: mov dword [${RESUME}], r3
    f3: paddb xmm0, [0x30004]
    r3: mov dword [${RESUME}], r4
    f4: movntdq [0x30004], xmm0
    r4: mov dword [${RESUME}], r5
    f5: cvtpd2pi mm0, [0x30008]
    r5: mov dword [${RESUME}], r6
    f6: fxsave [0x30008]
    r6: mov dword [${RESUME}], r7
    f7: fxrstor [0x30001]
    r7: movups [0x40000], xmm0
      movdqu xmm1, [0x30001]        ; the unaligned forms and 8-byte operands are fine
      movups [0x30003], xmm1
      movq xmm2, [0x30005]
      addsd xmm2, [0x30009]
      pshufd xmm3, [0x30010], 0
    `,
    );
    expectFaults(run, [
      [13, 'f1'],
      [13, 'f2'],
      [13, 'f3'],
      [13, 'f4'],
      [13, 'f5'],
      [13, 'f6'],
      [13, 'f7'],
    ]);
    expect([0, 4, 8, 12].map((o) => run.m.read32(0x40000 + o))).toEqual([
      0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
    ]);
  });

  it('LDMXCSR and FXRSTOR: #GP(0) for a reserved MXCSR bit, MXCSR unchanged', () => {
    const run = boot(
      backend,
      `${ENABLE_SSE}
      ldmxcsr [good]
      mov dword [${RESUME}], r1
    f1: ldmxcsr [bad]
    r1: stmxcsr [0x30000]
      fxsave [0x31000]
      mov dword [0x31000 + 24], 0x10000
      mov dword [${RESUME}], r2
    f2: fxrstor [0x31000]
    r2: stmxcsr [0x30004]
    `,
      { data: 'good: dd 0xffff\nbad: dd 0x1ffff' },
    );
    expectFaults(run, [
      [13, 'f1'],
      [13, 'f2'],
    ]);
    expect(run.m.read32(0x30000)).toBe(0xffff);
    expect(run.m.read32(0x30004)).toBe(0xffff);
  });

  it('checks segment limits on every byte of 16-byte and FXSAVE operands (#GP(0))', () => {
    const run = boot(
      backend,
      `${ENABLE_SSE}
      mov ax, ${SEL.BASED}            ; base 0x100000, limit 0xfff
      mov es, ax
      pcmpeqb xmm0, xmm0
      movdqu [es:0xff0], xmm0         ; the last 16 bytes: fine
      mov dword [${RESUME}], r1
    f1: movdqu xmm1, [es:0xff8]       ; bytes 0x1000-0x1007 are beyond the limit
    r1: mov dword [${RESUME}], r2
    f2: movq [es:0xffc], xmm0
    r2: fxsave [es:0xe00]             ; 512 bytes from 0xe00 end at 0xfff: fine
      mov dword [${RESUME}], r3
    f3: fxsave [es:0xf00]
    r3: mov edi, 0xffc
      pcmpeqb mm1, mm1
      mov dword [${RESUME}], r4
    f4: db 0x26                       ; ES:
      maskmovq mm0, mm1
    r4:
    `,
    );
    expectFaults(run, [
      [13, 'f1'],
      [13, 'f2'],
      [13, 'f3'],
      [13, 'f4'],
    ]);
    expect(run.m.read32(0x100ff0)).toBe(0xffffffff);
  });

  it('runs at CPL 3 with user page checks: FXSAVE and MOVDQU to a supervisor page fault', () => {
    const run = boot(
      backend,
      `${PAGING_ON}${ENABLE_SSE}
      mov dword [${pte1(0x400000)}], 0x200000 | 3    ; supervisor page
      mov dword [${pte1(0x401000)}], 0x201000 | 7    ; user page
      ${toUser('user')}
    user:
      pcmpeqb xmm0, xmm0
      movups [0x401000], xmm0
      paddd xmm0, [0x401000]
      fxsave [0x401200]
      mov dword [${RESUME}], r1
    f1: fxsave [0x400000]
    r1: mov dword [${RESUME}], r2
    f2: movdqu [0x400ffc], xmm0
    r2: int 0x81
    `,
    );
    expect(run.result).toBe('halted');
    const p = run.p;
    expect(run.records.map((r) => [r.vector, r.eip, r.error, r.cr2])).toEqual([
      [14, p.symbol('f1'), 7, 0x400000],
      [14, p.symbol('f2'), 7, 0x400ffc],
      [0x81, p.symbol('r2') + 2, 0, 0x400ffc],
    ]);
    // 0xffffffff + 0xffffffff in every dword.
    expect(run.m.read32(0x201000)).toBe(0xffffffff);
    expect(run.m.read32(0x201200 + 24)).toBe(0x1f80); // FXSAVE's MXCSR
    expect(run.m.read32(0x201200 + 160)).toBe(0xfffffffe);
  });

  it('page faults: loads keep the register, page-crossing stores write nothing first', () => {
    const run = boot(
      backend,
      `${PAGING_ON}${ENABLE_SSE}
      mov dword [${pte1(0x400000)}], 0x200000 | 3
      mov edi, 0x400000                 ; fill the present page with 0x11
      mov eax, 0x11111111
      mov ecx, 1024
      rep stosd
      pcmpeqb xmm0, xmm0
      movups xmm1, [pattern]
      mov dword [${RESUME}], r1
    f1: movdqu xmm0, [0x400ff8]         ; crosses into 0x401000 (not present)
    r1: movups [0x30000], xmm0
      mov dword [${RESUME}], r2
    f2: movdqu [0x400ff8], xmm1
    r2: mov dword [${RESUME}], r3
    f3: movq [0x400ffc], xmm1
    r3: mov dword [${RESUME}], r4
    f4: clflush [0x402000]
    r4: mov edi, 0x400ff8
      pcmpeqb xmm2, xmm2                ; mask: every byte
      mov dword [${RESUME}], r5
    f5: maskmovdqu xmm1, xmm2
    r5: pxor xmm2, xmm2                 ; an all-zero mask touches nothing
      maskmovdqu xmm1, xmm2
      mov dword [${RESUME}], r6
    f6: fxsave [0x400f00]
    r6: db 0x0f, 0x18, 0x0d, 0x00, 0x50, 0x40, 0x00   ; prefetcht0 [0x405000]: never faults
      mov dword [${PF_FIX}], ${pte1(0x401000)}
      mov dword [${pte1(0x401000)}], 0x201000 | 2
    f7: movdqu [0x400ff8], xmm1         ; the handler maps the page and the store is retried
    `,
      { data: 'align 16\npattern: db 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15' },
    );
    const { m, records } = run;
    expect(run.result).toBe('halted');
    const faults = records.map((r) => [r.vector, r.eip, r.error, r.cr2]);
    const p = run.p;
    expect(faults).toEqual([
      [14, p.symbol('f1'), 0, 0x401000],
      [14, p.symbol('f2'), 2, 0x401000],
      [14, p.symbol('f3'), 2, 0x401000],
      [14, p.symbol('f4'), 0, 0x402000],
      [14, p.symbol('f5'), 2, 0x401000],
      [14, p.symbol('f6'), 2, 0x401000],
      [14, p.symbol('f7'), 2, 0x401000],
    ]);
    expect([0, 4, 8, 12].map((o) => m.read32(0x30000 + o))).toEqual([
      0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
    ]);
    // Nothing was written at the end of the present page before f7 completed...
    expect(m.read32(0x200f00)).toBe(0x11111111);
    // ...and the retried store wrote all 16 bytes.
    expect(Array.from(m.read(0x200ff8, 8))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(m.read(0x201000, 8))).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });
});
