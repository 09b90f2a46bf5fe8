import { describe, expect, it } from 'vitest';
import {
  AccessType,
  PageFaultError,
  PageProt,
  PageWalkResult,
  type PagingMode,
  type PhysicalAccess,
  Pte,
  pageWalk,
  pagingMode,
} from './pagewalk.js';

/** Sparse physical memory of dwords; counts writes so tests can see A/D updates. */
class FakeMemory implements PhysicalAccess {
  readonly dwords = new Map<number, number>();
  writes = 0;
  read32(address: number): number {
    return this.dwords.get(address) ?? 0;
  }
  write32(address: number, value: number): void {
    this.writes++;
    this.dwords.set(address, value >>> 0);
  }
  set(address: number, value: number): void {
    this.dwords.set(address, value >>> 0);
  }
}

const CR0_PG = 0x80000000;
const CR0_WP = 1 << 16;
const CR4_PSE = 1 << 4;
const CR4_PAE = 1 << 5;
const CR4_PGE = 1 << 7;
const EFER_NXE = 1 << 11;
const { P, RW, US, A, D, PS, G } = Pte;

function walk(
  mem: FakeMemory,
  mode: PagingMode,
  cr3: number,
  linear: number,
  type = AccessType.Read,
  user = false,
) {
  const out = new PageWalkResult();
  const ok = pageWalk(mem, mode, cr3, linear, type, user, out);
  return { ok, out };
}

describe('2-level paging, 4 KiB pages', () => {
  const CR3 = 0x1000;
  // Linear 0xc0123456: directory index 0x300, table index 0x123.
  function setup(pdeFlags: number, pteFlags: number) {
    const mem = new FakeMemory();
    mem.set(CR3 + 0x300 * 4, 0x2000 | pdeFlags);
    mem.set(0x2000 + 0x123 * 4, 0x89abc000 | pteFlags);
    return mem;
  }
  const mode = pagingMode(CR0_PG, 0);

  it('translates and sets the accessed bits of both levels on a read', () => {
    const mem = setup(P | RW | US, P | RW | US);
    const { ok, out } = walk(mem, mode, CR3, 0xc0123456);
    expect(ok).toBe(true);
    expect(out.physical).toBe(0x89abc456);
    expect(out.pageSize).toBe(0x1000);
    expect(mem.read32(CR3 + 0x300 * 4) & A).toBe(A);
    expect(mem.read32(0x2000 + 0x123 * 4) & (A | D)).toBe(A);
    // Not dirty yet: the translation does not allow writes, so the first write walks again.
    expect(out.prot).toBe(PageProt.READ | PageProt.EXEC);
  });

  it('sets the dirty bit on a write and then allows writes', () => {
    const mem = setup(P | RW, P | RW);
    const { ok, out } = walk(mem, mode, CR3, 0xc0123456, AccessType.Write);
    expect(ok).toBe(true);
    expect(mem.read32(0x2000 + 0x123 * 4) & (A | D)).toBe(A | D);
    expect(out.prot).toBe(PageProt.READ | PageProt.WRITE | PageProt.EXEC);
  });

  it('does not write entries whose bits are already set', () => {
    const mem = setup(P | RW | A, P | RW | A | D);
    walk(mem, mode, CR3, 0xc0123456, AccessType.Write);
    expect(mem.writes).toBe(0);
  });

  it('reports not-present directory and table entries with the access kind', () => {
    const mem = setup(P | RW | US, RW | US);
    expect(walk(mem, mode, CR3, 0xc0123456).out.errorCode).toBe(0);
    expect(walk(mem, mode, CR3, 0xc0123456, AccessType.Write, true).out.errorCode).toBe(
      PageFaultError.W | PageFaultError.U,
    );
    expect(walk(mem, mode, CR3, 0x00400000).ok).toBe(false); // empty directory entry
    // Without NX the fetch bit is not reported.
    expect(walk(mem, mode, CR3, 0xc0123456, AccessType.Fetch).out.errorCode).toBe(0);
  });

  it('keeps user mode out of supervisor pages', () => {
    const mem = setup(P | RW | US, P | RW);
    const r = walk(mem, mode, CR3, 0xc0123456, AccessType.Read, true);
    expect(r.ok).toBe(false);
    expect(r.out.errorCode).toBe(PageFaultError.P | PageFaultError.U);
    // Supervisor may touch user pages (no SMEP/SMAP on a 686).
    expect(walk(setup(P | US, P | US), mode, CR3, 0xc0123456, AccessType.Fetch).ok).toBe(true);
  });

  it('combines R/W across levels; CR0.WP decides supervisor writes to read-only pages', () => {
    const readOnlyDirectory = setup(P | US, P | RW | US);
    const userWrite = walk(readOnlyDirectory, mode, CR3, 0xc0123456, AccessType.Write, true);
    expect(userWrite.out.errorCode).toBe(PageFaultError.P | PageFaultError.W | PageFaultError.U);
    expect(walk(readOnlyDirectory, mode, CR3, 0xc0123456, AccessType.Write).ok).toBe(true);
    const wp = pagingMode(CR0_PG | CR0_WP, 0);
    const supervisorWrite = walk(setup(P | RW, P), wp, CR3, 0xc0123456, AccessType.Write);
    expect(supervisorWrite.ok).toBe(false);
    expect(supervisorWrite.out.errorCode).toBe(PageFaultError.P | PageFaultError.W);
  });

  it('sets no dirty bit when the write faults', () => {
    const mem = setup(P | US, P | US);
    walk(mem, mode, CR3, 0xc0123456, AccessType.Write, true);
    expect(mem.read32(0x2000 + 0x123 * 4) & D).toBe(0);
  });

  it('reports global translations only with CR4.PGE', () => {
    expect(walk(setup(P, P | G), mode, CR3, 0xc0123456).out.global).toBe(false);
    expect(walk(setup(P, P | G), pagingMode(CR0_PG, CR4_PGE), CR3, 0xc0123456).out.global).toBe(
      true,
    );
  });
});

describe('2-level paging, 4 MiB pages', () => {
  const CR3 = 0x3000;
  const pse = pagingMode(CR0_PG, CR4_PSE);

  it('maps 4 MiB with CR4.PSE and sets A and D in the directory entry', () => {
    const mem = new FakeMemory();
    mem.set(CR3 + 0x301 * 4, 0x80000000 | P | RW | PS);
    const { ok, out } = walk(mem, pse, CR3, 0xc0654321, AccessType.Write);
    expect(ok).toBe(true);
    expect(out.physical).toBe(0x80254321);
    expect(out.pageSize).toBe(0x400000);
    expect(mem.read32(CR3 + 0x301 * 4) & (A | D)).toBe(A | D);
  });

  it('takes physical bits 32-39 from PDE bits 13-20 (PSE-36)', () => {
    const mem = new FakeMemory();
    mem.set(CR3, 0x00400000 | (0x12 << 13) | P | PS);
    expect(walk(mem, pse, CR3, 0x1234).out.physical).toBe(0x12_0040_1234);
  });

  it('treats bit 21 of a 4 MiB entry as reserved', () => {
    const mem = new FakeMemory();
    mem.set(CR3, (1 << 21) | P | PS);
    expect(walk(mem, pse, CR3, 0x1234).out.errorCode).toBe(PageFaultError.P | PageFaultError.RSVD);
  });

  it('ignores PS without CR4.PSE: the entry points to a page table', () => {
    const mem = new FakeMemory();
    mem.set(CR3, 0x5000 | P | PS);
    mem.set(0x5000 + 1 * 4, 0x7000 | P);
    expect(walk(mem, pagingMode(CR0_PG, 0), CR3, 0x1234).out.physical).toBe(0x7234);
  });
});

describe('PAE paging', () => {
  const CR3 = 0x4020; // 32-byte aligned
  const pae = pagingMode(CR0_PG, CR4_PAE);
  const nxe = pagingMode(CR0_PG, CR4_PAE, EFER_NXE);

  /** Maps linear 0x80201234 (PDPT 2, directory 1, table 1) through entries whose high dwords are given. */
  function setup(pteHigh = 0, pdeHigh = 0, pdpteHigh = 0) {
    const mem = new FakeMemory();
    mem.set(CR3 + 2 * 8, 0x5000 | P);
    mem.set(CR3 + 2 * 8 + 4, pdpteHigh);
    mem.set(0x5000 + 1 * 8, 0x6000 | P | RW | US);
    mem.set(0x5000 + 1 * 8 + 4, pdeHigh);
    mem.set(0x6000 + 1 * 8, 0x7000 | P | RW | US);
    mem.set(0x6000 + 1 * 8 + 4, pteHigh);
    return mem;
  }

  it('walks three levels to a 4 KiB page, above 4 GiB too', () => {
    const { ok, out } = walk(setup(0x3), pae, CR3, 0x80201234);
    expect(ok).toBe(true);
    expect(out.physical).toBe(0x3_0000_7234);
  });

  it('sets accessed bits on every level', () => {
    const mem = setup();
    walk(mem, pae, CR3, 0x80201234, AccessType.Write);
    expect(mem.read32(CR3 + 16) & A).toBe(A);
    expect(mem.read32(0x5008) & A).toBe(A);
    expect(mem.read32(0x6008) & (A | D)).toBe(A | D);
  });

  it('maps 2 MiB pages and treats PDE bits 13-20 as reserved', () => {
    const mem = setup();
    mem.set(0x5000 + 1 * 8, 0x40000000 | P | PS);
    const { out } = walk(mem, pae, CR3, 0x80201234);
    expect([out.physical, out.pageSize]).toEqual([0x40001234, 0x200000]);
    mem.set(0x5000 + 1 * 8, 0x40002000 | P | PS);
    expect(walk(mem, pae, CR3, 0x80201234).out.errorCode).toBe(
      PageFaultError.P | PageFaultError.RSVD,
    );
  });

  it('forbids fetches from NX pages when EFER.NXE is set, and reports the fetch', () => {
    const noExec = setup(0x80000000);
    const fetch = walk(noExec, nxe, CR3, 0x80201234, AccessType.Fetch, true);
    expect(fetch.ok).toBe(false);
    expect(fetch.out.errorCode).toBe(PageFaultError.P | PageFaultError.U | PageFaultError.ID);
    const read = walk(noExec, nxe, CR3, 0x80201234);
    expect(read.ok).toBe(true);
    expect(read.out.prot & PageProt.EXEC).toBe(0);
    // NX in the directory entry covers the whole table.
    expect(walk(setup(0, 0x80000000), nxe, CR3, 0x80201234, AccessType.Fetch).ok).toBe(false);
    // A missing page reports the fetch too.
    const missing = walk(new FakeMemory(), nxe, CR3, 0, AccessType.Fetch);
    expect(missing.out.errorCode).toBe(PageFaultError.ID);
  });

  it('treats NX as reserved without EFER.NXE, and physical bits above physBits', () => {
    expect(walk(setup(0x80000000), pae, CR3, 0x80201234).out.errorCode).toBe(
      PageFaultError.P | PageFaultError.RSVD,
    );
    expect(walk(setup(0x10), pae, CR3, 0x80201234).out.errorCode).toBe(
      PageFaultError.P | PageFaultError.RSVD,
    );
    expect(walk(setup(0x10), pagingMode(CR0_PG, CR4_PAE, 0, 40), CR3, 0x80201234).ok).toBe(true);
  });

  it('reports a missing or malformed page-directory-pointer entry', () => {
    expect(walk(new FakeMemory(), pae, CR3, 0x80201234, AccessType.Write).out.errorCode).toBe(
      PageFaultError.W,
    );
    // NX is reserved in a PDPTE even with NXE.
    expect(walk(setup(0, 0, 0x80000000), nxe, CR3, 0x80201234).out.errorCode).toBe(
      PageFaultError.P | PageFaultError.RSVD,
    );
  });
});
