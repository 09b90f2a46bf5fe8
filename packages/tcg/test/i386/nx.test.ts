/**
 * No-execute pages: EFER.NXE with PAE paging makes bit 63 of a PTE or PDE forbid
 * instruction fetches (#PF with the I/D bit); without NXE the bit is reserved. EFER and
 * CPUID.80000001H:EDX.NX as a guest sees them.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, TestMachine } from './machine.js';
import { pmProgram, RESUME, readRecords } from './pm-kernel.js';

const PDPT = 0x104000;
const PD0 = 0x105000;
const PT = 0x107000;
const XD_HIGH = 0x80000000;

/** PAE tables: 0-2 MiB one large page, 2-4 MiB through PT (0x200000 XD), 4-6 MiB large and XD. */
const PAE_ON = `
      mov edi, ${PDPT}
      mov ecx, 0x4000 / 4
      xor eax, eax
      rep stosd
      mov dword [${PDPT}], ${PD0 | 1}
      mov dword [${PD0}], 0x000000 | 0x83
      mov dword [${PD0 + 8}], ${PT | 3}
      mov dword [${PD0 + 16}], 0x400000 | 0x83
      mov dword [${PD0 + 20}], ${XD_HIGH}
      mov dword [${PT}], 0x200000 | 3
      mov dword [${PT + 4}], ${XD_HIGH}
      mov dword [${PT + 8}], 0x201000 | 3
      mov byte [0x200000], 0xc3                  ; RET, on the XD page
      mov byte [0x201000], 0xc3                  ; RET, on an executable page
      mov byte [0x400000], 0xc3
      mov eax, cr4
      or eax, 0x20
      mov cr4, eax
      mov eax, ${PDPT}
      mov cr3, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
`;

const WRMSR_EFER = (lo: number, hi = 0) => `
      mov ecx, 0xc0000080
      mov eax, ${lo}
      mov edx, ${hi}
      wrmsr`;

describe.each(BACKENDS)('NX (%s)', (backend) => {
  it('claims NX in CPUID and accepts only SCE and NXE in EFER', () => {
    const m = new TestMachine({ backend });
    const p = m.loadReal(
      pmProgram(`
      mov eax, 0x80000000
      cpuid
      mov [0x20000], eax
      mov eax, 0x80000001
      cpuid
      mov [0x20004], edx
      ${WRMSR_EFER(0x801)}
      mov ecx, 0xc0000080
      rdmsr
      mov [0x20008], eax
      mov [0x2000c], edx
      mov dword [${RESUME}], r1
      mov eax, 0x900                     ; LME does not exist on this CPU
    f1:
      wrmsr
    r1:
      mov dword [${RESUME}], r2
      mov eax, 0x800
      mov edx, 1
    f2:
      wrmsr
    r2:
    `),
    );
    expect(m.run()).toBe('halted');
    expect(m.read32(0x20000)).toBeGreaterThanOrEqual(0x80000001);
    expect(m.read32(0x20004) & (1 << 20)).toBe(1 << 20);
    expect(m.read32(0x20008)).toBe(0x801);
    expect(m.read32(0x2000c)).toBe(0);
    expect(readRecords((a) => m.read32(a)).map((r) => [r.vector, r.error, r.eip])).toEqual([
      [13, 0, p.symbol('f1')],
      [13, 0, p.symbol('f2')],
    ]);
    expect(m.cpu.dumpState()).toContain('EFER=0000000000000801');
  });

  it('faults on fetches from XD pages with I/D in the error code; data access is fine', () => {
    const m = new TestMachine({ backend, ramSize: 8 << 20 });
    const p = m.loadReal(
      pmProgram(`
      ${WRMSR_EFER(0x800)}
      ${PAE_ON}
      mov eax, [0x200000]                ; reading an XD page is allowed
      mov [0x20000], eax
      call 0x201000                      ; an executable page
      mov dword [${RESUME}], r1
    f1:
      call 0x200000                      ; XD PTE: #PF(P | I/D) at the target
    r1:
      mov dword [${RESUME}], r2
    f2:
      call 0x400000                      ; XD in a 2 MiB PDE
    r2:
    `),
    );
    expect(m.run()).toBe('halted');
    expect(m.read32(0x20000) & 0xff).toBe(0xc3);
    const pf = readRecords((a) => m.read32(a)).map((r) => [r.vector, r.error, r.cr2, r.eip]);
    expect(pf).toEqual([
      [14, 0x11, 0x200000, 0x200000],
      [14, 0x11, 0x400000, 0x400000],
    ]);
    expect(p.symbol('f2')).toBeGreaterThan(p.symbol('f1'));
  });

  it('treats bit 63 as reserved when EFER.NXE is clear', () => {
    const m = new TestMachine({ backend, ramSize: 8 << 20 });
    const p = m.loadReal(
      pmProgram(`
      ${PAE_ON}
      mov eax, [0x201000]                ; no XD bit: fine
      mov dword [${RESUME}], r1
    f1:
      mov eax, [0x200000]                ; bit 63 set without NXE: #PF(P | RSVD)
    r1:
    `),
    );
    expect(m.run()).toBe('halted');
    const pf = readRecords((a) => m.read32(a)).map((r) => [r.vector, r.error, r.cr2, r.eip]);
    expect(pf).toEqual([[14, 0x09, 0x200000, p.symbol('f1')]]);
  });
});
