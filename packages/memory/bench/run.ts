/**
 * Memory API benchmark: `pnpm --filter @tsemu/memory bench`.
 *
 * ns per 4-byte access for: raw typed-array accesses on the RAM's buffer (the baselines),
 * RAM through the AddressSpace, RAM through the direct fast path (the bytes `ramPage`
 * returns, as a TLB uses them), and I/O regions; and the time to render a PC-sized
 * FlatView. The variants run in interleaved rounds and each keeps its best round, so a
 * busy machine slows every variant alike instead of skewing one.
 *
 * `BENCH_ONLY=asRead,asWrite pnpm bench` runs only the listed variants (keys below), which
 * isolates them from the type feedback the others leave in shared code.
 */
import type { AddressSpace } from '../src/index.js';
import { renderFlatView } from '../src/index.js';
import { buildPcMemoryMap, MiB } from '../test/pc-memory-map.js';

const ACCESSES = 512_000;
const ROUNDS = 31;
/** Accesses walk a 64 KiB window (16 pages) of RAM at 1 MiB, dword by dword. */
const WINDOW_MASK = 0xfffc;
const BASE = 0x100000;
const PAGE_DWORDS = 1024;
const RENDERS = 200;

const pc = buildPcMemoryMap({ ramSize: 128 * MiB, belowFourGig: 128 * MiB });
// Devices that cost next to nothing themselves, so the figures are the memory API's:
// a 32-bit I/O port register and a 4 KiB MMIO page of dword registers (IOAPIC-like).
const benchRegs = new Uint32Array(1024);
pc.core.transaction(() => {
  pc.io.addSubregion(
    0x510,
    pc.core.io('bench-port', 4, {
      read: () => benchRegs[0],
      write: (_offset, value) => {
        benchRegs[0] = value;
      },
    }),
  );
  pc.system.addSubregion(
    0xfec00000,
    pc.core.io('bench-mmio', 0x1000, {
      read: (offset) => benchRegs[offset >>> 2],
      write: (offset, value) => {
        benchRegs[offset >>> 2] = value;
      },
      valid: { minAccessSize: 4, maxAccessSize: 4 },
    }),
  );
});
const as = pc.memory;
const ioSpace = pc.ioSpace;
const ramView = new DataView(pc.ram.bytes.buffer);
const ramWords = new Uint32Array(pc.ram.bytes.buffer);
/** The RAM's DataView as a program would hold it: in an object, not a constant. */
const holder = { view: ramView };

// ---- Baselines: raw typed-array accesses, no memory API --------------------------------

function rawDataViewRead(): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) {
    acc = (acc + ramView.getUint32(BASE + ((i << 2) & WINDOW_MASK), true)) | 0;
  }
  return acc;
}
function rawDataViewFieldRead(h: { view: DataView }): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) {
    acc = (acc + h.view.getUint32(BASE + ((i << 2) & WINDOW_MASK), true)) | 0;
  }
  return acc;
}
function rawUint32Read(): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++)
    acc = (acc + ramWords[(BASE + ((i << 2) & WINDOW_MASK)) >>> 2]) | 0;
  return acc;
}
function rawDataViewWrite(): number {
  for (let i = 0; i < ACCESSES; i++) ramView.setUint32(BASE + ((i << 2) & WINDOW_MASK), i, true);
  return ramView.getUint32(BASE, true);
}

// ---- The direct RAM fast path: ramPage() once per 4 KiB page, then the bytes -----------

function fastPathDataViewRead(space: AddressSpace): number {
  let acc = 0;
  for (let n = 0; n < ACCESSES / PAGE_DWORDS; n++) {
    const page = space.ramPage(BASE + ((n << 12) & WINDOW_MASK), false);
    if (!page) throw new Error('bench expects RAM');
    const view = page.view;
    const offset = page.offset;
    for (let j = 0; j < PAGE_DWORDS; j++) acc = (acc + view.getUint32(offset + (j << 2), true)) | 0;
  }
  return acc;
}
/** The same, through a Uint32Array over the page's RAM block (built once per block). */
function fastPathUint32Read(space: AddressSpace): number {
  let acc = 0;
  let bytes: Uint8Array | undefined;
  let words = ramWords;
  for (let n = 0; n < ACCESSES / PAGE_DWORDS; n++) {
    const page = space.ramPage(BASE + ((n << 12) & WINDOW_MASK), false);
    if (!page) throw new Error('bench expects RAM');
    if (page.bytes !== bytes) {
      bytes = page.bytes;
      words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    }
    const first = page.offset >>> 2;
    for (let j = 0; j < PAGE_DWORDS; j++) acc = (acc + words[first + j]) | 0;
  }
  return acc;
}
function fastPathWrite(space: AddressSpace): number {
  for (let n = 0; n < ACCESSES / PAGE_DWORDS; n++) {
    const pageAddr = BASE + ((n << 12) & WINDOW_MASK);
    const page = space.ramPage(pageAddr, true);
    if (!page) throw new Error('bench expects RAM');
    // A page some client is logging takes its first write through the memory API.
    if (!space.isRamPageWriteFast(page.ramAddr)) space.write(pageAddr, 4, n);
    const view = page.view;
    const offset = page.offset;
    for (let j = 0; j < PAGE_DWORDS; j++) view.setUint32(offset + (j << 2), j, true);
  }
  return space.read(BASE, 4);
}

// ---- A softmmu-TLB-style lookup on every access ----------------------------------------
// The same direct-mapped TLB twice: filled from the raw buffer (no memory API), and filled
// from ramPage(). The difference is what the memory API costs a TLB per access.

const TLB_SIZE = 64;

function tlbOverRawBuffer(): number {
  const tag = new Int32Array(TLB_SIZE).fill(-1);
  const addend = new Int32Array(TLB_SIZE);
  const views: DataView[] = new Array(TLB_SIZE).fill(ramView);
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) {
    const addr = BASE + ((i << 2) & WINDOW_MASK);
    const idx = (addr >>> 12) & (TLB_SIZE - 1);
    if (tag[idx] !== addr >>> 12) {
      tag[idx] = addr >>> 12;
      addend[idx] = 0;
      views[idx] = ramView;
    }
    acc = (acc + views[idx].getUint32((addr + addend[idx]) | 0, true)) | 0;
  }
  return acc;
}
function tlbOverRamPage(space: AddressSpace): number {
  const tag = new Int32Array(TLB_SIZE).fill(-1);
  const addend = new Int32Array(TLB_SIZE);
  const views: DataView[] = new Array(TLB_SIZE).fill(ramView);
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) {
    const addr = BASE + ((i << 2) & WINDOW_MASK);
    const idx = (addr >>> 12) & (TLB_SIZE - 1);
    if (tag[idx] !== addr >>> 12) {
      const page = space.ramPage(addr, false);
      if (!page) throw new Error('bench expects RAM');
      tag[idx] = addr >>> 12;
      addend[idx] = page.offset - (addr & ~0xfff);
      views[idx] = page.view;
    }
    acc = (acc + views[idx].getUint32((addr + addend[idx]) | 0, true)) | 0;
  }
  return acc;
}

// ---- Through the AddressSpace ----------------------------------------------------------

function asRead(space: AddressSpace): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++)
    acc = (acc + space.read(BASE + ((i << 2) & WINDOW_MASK), 4)) | 0;
  return acc;
}
function asWrite(space: AddressSpace): number {
  for (let i = 0; i < ACCESSES; i++) space.write(BASE + ((i << 2) & WINDOW_MASK), 4, i);
  return space.read(BASE, 4);
}
/** The same through the VGA framebuffer BAR at 0xfd000000: addresses above 2^31. */
function asReadHigh(space: AddressSpace): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) {
    acc = (acc + space.read(0xfd000000 + ((i << 2) & WINDOW_MASK), 4)) | 0;
  }
  return acc;
}
/** Alternates RAM and the VGA framebuffer: every access misses the last-hit entry. */
function asReadAlternating(space: AddressSpace): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) {
    const off = (i << 2) & WINDOW_MASK;
    acc = (acc + space.read((i & 1) === 0 ? BASE + off : 0xfd000000 + off, 4)) | 0;
  }
  return acc;
}

// ---- I/O regions -----------------------------------------------------------------------

function ioPortRead(space: AddressSpace): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) acc = (acc + space.read(0x510, 4)) | 0;
  return acc;
}
function ioPortWrite(space: AddressSpace): number {
  for (let i = 0; i < ACCESSES; i++) space.write(0x510, 4, i);
  return space.read(0x510, 4);
}
/** A 4-byte read of a byte-wide device (the VGA ports): four callbacks. */
function ioSplitRead(space: AddressSpace): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) acc = (acc + space.read(0x3c4, 4)) | 0;
  return acc;
}
function mmioRead(space: AddressSpace): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++)
    acc = (acc + space.read(0xfec00000 + ((i << 2) & 0xffc), 4)) | 0;
  return acc;
}
/** RAM and MMIO interleaved: every access looks its entry up again (binary search). */
function mixedRead(space: AddressSpace): number {
  let acc = 0;
  for (let i = 0; i < ACCESSES; i++) {
    const off = (i << 2) & 0xffc;
    acc = (acc + space.read((i & 1) === 0 ? BASE + off : 0xfec00000 + off, 4)) | 0;
  }
  return acc;
}

// ---- FlatView --------------------------------------------------------------------------

function renderPc(): number {
  let n = 0;
  for (let i = 0; i < RENDERS; i++) n += renderFlatView(pc.system).ranges.length;
  return n;
}
let toggles = 0;
function pamCommit(): number {
  for (let i = 0; i < RENDERS; i++) pc.writePam(0x59, (toggles++ & 1) === 0 ? 0x30 : 0x10);
  return toggles;
}

// ---- Run -------------------------------------------------------------------------------

interface Variant {
  key: string;
  label: string;
  run: () => number;
  per: number;
  unit: 'ns' | 'us';
  best: number;
}
const variants: Variant[] = [];
function add(
  key: string,
  label: string,
  run: () => number,
  per = ACCESSES,
  unit: 'ns' | 'us' = 'ns',
) {
  variants.push({ key, label, run, per, unit, best: Number.POSITIVE_INFINITY });
}

add('rawDV', 'raw DataView.getUint32, constant view (baseline)', rawDataViewRead);
add('rawDVField', 'raw DataView.getUint32, view in an object field', () =>
  rawDataViewFieldRead(holder),
);
add('rawU32', 'raw Uint32Array[i] (baseline)', rawUint32Read);
add('rawDVWrite', 'raw DataView.setUint32, constant view', rawDataViewWrite);
add('fastDV', 'fast path read: ramPage() per page + page.view', () => fastPathDataViewRead(as));
add('fastU32', 'fast path read: ramPage() per page + Uint32Array', () => fastPathUint32Read(as));
add('fastWrite', 'fast path write: ramPage() + isRamPageWriteFast', () => fastPathWrite(as));
add('tlbRaw', 'TLB lookup per access, filled from the raw buffer', tlbOverRawBuffer);
add('tlbApi', 'TLB lookup per access, filled by ramPage()', () => tlbOverRamPage(as));
add('asRead', 'AddressSpace.read(addr, 4), RAM', () => asRead(as));
add('asHigh', 'AddressSpace.read(addr, 4), RAM at 0xfd000000', () => asReadHigh(as));
add('asWrite', 'AddressSpace.write(addr, 4, v), RAM', () => asWrite(as));
add('asAlt', 'AddressSpace.read, RAM/VRAM alternating (lookups)', () => asReadAlternating(as));
add('ioRead', 'I/O port read(0x510, 4), 32-bit register', () => ioPortRead(ioSpace));
add('ioWrite', 'I/O port write(0x510, 4), 32-bit register', () => ioPortWrite(ioSpace));
add('ioSplit', 'I/O port read(0x3c4, 4), split into 4 byte reads', () => ioSplitRead(ioSpace));
add('mmio', 'MMIO read(0xfec00xxx, 4), dword registers', () => mmioRead(as));
add('mixed', 'RAM and MMIO reads interleaved (lookup each time)', () => mixedRead(as));
add('render', `renderFlatView(system), PC tree`, renderPc, RENDERS, 'us');
add('commit', 'PAM register write: commit, render, dispatch table', pamCommit, RENDERS, 'us');

const only = (process.env.BENCH_ONLY ?? '').split(',').filter((k) => k !== '');
if (only.length > 0) {
  for (let k = variants.length - 1; k >= 0; k--) {
    if (!only.includes(variants[k].key)) variants.splice(k, 1);
  }
}

let sink = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants) {
    const t0 = process.hrtime.bigint();
    sink ^= v.run();
    const ns = Number(process.hrtime.bigint() - t0) / v.per;
    if (ns < v.best) v.best = ns;
  }
}

const best = (key: string) => variants.find((v) => v.key === key)?.best ?? Number.NaN;
console.log(`# @tsemu/memory benchmark`);
console.log(
  `node ${process.version}, ${ACCESSES} accesses per variant, best of ${ROUNDS} interleaved rounds`,
);
console.log(
  `PC map: ${as.flatView.ranges.length} FlatView ranges in memory, ${ioSpace.flatView.ranges.length} in I/O`,
);
console.log('');
for (const v of variants) {
  const value = v.unit === 'us' ? v.best / 1000 : v.best;
  console.log(
    `${v.key.padEnd(10)} ${v.label.padEnd(54)} ${value.toFixed(2).padStart(9)} ${v.unit}`,
  );
}
console.log('');
const ratios: [string, string, string][] = [
  ['fast path (Uint32Array) / raw Uint32Array:     ', 'fastU32', 'rawU32'],
  ['fast path (page.view) / raw DataView, constant:', 'fastDV', 'rawDV'],
  ['fast path (page.view) / raw DataView, field:   ', 'fastDV', 'rawDVField'],
  ['TLB filled by ramPage / TLB over raw buffer:   ', 'tlbApi', 'tlbRaw'],
  ['AddressSpace.read / raw DataView, constant:    ', 'asRead', 'rawDV'],
];
for (const [label, a, b] of ratios) {
  const r = best(a) / best(b);
  if (!Number.isNaN(r)) console.log(`${label} ${r.toFixed(2)}x`);
}
console.log(`(checksum ${sink})`);
