/**
 * The i386 page walk: 2-level paging with 4 KiB and (CR4.PSE) 4 MiB pages,
 * and PAE paging with 4 KiB and 2 MiB pages and (EFER.NXE) no-execute. It
 * sets accessed and dirty bits, checks U/S, R/W (with CR0.WP) and NX, and
 * produces #PF error codes, as QEMU's mmu_translate does for a 32-bit CPU.
 *
 * It is a pure function over a physical-memory callback, so the softmmu's TLB
 * fill, `info tlb`, a debugger's virtual-to-physical lookup and tests all use
 * the same code. It allocates nothing: results go to a caller-owned object.
 */

/** What the access is (the order of QEMU's MMUAccessType). */
export enum AccessType {
  Read = 0,
  Write = 1,
  Fetch = 2,
}

/** Permission bits in PageWalkResult.prot (what a TLB entry may allow). */
export const PageProt = {
  READ: 1,
  WRITE: 2,
  EXEC: 4,
} as const;

/** #PF error code bits. */
export const PageFaultError = {
  /**
   * The entry was present: a protection violation, or reserved bits (real CPUs report P with
   * RSVD; current QEMU reports RSVD alone).
   */
  P: 1,
  /** The access was a write. */
  W: 2,
  /** The access came from user mode (CPL 3). */
  U: 4,
  /** A paging entry had a reserved bit set. */
  RSVD: 8,
  /** The access was an instruction fetch (reported only with PAE + EFER.NXE). */
  ID: 16,
} as const;

/** Page table entry bits (low dword). */
export const Pte = {
  P: 1 << 0,
  RW: 1 << 1,
  US: 1 << 2,
  PWT: 1 << 3,
  PCD: 1 << 4,
  A: 1 << 5,
  D: 1 << 6,
  /** In a PDE: a 4 MiB / 2 MiB page. */
  PS: 1 << 7,
  G: 1 << 8,
  /** In the high dword of a PAE entry: no-execute (bit 63). */
  NX_HIGH: 1 << 31,
} as const;

/** Paging controls, from CR0/CR4/EFER; build with `pagingMode` when one of them changes. */
export interface PagingMode {
  /** CR4.PAE: 3-level paging with 64-bit entries. */
  pae: boolean;
  /** CR4.PSE: 4 MiB pages in 2-level paging (PAE always allows 2 MiB pages). */
  pse: boolean;
  /** CR0.WP: supervisor writes honour read-only pages. */
  wp: boolean;
  /** EFER.NXE (with PAE): bit 63 is no-execute instead of reserved. */
  nxe: boolean;
  /** CR4.PGE: the G bit makes translations global. */
  pge: boolean;
  /** Physical address width; higher address bits in PAE entries are reserved. */
  physBits: number;
}

const CR0_WP = 1 << 16;
const CR4_PSE = 1 << 4;
const CR4_PAE = 1 << 5;
const CR4_PGE = 1 << 7;
const EFER_NXE = 1 << 11;

/** The paging mode for these register values (paging itself is on when CR0.PG is set). */
export function pagingMode(cr0: number, cr4: number, efer = 0, physBits = 36): PagingMode {
  const pae = (cr4 & CR4_PAE) !== 0;
  return {
    pae,
    pse: (cr4 & CR4_PSE) !== 0,
    wp: (cr0 & CR0_WP) !== 0,
    nxe: pae && (efer & EFER_NXE) !== 0,
    pge: (cr4 & CR4_PGE) !== 0,
    physBits,
  };
}

/**
 * Physical memory as the walker sees it. Addresses are Numbers (up to
 * 2^physBits); the callbacks apply the A20 mask and route to RAM or MMIO.
 */
export interface PhysicalAccess {
  read32(address: number): number;
  write32(address: number, value: number): void;
}

export class PageWalkResult {
  /** Physical address of the byte accessed (valid when the walk succeeded). */
  physical = 0;
  /** Size of the page that maps it: 4096, 2 MiB or 4 MiB. */
  pageSize = 0;
  /**
   * What the translation allows (PageProt). WRITE is granted only once the
   * page is dirty, so that the first write comes back to the walker and sets D.
   */
  prot = 0;
  /** G was set (and CR4.PGE is on): the translation survives a CR3 write. */
  global = false;
  /** #PF error code (valid when the walk failed); CR2 is the linear address. */
  errorCode = 0;
}

const TWO_32 = 0x100000000;

/**
 * Translates `linear` for an access of `type` from user mode (`user`: CPL 3
 * and not an implicit supervisor access such as a descriptor-table read) or
 * supervisor mode. Returns true with `out` filled, or false with
 * `out.errorCode` set for a #PF.
 */
export function pageWalk(
  mem: PhysicalAccess,
  mode: PagingMode,
  cr3: number,
  linear: number,
  type: AccessType,
  user: boolean,
  out: PageWalkResult,
): boolean {
  const address = linear >>> 0;
  return mode.pae
    ? walkPae(mem, mode, cr3, address, type, user, out)
    : walkTwoLevel(mem, mode, cr3, address, type, user, out);
}

function fault(
  out: PageWalkResult,
  mode: PagingMode,
  code: number,
  type: AccessType,
  user: boolean,
): false {
  let errorCode = code;
  if (user) errorCode |= PageFaultError.U;
  if (type === AccessType.Write) errorCode |= PageFaultError.W;
  if (type === AccessType.Fetch && mode.nxe) errorCode |= PageFaultError.ID;
  out.errorCode = errorCode;
  return false;
}

/** Sets bits in an entry's low dword if they are not set yet. */
function setBits(mem: PhysicalAccess, entryAddress: number, entry: number, bits: number): void {
  if ((entry & bits) !== bits) mem.write32(entryAddress, (entry | bits) >>> 0);
}

/**
 * The protection checks common to both formats, then A/D. `rw`/`us`/`nx` are
 * the combined rights of every level; `leaf` is the entry that maps the page.
 */
function finish(
  mem: PhysicalAccess,
  mode: PagingMode,
  type: AccessType,
  user: boolean,
  rw: boolean,
  us: boolean,
  nx: boolean,
  leafAddress: number,
  leaf: number,
  pageBase: number,
  pageSize: number,
  linear: number,
  out: PageWalkResult,
): boolean {
  if (user && !us) return fault(out, mode, PageFaultError.P, type, user);
  let prot = PageProt.READ;
  // Supervisor writes ignore R/W unless CR0.WP is set.
  if (rw || !(user || mode.wp)) prot |= PageProt.WRITE;
  if (!nx) prot |= PageProt.EXEC;
  const needed =
    type === AccessType.Read
      ? PageProt.READ
      : type === AccessType.Write
        ? PageProt.WRITE
        : PageProt.EXEC;
  if (!(prot & needed)) return fault(out, mode, PageFaultError.P, type, user);

  if (type === AccessType.Write) setBits(mem, leafAddress, leaf, Pte.A | Pte.D);
  else {
    setBits(mem, leafAddress, leaf, Pte.A);
    if (!(leaf & Pte.D)) prot &= ~PageProt.WRITE;
  }
  out.physical = pageBase + (linear & (pageSize - 1));
  out.pageSize = pageSize;
  out.prot = prot;
  out.global = mode.pge && (leaf & Pte.G) !== 0;
  out.errorCode = 0;
  return true;
}

function walkTwoLevel(
  mem: PhysicalAccess,
  mode: PagingMode,
  cr3: number,
  linear: number,
  type: AccessType,
  user: boolean,
  out: PageWalkResult,
): boolean {
  const pdeAddress = ((cr3 & 0xfffff000) >>> 0) + ((linear >>> 22) << 2);
  const pde = mem.read32(pdeAddress) >>> 0;
  if (!(pde & Pte.P)) return fault(out, mode, 0, type, user);

  if (pde & Pte.PS && mode.pse) {
    // 4 MiB page. PSE-36: PDE bits 13-20 give physical bits 32-39; bit 21 is reserved.
    if (pde & (1 << 21))
      return fault(out, mode, PageFaultError.P | PageFaultError.RSVD, type, user);
    const base = ((pde & 0xffc00000) >>> 0) + ((pde >>> 13) & 0xff) * TWO_32;
    return finish(
      mem,
      mode,
      type,
      user,
      (pde & Pte.RW) !== 0,
      (pde & Pte.US) !== 0,
      false,
      pdeAddress,
      pde,
      base,
      0x400000,
      linear,
      out,
    );
  }
  setBits(mem, pdeAddress, pde, Pte.A);

  const pteAddress = ((pde & 0xfffff000) >>> 0) + (((linear >>> 12) & 0x3ff) << 2);
  const pte = mem.read32(pteAddress) >>> 0;
  if (!(pte & Pte.P)) return fault(out, mode, 0, type, user);
  const rw = (pde & pte & Pte.RW) !== 0;
  const us = (pde & pte & Pte.US) !== 0;
  return finish(
    mem,
    mode,
    type,
    user,
    rw,
    us,
    false,
    pteAddress,
    pte,
    (pte & 0xfffff000) >>> 0,
    0x1000,
    linear,
    out,
  );
}

/** Reserved bits of a PAE entry's high dword: physical address bits at or above physBits (up to 51), and NX without NXE. */
function reservedHigh(mode: PagingMode): number {
  let mask = 0;
  for (let bit = Math.max(mode.physBits, 32); bit < 52; bit++) mask |= 1 << (bit - 32);
  if (!mode.nxe) mask |= Pte.NX_HIGH;
  return mask >>> 0;
}

/** The physical address in a PAE entry (bits 12 to physBits-1). */
function entryAddress(low: number, high: number, mode: PagingMode): number {
  const highBits = mode.physBits > 32 ? high & ((1 << (mode.physBits - 32)) - 1) : 0;
  return ((low & 0xfffff000) >>> 0) + highBits * TWO_32;
}

function walkPae(
  mem: PhysicalAccess,
  mode: PagingMode,
  cr3: number,
  linear: number,
  type: AccessType,
  user: boolean,
  out: PageWalkResult,
): boolean {
  const rsvdHigh = reservedHigh(mode);
  const rsvd = PageFaultError.P | PageFaultError.RSVD;

  // Page-directory-pointer table: four entries at CR3 & ~0x1f, indexed by bits 30-31.
  const pdpteAddress = ((cr3 & 0xffffffe0) >>> 0) + ((linear >>> 30) << 3);
  const pdpte = mem.read32(pdpteAddress) >>> 0;
  const pdpteHigh = mem.read32(pdpteAddress + 4) >>> 0;
  if (!(pdpte & Pte.P)) return fault(out, mode, 0, type, user);
  // NX and bits 52-62 are reserved in a PDPTE whatever EFER.NXE says.
  if (pdpteHigh & (rsvdHigh | Pte.NX_HIGH | 0x7ff00000)) return fault(out, mode, rsvd, type, user);
  setBits(mem, pdpteAddress, pdpte, Pte.A);

  const pdeAddress = entryAddress(pdpte, pdpteHigh, mode) + (((linear >>> 21) & 0x1ff) << 3);
  const pde = mem.read32(pdeAddress) >>> 0;
  const pdeHigh = mem.read32(pdeAddress + 4) >>> 0;
  if (!(pde & Pte.P)) return fault(out, mode, 0, type, user);
  if (pdeHigh & rsvdHigh) return fault(out, mode, rsvd, type, user);
  const pdeNx = (pdeHigh & Pte.NX_HIGH) !== 0;

  if (pde & Pte.PS) {
    // 2 MiB page: bits 13-20 are reserved (bit 12 is PAT).
    if (pde & 0x1fe000) return fault(out, mode, rsvd, type, user);
    const base = entryAddress(pde & 0xffe00000, pdeHigh, mode);
    return finish(
      mem,
      mode,
      type,
      user,
      (pde & Pte.RW) !== 0,
      (pde & Pte.US) !== 0,
      pdeNx,
      pdeAddress,
      pde,
      base,
      0x200000,
      linear,
      out,
    );
  }
  setBits(mem, pdeAddress, pde, Pte.A);

  const pteAddress = entryAddress(pde, pdeHigh, mode) + (((linear >>> 12) & 0x1ff) << 3);
  const pte = mem.read32(pteAddress) >>> 0;
  const pteHigh = mem.read32(pteAddress + 4) >>> 0;
  if (!(pte & Pte.P)) return fault(out, mode, 0, type, user);
  if (pteHigh & rsvdHigh) return fault(out, mode, rsvd, type, user);
  const rw = (pde & pte & Pte.RW) !== 0;
  const us = (pde & pte & Pte.US) !== 0;
  const nx = pdeNx || (pteHigh & Pte.NX_HIGH) !== 0;
  return finish(
    mem,
    mode,
    type,
    user,
    rw,
    us,
    nx,
    pteAddress,
    pte,
    entryAddress(pte, pteHigh, mode),
    0x1000,
    linear,
    out,
  );
}
