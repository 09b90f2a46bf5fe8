/**
 * Property: for random region trees, the FlatView and every kind of AddressSpace access
 * agree with a naive model that resolves each byte on its own by the rules of QEMU's
 * docs/devel/memory.rst ("Visibility"), with each leaf's contents as a plain byte array.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AddressSpace, MemoryCore, type MemoryRegion } from '../src/index.js';

const SPACE = 0x200;

type LeafKind = 'ram' | 'rom' | 'io' | 'romd';
interface NodeSpec {
  kind: LeafKind | 'container' | 'alias';
  size: number;
  enabled: boolean;
  readonly: boolean;
  /** io: implemented max size, unaligned support and byte order. */
  implMax: 1 | 2 | 4 | 8;
  implUnaligned: boolean;
  bigEndian: boolean;
  /** romd: start in ROMD mode. */
  romd: boolean;
  /** alias: which earlier node, and where in it. */
  target: number;
  aliasOffset: number;
  /** Candidate children among earlier nodes (taken only if still free). */
  children: { pick: number; offset: number; priority: number }[];
}

interface Child {
  node: number;
  offset: number;
  priority: number;
}

const nodeArb: fc.Arbitrary<NodeSpec> = fc.record({
  kind: fc.constantFrom('ram', 'rom', 'io', 'romd', 'container', 'alias', 'container', 'alias'),
  size: fc.integer({ min: 1, max: 0x120 }),
  enabled: fc.integer({ min: 0, max: 4 }).map((n) => n !== 0),
  readonly: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  implMax: fc.constantFrom(1, 2, 4, 8),
  implUnaligned: fc.boolean(),
  bigEndian: fc.boolean(),
  romd: fc.boolean(),
  target: fc.nat(),
  aliasOffset: fc.integer({ min: 0, max: 0x80 }),
  children: fc.array(
    fc.record({
      pick: fc.nat(),
      offset: fc.integer({ min: 0, max: 0x1c0 }),
      priority: fc.integer({ min: -2, max: 2 }),
    }),
    { maxLength: 4 },
  ),
}) as fc.Arbitrary<NodeSpec>;

type Op =
  | { op: 'read'; addr: number; size: 1 | 2 | 4 }
  | { op: 'write'; addr: number; size: 1 | 2 | 4; value: number }
  | { op: 'read64' | 'write64'; addr: number; low: number; high: number }
  | { op: 'rw'; addr: number; len: number; isWrite: boolean; seed: number }
  | { op: 'toggle'; node: number };

const addrArb = fc.integer({ min: 0, max: SPACE + 8 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('read' as const), addr: addrArb, size: fc.constantFrom(1, 2, 4) }),
  fc.record({
    op: fc.constant('write' as const),
    addr: addrArb,
    size: fc.constantFrom(1, 2, 4),
    value: fc.nat({ max: 0xffffffff }),
  }),
  fc.record({
    op: fc.constantFrom('read64' as const, 'write64' as const),
    addr: addrArb,
    low: fc.nat({ max: 0xffffffff }),
    high: fc.nat({ max: 0xffffffff }),
  }),
  fc.record({
    op: fc.constant('rw' as const),
    addr: addrArb,
    len: fc.integer({ min: 1, max: 24 }),
    isWrite: fc.boolean(),
    seed: fc.nat({ max: 255 }),
  }),
  fc.record({ op: fc.constant('toggle' as const), node: fc.nat() }),
) as fc.Arbitrary<Op>;

/** The tree in plain data: who contains whom, resolved once from the specs. */
interface Tree {
  specs: NodeSpec[];
  children: Child[][];
  /** Byte contents of every leaf, as the model sees them. */
  contents: (Uint8Array | undefined)[];
}

function planTree(generated: NodeSpec[]): Tree {
  // Copies: fast-check reuses generated values while shrinking, so never mutate them.
  const specs = generated.map((s) => ({ ...s }));
  const n = specs.length;
  // The first node has nothing earlier to alias.
  if (specs[0].kind === 'alias') specs[0].kind = 'ram';
  const parented = new Set<number>();
  const children: Child[][] = specs.map(() => []);
  // The last node is the root: a container covering the whole test space.
  specs[n - 1] = {
    ...specs[n - 1],
    kind: 'container',
    size: SPACE,
    enabled: true,
    readonly: false,
  };
  for (let i = 0; i < n; i++) {
    if (specs[i].kind === 'alias' || i === 0) continue;
    for (const c of specs[i].children) {
      const node = c.pick % i;
      if (parented.has(node)) continue;
      parented.add(node);
      children[i].push({ node, offset: c.offset, priority: c.priority });
    }
  }
  const contents = specs.map((s, i) =>
    s.kind === 'container' || s.kind === 'alias'
      ? undefined
      : Uint8Array.from({ length: s.size }, (_, j) => (j * 29 + i * 71 + 5) & 0xff),
  );
  return { specs, children, contents };
}

/** A device whose registers are the model's own leaf bytes (so every access is checkable). */
function memoryLikeOps(bytes: Uint8Array, spec: NodeSpec) {
  const big = spec.bigEndian;
  const get = (o: number, s: number) => {
    let v = 0;
    for (let j = 0; j < s; j++) v += bytes[o + j] * 2 ** (8 * (big ? s - 1 - j : j));
    return v;
  };
  const put = (o: number, v: number, s: number) => {
    for (let j = 0; j < s; j++)
      bytes[o + (big ? s - 1 - j : j)] = Math.floor(v / 2 ** (8 * j)) & 0xff;
  };
  return {
    read: (o: number, s: number) => get(o, s),
    write: (o: number, v: number, s: number) => put(o, v, s),
    read64: (o: number, r: { low: number; high: number }) => {
      r.low = big ? get(o + 4, 4) : get(o, 4);
      r.high = big ? get(o, 4) : get(o + 4, 4);
    },
    write64: (o: number, low: number, high: number) => {
      put(big ? o + 4 : o, low, 4);
      put(big ? o : o + 4, high, 4);
    },
    endianness: big ? ('big' as const) : ('little' as const),
    valid: { unaligned: true },
    impl: { maxAccessSize: spec.implMax, unaligned: spec.implUnaligned },
  };
}

/** Builds the real regions; leaves share their byte arrays with the model's copy. */
function buildReal(tree: Tree): {
  as: AddressSpace;
  regions: MemoryRegion[];
  leafOf: Map<MemoryRegion, number>;
} {
  const core = new MemoryCore();
  const regions: MemoryRegion[] = [];
  const leafOf = new Map<MemoryRegion, number>();
  // The real leaves get their own copies: the model must not see the implementation's writes.
  tree.specs.forEach((s, i) => {
    const initial = tree.contents[i] ? Uint8Array.from(tree.contents[i] as Uint8Array) : undefined;
    let mr: MemoryRegion;
    switch (s.kind) {
      case 'ram':
        mr = core.ram(`n${i}`, s.size, { data: initial });
        break;
      case 'rom':
        mr = core.rom(`n${i}`, s.size, { data: initial });
        break;
      case 'io':
        mr = core.io(`n${i}`, s.size, memoryLikeOps(initial as Uint8Array, s));
        break;
      case 'romd': {
        const holder: { bytes?: Uint8Array } = {};
        const ops = memoryLikeOps(new Uint8Array(0), s);
        mr = core.romDevice(
          `n${i}`,
          s.size,
          {
            read: (o, size) => memoryLikeOps(holder.bytes as Uint8Array, s).read(o, size),
            write: (o, v, size) => memoryLikeOps(holder.bytes as Uint8Array, s).write(o, v, size),
            endianness: ops.endianness,
            valid: ops.valid,
            impl: { maxAccessSize: s.implMax === 8 ? 4 : s.implMax },
          },
          { data: initial },
        );
        holder.bytes = mr.bytes;
        if (!s.romd) mr.setRomdMode(false);
        break;
      }
      case 'container':
        mr = core.container(`n${i}`, s.size);
        break;
      default:
        mr = core.alias(`n${i}`, regions[s.target % i], s.aliasOffset, s.size);
    }
    if (s.kind !== 'container' && s.kind !== 'alias') leafOf.set(mr, i);
    regions.push(mr);
  });
  core.transaction(() => {
    tree.specs.forEach((s, i) => {
      const mr = regions[i];
      if (s.readonly) mr.setReadonly(true);
      if (!s.enabled) mr.setEnabled(false);
      for (const c of tree.children[i])
        mr.addSubregionOverlap(c.offset, regions[c.node], c.priority);
    });
  });
  return { as: core.addressSpace('test', regions[regions.length - 1]), regions, leafOf };
}

interface Resolved {
  leaf: number;
  offset: number;
  readonly: boolean;
}

/** memory.rst's visibility rules, one byte at a time. `addr` is relative to node `i`. */
function resolve(tree: Tree, i: number, addr: number, readonly: boolean): Resolved | undefined {
  const s = tree.specs[i];
  if (!s.enabled || addr < 0 || addr >= s.size) return undefined;
  // A ROM is a read-only RAM region, so its own flag counts like an explicit one.
  const ro = readonly || s.readonly || s.kind === 'rom';
  if (s.kind === 'alias') {
    const t = s.target % i;
    return resolve(tree, t, addr + s.aliasOffset, ro);
  }
  // Highest priority first; among equals, the child added last.
  const order = tree.children[i]
    .map((c, k) => ({ c, k }))
    .sort((a, b) => b.c.priority - a.c.priority || b.k - a.k);
  for (const { c } of order) {
    const hit = resolve(tree, c.node, addr - c.offset, ro);
    if (hit) return hit;
  }
  if (s.kind === 'container') return undefined;
  return { leaf: i, offset: addr, readonly: ro };
}

class Model {
  constructor(private readonly tree: Tree) {}
  private at(addr: number) {
    return resolve(this.tree, this.tree.specs.length - 1, addr, false);
  }
  readByte(addr: number): number {
    const r = this.at(addr);
    return r ? (this.tree.contents[r.leaf] as Uint8Array)[r.offset] : 0xff;
  }
  writeByte(addr: number, byte: number): void {
    const r = this.at(addr);
    if (r && !r.readonly) (this.tree.contents[r.leaf] as Uint8Array)[r.offset] = byte;
  }
  read(addr: number, size: number): number {
    let v = 0;
    for (let j = 0; j < size; j++) v += this.readByte(addr + j) * 2 ** (8 * j);
    return v;
  }
  write(addr: number, size: number, value: number): void {
    for (let j = 0; j < size; j++)
      this.writeByte(addr + j, Math.floor(value / 2 ** (8 * j)) & 0xff);
  }
  resolveAt(addr: number) {
    return this.at(addr);
  }
}

function checkFlatView(tree: Tree, model: Model, real: ReturnType<typeof buildReal>): void {
  const ranges = real.as.flatView.ranges;
  for (let k = 1; k < ranges.length; k++) {
    const a = ranges[k - 1];
    const b = ranges[k];
    expect(a.end <= b.start).toBe(true);
    const mergeable =
      a.region === b.region &&
      a.end === b.start &&
      a.offsetInRegion + a.size === b.offsetInRegion &&
      a.readonly === b.readonly &&
      a.romdMode === b.romdMode;
    expect(mergeable).toBe(false);
  }
  for (let addr = 0; addr < SPACE; addr++) {
    const want = model.resolveAt(addr);
    const fr = real.as.findRange(addr);
    const got = fr
      ? {
          leaf: real.leafOf.get(fr.region) as number,
          offset: Number(fr.offsetInRegion + BigInt(addr) - fr.start),
          readonly: fr.readonly,
        }
      : undefined;
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new Error(
        `address 0x${addr.toString(16)}: FlatView ${JSON.stringify(got)}, model ${JSON.stringify(want)}`,
      );
    }
  }
  void tree;
}

describe('FlatView and AddressSpace against a per-byte reference model', () => {
  it('agree on random region trees and random accesses', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 2, maxLength: 10 }),
        fc.array(opArb, { maxLength: 40 }),
        (specs, ops) => {
          const tree = planTree(specs);
          const model = new Model(tree);
          const real = buildReal(tree);
          checkFlatView(tree, model, real);
          const out = { low: 0, high: 0 };
          for (const op of ops) {
            switch (op.op) {
              case 'read':
                expect(real.as.read(op.addr, op.size)).toBe(model.read(op.addr, op.size));
                break;
              case 'write':
                real.as.write(op.addr, op.size, op.value);
                model.write(op.addr, op.size, op.value % 2 ** (8 * op.size));
                break;
              case 'read64':
                real.as.read64(op.addr, out);
                expect([out.low, out.high]).toEqual([
                  model.read(op.addr, 4),
                  model.read(op.addr + 4, 4),
                ]);
                break;
              case 'write64':
                real.as.write64(op.addr, op.low, op.high);
                model.write(op.addr, 4, op.low);
                model.write(op.addr + 4, 4, op.high);
                break;
              case 'rw': {
                const buf = Uint8Array.from(
                  { length: op.len },
                  (_, j) => (op.seed + j * 13) & 0xff,
                );
                if (op.isWrite) {
                  real.as.rw(op.addr, buf, true);
                  for (let j = 0; j < buf.length; j++) model.writeByte(op.addr + j, buf[j]);
                } else {
                  real.as.rw(op.addr, buf, false);
                  expect([...buf]).toEqual(
                    Array.from({ length: op.len }, (_, j) => model.readByte(op.addr + j)),
                  );
                }
                break;
              }
              case 'toggle': {
                const i = op.node % (specs.length - 1); // never the root
                tree.specs[i] = { ...tree.specs[i], enabled: !tree.specs[i].enabled };
                real.regions[i].setEnabled(tree.specs[i].enabled);
                checkFlatView(tree, model, real);
                break;
              }
            }
          }
          // Finally every byte, read one at a time, matches.
          for (let addr = 0; addr < SPACE; addr++) {
            if (real.as.read(addr, 1) !== model.readByte(addr)) {
              throw new Error(`final byte at 0x${addr.toString(16)} differs`);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
