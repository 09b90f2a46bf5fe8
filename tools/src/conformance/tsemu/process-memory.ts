/**
 * The test process's virtual memory: PAE page tables (with EFER.NXE, so that data pages are
 * not executable, as Linux maps them) built in the machine's RAM, and the host's view of the
 * same mappings, through which the kernel side reads and writes user memory (system call
 * buffers, signal frames) with the permissions a user access would have.
 *
 * Mappings never change once the process runs (there is no mmap), so the host keeps a copy of
 * every page table entry and never walks the tables itself.
 */
import type { AddressSpace } from '@tsemu/memory';

export const PAGE_SIZE = 0x1000;

export interface PagePermissions {
  /** Reachable at CPL 3 (U/S set). */
  readonly user: boolean;
  readonly writable: boolean;
  /** Clear: the page table entry has NX set. */
  readonly executable: boolean;
}

interface Mapping extends PagePermissions {
  readonly physical: number;
}

/** Page table entry bits (Intel SDM vol. 3, 4.4). */
const PTE_P = 1;
const PTE_RW = 1 << 1;
const PTE_US = 1 << 2;
/** Bit 63 of a PAE entry, in its high dword. */
const PTE_NX_HIGH = 1 << 31;

/** How many physical pages mapping `pages` (virtual page numbers) takes, tables included. */
export function physicalPagesFor(pages: Iterable<number>): number {
  const vpns = new Set(pages);
  const tables = new Set([...vpns].map((vpn) => vpn >>> 9)); // one PT per 2 MiB
  const directories = new Set([...vpns].map((vpn) => vpn >>> 18)); // one PD per GiB
  return vpns.size + tables.size + directories.size + 1; // + the PDPT
}

/** Virtual page numbers covered by [vaddr, vaddr + size). */
export function pagesOf(vaddr: number, size: number): number[] {
  const first = Math.floor(vaddr / PAGE_SIZE);
  const end = Math.ceil((vaddr + size) / PAGE_SIZE);
  return Array.from({ length: end - first }, (_, i) => first + i);
}

export class ProcessMemory {
  /** Physical address of the page-directory-pointer table: CR3. */
  readonly cr3: number;
  private readonly ram: DataView;
  private nextFreePage: number;
  private readonly mappings = new Map<number, Mapping>();
  private readonly directories = new Map<number, number>();
  private readonly tables = new Map<number, number>();

  /**
   * `ramBytes` is RAM at physical address 0 (written directly while the tables are built,
   * before any code runs); `physical` is the CPU's view of memory, used once it runs.
   */
  constructor(
    private readonly physical: AddressSpace,
    ramBytes: Uint8Array,
  ) {
    this.ram = new DataView(ramBytes.buffer, ramBytes.byteOffset, ramBytes.byteLength);
    this.nextFreePage = 0;
    this.cr3 = this.allocatePage();
  }

  /**
   * Maps `size` bytes at page-aligned `vaddr` to fresh zeroed physical pages, consecutive
   * in physical memory. Returns the physical address of the first page.
   */
  map(vaddr: number, size: number, permissions: PagePermissions): number {
    if (vaddr % PAGE_SIZE !== 0)
      throw new Error(`map: 0x${vaddr.toString(16)} is not page aligned`);
    const vpns = pagesOf(vaddr, size);
    const first = this.nextFreePage * PAGE_SIZE;
    for (const vpn of vpns) {
      if (this.mappings.has(vpn))
        throw new Error(`map: page 0x${(vpn * PAGE_SIZE).toString(16)} is already mapped`);
      const physical = this.allocatePage();
      this.mappings.set(vpn, { physical, ...permissions });
    }
    for (const vpn of vpns) this.writeEntry(vpn, this.mappings.get(vpn) as Mapping);
    return first;
  }

  /** The physical address behind `vaddr`, or -1 when it is unmapped. */
  physicalAddress(vaddr: number): number {
    const m = this.mappings.get(vaddr >>> 12);
    return m ? m.physical + (vaddr & (PAGE_SIZE - 1)) : -1;
  }

  /** Reads user memory as a CPL 3 access would; null when part of it would fault. */
  readUser(vaddr: number, length: number): Uint8Array | null {
    if (vaddr + length > 0x100000000) return null;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const address = vaddr + done;
      const m = this.mappings.get(address >>> 12);
      if (!m?.user) return null;
      const inPage = Math.min(length - done, PAGE_SIZE - (address & (PAGE_SIZE - 1)));
      out.set(this.physical.readBytes(m.physical + (address & (PAGE_SIZE - 1)), inPage), done);
      done += inPage;
    }
    return out;
  }

  /** Writes user memory as a CPL 3 access would; false (nothing written) when it would fault. */
  writeUser(vaddr: number, bytes: Uint8Array): boolean {
    if (vaddr + bytes.length > 0x100000000) return false;
    for (const vpn of pagesOf(vaddr, bytes.length)) {
      const m = this.mappings.get(vpn);
      if (!m?.user || !m.writable) return false;
    }
    let done = 0;
    while (done < bytes.length) {
      const address = vaddr + done;
      const m = this.mappings.get(address >>> 12) as Mapping;
      const inPage = Math.min(bytes.length - done, PAGE_SIZE - (address & (PAGE_SIZE - 1)));
      this.physical.writeBytes(
        m.physical + (address & (PAGE_SIZE - 1)),
        bytes.subarray(done, done + inPage),
      );
      done += inPage;
    }
    return true;
  }

  /** Copies bytes into mapped memory before the process runs (any permissions). */
  load(vaddr: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const address = vaddr + done;
      const physical = this.physicalAddress(address);
      if (physical < 0) throw new Error(`load: 0x${address.toString(16)} is not mapped`);
      const inPage = Math.min(bytes.length - done, PAGE_SIZE - (address & (PAGE_SIZE - 1)));
      new Uint8Array(this.ram.buffer, this.ram.byteOffset + physical, inPage).set(
        bytes.subarray(done, done + inPage),
      );
      done += inPage;
    }
  }

  private allocatePage(): number {
    const address = this.nextFreePage * PAGE_SIZE;
    if (address + PAGE_SIZE > this.ram.byteLength)
      throw new Error('ProcessMemory: RAM is too small for the mappings');
    this.nextFreePage++;
    return address;
  }

  private setEntry(tableAddress: number, index: number, low: number, high: number): void {
    this.ram.setUint32(tableAddress + index * 8, low >>> 0, true);
    this.ram.setUint32(tableAddress + index * 8 + 4, high >>> 0, true);
  }

  /** Writes the PTE of `vpn`, creating its page directory and page table as needed. */
  private writeEntry(vpn: number, m: Mapping): void {
    const gib = vpn >>> 18;
    let directory = this.directories.get(gib);
    if (directory === undefined) {
      directory = this.allocatePage();
      this.directories.set(gib, directory);
      // A legacy-PAE PDPTE has only P and the address (RW/US are reserved there).
      this.setEntry(this.cr3, gib, directory | PTE_P, 0);
    }
    const twoMiB = vpn >>> 9;
    let table = this.tables.get(twoMiB);
    if (table === undefined) {
      table = this.allocatePage();
      this.tables.set(twoMiB, table);
      // The directory entry allows everything: each PTE says what its page allows.
      this.setEntry(directory, twoMiB & 0x1ff, table | PTE_P | PTE_RW | PTE_US, 0);
    }
    const low = m.physical | PTE_P | (m.writable ? PTE_RW : 0) | (m.user ? PTE_US : 0);
    this.setEntry(table, vpn & 0x1ff, low, m.executable ? 0 : PTE_NX_HIGH);
  }
}
