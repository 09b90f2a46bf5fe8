/**
 * Directed MMX/SSE/SSE2 programs: MXCSR rounding control, FTZ and DAZ, COMIS* feeding
 * Jcc/SETcc through the lazy flags, the string loops a C library runs on SSE2
 * (strlen, memcpy), MASKMOVQ/MASKMOVDQU at DS:(E)DI, streaming stores, hints, and SSE in
 * real mode with 16-bit addressing. (simd-differential.test.ts checks every form's results
 * bit for bit against the host.)
 */
import { describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { CR4_OSFXSR, CR4_OSXMMEXCPT } from '../../src/i386/cpu/constants.js';
import { BACKENDS, TestMachine } from './machine.js';
import { simdAsm } from './simd-asm.js';

function flat(backend: BackendKind, source: string): TestMachine {
  const m = new TestMachine({ backend });
  m.loadFlat32(simdAsm(`${source}\n hlt`));
  m.cpu.setCr4(m.cpu.cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
  return m;
}

const f64 = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
};

describe.each(BACKENDS)('SIMD programs (%s)', (backend) => {
  it('rounds with MXCSR.RC: CVTSD2SI in the four modes, CVTTSD2SI truncates', () => {
    // For each mode (0..3): cvtsd2si of 2.5, -2.5, 1.5, then cvttsd2si of -2.5.
    const m = flat(
      backend,
      `
      mov edi, 0x30000
      xor ebx, ebx
    next_mode:
      mov eax, ebx
      shl eax, 13
      or eax, 0x1f80
      mov [0x2f000], eax
      ldmxcsr [0x2f000]
      cvtsd2si eax, [0x20000]
      mov [edi], eax
      cvtsd2si eax, [0x20008]
      mov [edi+4], eax
      cvtsd2si eax, [0x20010]
      mov [edi+8], eax
      cvttsd2si eax, [0x20008]
      mov [edi+12], eax
      add edi, 16
      inc ebx
      cmp ebx, 4
      jne next_mode
      cvtsd2si eax, [0x20018]       ; 3e9 does not fit: the integer indefinite, IE
      mov [edi], eax
      stmxcsr [edi+4]
    `,
    );
    m.load(0x20000, f64(2.5));
    m.load(0x20008, f64(-2.5));
    m.load(0x20010, f64(1.5));
    m.load(0x20018, f64(3e9));
    expect(m.run()).toBe('halted');
    const results = Array.from({ length: 16 }, (_, i) => m.read32(0x30000 + 4 * i) | 0);
    expect(results).toEqual([2, -2, 2, -2, 2, -3, 1, -2, 3, -2, 2, -2, 2, -2, 1, -2]);
    expect(m.read32(0x30040)).toBe(0x80000000);
    expect(m.read32(0x30044)).toBe(0x7fa1); // RC toward zero (from the loop), PE (2.5 -> 2), IE
  });

  it('flushes tiny results to zero (FTZ) and reads denormals as zeros (DAZ)', () => {
    const m = flat(
      backend,
      `
      movss xmm0, [0x20000]         ; the smallest normal
      mulss xmm0, [0x20004]         ; * 0.5: an exact denormal, no flags
      movss [0x30000], xmm0
      stmxcsr [0x30004]
      mov dword [0x2f000], 0x9f80   ; FTZ
      ldmxcsr [0x2f000]
      movss xmm0, [0x20000]
      mulss xmm0, [0x20004]         ; flushed: +0 with UE and PE
      movss [0x30008], xmm0
      stmxcsr [0x3000c]
      mov dword [0x2f000], 0x1f80
      ldmxcsr [0x2f000]
      movss xmm1, [0x20008]         ; a denormal
      addss xmm1, [0x2000c]         ; + 0: the denormal, with DE
      movss [0x30010], xmm1
      stmxcsr [0x30014]
      mov dword [0x2f000], 0x1fc0   ; DAZ
      ldmxcsr [0x2f000]
      movss xmm1, [0x20008]
      addss xmm1, [0x2000c]         ; read as 0: +0, no DE
      movss [0x30018], xmm1
      stmxcsr [0x3001c]
    `,
    );
    m.load(
      0x20000,
      new Uint8Array(new Uint32Array([0x00800000, 0x3f000000, 0x00000003, 0]).buffer),
    );
    expect(m.run()).toBe('halted');
    const r = Array.from({ length: 8 }, (_, i) => m.read32(0x30000 + 4 * i));
    expect(r).toEqual([0x00400000, 0x1f80, 0, 0x9fb0, 3, 0x1f82, 0, 0x1fc0]);
  });

  it('COMISS/UCOMISD set ZF PF CF for Jcc and SETcc, clear OF SF AF; COMIS signals QNaN', () => {
    const m = flat(
      backend,
      `
      movss xmm0, [0x20000]         ; 1.0
      movss xmm1, [0x20004]         ; 2.0
      mov al, 0x7f
      add al, 1                     ; OF SF AF set before the compare
      comiss xmm0, xmm1
      setb byte [0x30000]
      sete byte [0x30001]
      setp byte [0x30002]
      pushfd
      pop dword [0x30004]
      comiss xmm1, xmm0
      seta byte [0x30008]
      ucomiss xmm0, xmm0
      sete byte [0x30009]
      jne wrong
      stmxcsr [0x3000c]
      movss xmm2, [0x20008]         ; a quiet NaN
      ucomiss xmm0, xmm2            ; unordered: ZF PF CF, no IE
      setp byte [0x30010]
      stmxcsr [0x30014]
      comiss xmm0, xmm2             ; COMISS: IE for any NaN
      stmxcsr [0x30018]
      movsd xmm3, [0x20010]
      ucomisd xmm3, [0x20018]       ; 1.5 > -1.0 (a memory operand)
      seta byte [0x3001c]
      hlt
    wrong:
      mov dword [0x30020], 0xbad
    `,
    );
    m.load(0x20000, new Uint8Array(new Float32Array([1, 2, Number.NaN, 0]).buffer));
    m.load(0x20010, new Uint8Array(new Float64Array([1.5, -1]).buffer));
    expect(m.run()).toBe('halted');
    expect(Array.from(m.read(0x30000, 3))).toEqual([1, 0, 0]);
    expect(m.read32(0x30004) & 0x8d5).toBe(0x001); // CF only
    expect(Array.from(m.read(0x30008, 2))).toEqual([1, 1]);
    expect(m.read32(0x3000c)).toBe(0x1f80);
    expect(m.read(0x30010, 1)[0]).toBe(1);
    expect(m.read32(0x30014)).toBe(0x1f80);
    expect(m.read32(0x30018)).toBe(0x1f81);
    expect(m.read(0x3001c, 1)[0]).toBe(1);
    expect(m.read32(0x30020)).toBe(0);
  });

  it('runs a C library strlen (PCMPEQB/PMOVMSKB/BSF) and memcpy loops (MOVDQA/MOVDQU)', () => {
    const text = 'The quick brown fox jumps over the lazy dog, and then some more words!';
    const m = flat(
      backend,
      `
      mov esi, 0x20000              ; strlen, 16 bytes at a time
      pxor xmm0, xmm0
    scan:
      movdqa xmm1, [esi]
      pcmpeqb xmm1, xmm0
      pmovmskb eax, xmm1
      test eax, eax
      jnz found
      add esi, 16
      jmp scan
    found:
      bsf eax, eax
      add eax, esi
      sub eax, 0x20000
      mov [0x2f000], eax
      mov esi, 0x20000              ; memcpy of 4 KiB to an unaligned destination
      mov edi, 0x40003
      mov ecx, 256
    copy:
      movdqa xmm2, [esi]
      movdqu [edi], xmm2
      add esi, 16
      add edi, 16
      dec ecx
      jnz copy
      mov esi, 0x20005              ; and back from an unaligned source (4 KiB - 16 bytes)
      mov edi, 0x50000
      mov ecx, 255
    copy_back:
      movdqu xmm3, [esi]
      movdqa [edi], xmm3
      add esi, 16
      add edi, 16
      dec ecx
      jnz copy_back
    `,
    );
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff || 1;
    bytes.set(new TextEncoder().encode(text), 0);
    bytes[text.length] = 0;
    m.load(0x20000, bytes);
    expect(m.run()).toBe('halted');
    expect(m.read32(0x2f000)).toBe(text.length);
    expect(m.read(0x40003, 4096)).toEqual(bytes);
    expect(m.read(0x50000, 4080)).toEqual(bytes.subarray(5, 4085));
  });

  it('MASKMOVQ/MASKMOVDQU store the selected bytes at DS:(E)DI; streaming stores and hints', () => {
    const m = flat(
      backend,
      `
      movdqu xmm0, [0x20000]        ; data 0x10..0x1f
      movdqu xmm1, [0x20010]        ; mask: bit 7 of every other byte
      mov edi, 0x30000
      maskmovdqu xmm0, xmm1
      movq mm0, [0x20000]
      movq mm1, [0x20010]
      mov edi, 0x30020
      maskmovq mm0, mm1
      mov eax, 0xcafe
      movnti [0x30040], eax
      movntq [0x30048], mm0
      movntps [0x30050], xmm0
      movntdq [0x30060], xmm0
      movntpd [0x30070], xmm0
      db 0x0f, 0x18, 0x05, 0x00, 0x00, 0x00, 0xf0   ; prefetchnta [0xf0000000]: unmapped, no fault
      db 0xf3, 0x90                                 ; pause
      sfence
      lfence
      mfence
      emms
    `,
    );
    const data = Array.from({ length: 16 }, (_, i) => 0x10 + i);
    const mask = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 0x80 : 0x7f));
    m.load(0x20000, new Uint8Array([...data, ...mask]));
    m.load(0x30000, new Uint8Array(0x80).fill(0xee));
    expect(m.run()).toBe('halted');
    const expected = data.map((v, i) => (i % 2 === 0 ? v : 0xee));
    expect(Array.from(m.read(0x30000, 16))).toEqual(expected);
    expect(Array.from(m.read(0x30020, 8))).toEqual(expected.slice(0, 8));
    expect(Array.from(m.read(0x30028, 8))).toEqual(new Array(8).fill(0xee));
    expect(m.read32(0x30040)).toBe(0xcafe);
    expect(Array.from(m.read(0x30048, 8))).toEqual(data.slice(0, 8));
    for (const o of [0x50, 0x60, 0x70]) expect(Array.from(m.read(0x30000 + o, 16))).toEqual(data);
  });

  it('runs SSE in real mode: 16-bit addressing, segment bases, MASKMOVQ at DS:DI', () => {
    const m = new TestMachine({ backend });
    m.loadReal(
      simdAsm(
        `bits 16
      mov ax, 0x2000
      mov ds, ax                    ; DS base 0x20000
      mov bx, 0x10
      mov si, 0x20
      movdqu xmm0, [bx+si]          ; 0x20030
      paddd xmm0, [bx]              ; 0x20010 (aligned)
      movdqa [si], xmm0             ; 0x20020
      mov ax, 0x3000
      mov es, ax
      movq mm0, [bx]
      pcmpeqb mm1, mm1
      mov di, 0x8
      maskmovq mm0, mm1             ; DS:DI = 0x20008
      movq [es:di], mm0             ; ES:DI = 0x30008
      hlt`,
        16,
      ),
    );
    m.cpu.setCr4(m.cpu.cr4 | CR4_OSFXSR);
    const words = new Uint32Array([1, 2, 3, 4, 0, 0, 0, 0, 10, 20, 30, 40]);
    m.load(0x20010, new Uint8Array(words.buffer));
    expect(m.run()).toBe('halted');
    expect([0, 4, 8, 12].map((o) => m.read32(0x20020 + o))).toEqual([11, 22, 33, 44]);
    expect([m.read32(0x20008), m.read32(0x2000c)]).toEqual([1, 2]);
    expect([m.read32(0x30008), m.read32(0x3000c)]).toEqual([1, 2]);
  });
});
