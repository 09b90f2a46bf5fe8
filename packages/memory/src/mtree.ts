/**
 * `info mtree` and `info mtree -f`, in QEMU's format so that anyone who has read QEMU's
 * output reads ours at once:
 *
 * ```
 * address-space: memory
 *   0000000000000000-ffffffffffffffff (prio 0, container): system
 *     0000000000000000-0000000001ffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-0000000001ffffff
 * ```
 */
import type { AddressSpace } from './address-space.js';
import type { MemoryRegion } from './region.js';
import { hex64 } from './units.js';

export interface MtreeOptions {
  /** Print each FlatView instead of the region trees (`info mtree -f`). */
  flatview?: boolean;
  /** Also print disabled regions, marked `[disabled]` (`info mtree -D`). */
  disabled?: boolean;
}

const INDENT = '  ';
const MASK64 = (1n << 64n) - 1n;

/** QEMU's MR_SIZE: the offset of the last byte (0 for an empty region). */
function lastOffset(size: bigint): bigint {
  return size === 0n ? 0n : size - 1n;
}

/** The type word QEMU prints (memory_region_type). */
export function regionTypeName(mr: MemoryRegion): string {
  if (mr.aliasTarget) return regionTypeName(mr.aliasTarget);
  if (mr.kind === 'romDevice' && mr.romdMode) return 'romd';
  if (mr.kind === 'ram') return mr.readonly ? 'rom' : 'ram';
  // QEMU calls any region without a container a container, and any other non-RAM "i/o".
  return mr.container ? 'i/o' : 'container';
}

export function formatMtree(spaces: readonly AddressSpace[], options: MtreeOptions): string {
  const out: string[] = [];
  const groups = groupByRoot(spaces);
  if (options.flatview) {
    let counter = 0;
    for (const [root, members] of groups) printFlatView(out, counter++, root, members);
  } else {
    const aliasQueue: MemoryRegion[] = [];
    for (const [root, members] of groups) {
      for (const as of [...members].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      )) {
        out.push(`address-space: ${as.name}`);
      }
      printRegion(out, root, 1, 0n, aliasQueue, options.disabled ?? false);
      out.push('');
    }
    // Alias targets get their own trees; printing them may queue more (aliases of aliases).
    for (let i = 0; i < aliasQueue.length; i++) {
      out.push(`memory-region: ${aliasQueue[i].name}`);
      printRegion(out, aliasQueue[i], 1, 0n, aliasQueue, options.disabled ?? false);
      out.push('');
    }
  }
  return out.map((line) => `${line}\n`).join('');
}

function groupByRoot(spaces: readonly AddressSpace[]): Map<MemoryRegion, AddressSpace[]> {
  const groups = new Map<MemoryRegion, AddressSpace[]>();
  for (const as of spaces) {
    const list = groups.get(as.root);
    if (list) list.push(as);
    else groups.set(as.root, [as]);
  }
  return groups;
}

function printRegion(
  out: string[],
  mr: MemoryRegion,
  level: number,
  base: bigint,
  aliasQueue: MemoryRegion[],
  showDisabled: boolean,
): void {
  const start = (base + mr.addr) & MASK64;
  const end = (start + lastOffset(mr.size)) & MASK64;
  const target = mr.aliasTarget;
  if (target && !aliasQueue.includes(target)) aliasQueue.push(target);
  if (mr.enabled || showDisabled) {
    const overflow = start < base || end < start ? '[DETECTED OVERFLOW!] ' : '';
    let line = `${overflow}${INDENT.repeat(level)}${hex64(start)}-${hex64(end)} (prio ${mr.priority}, ${regionTypeName(mr)}): `;
    if (target) {
      const aliasEnd = mr.aliasOffset + lastOffset(mr.size);
      line += `alias ${mr.name} @${target.name} ${hex64(mr.aliasOffset)}-${hex64(aliasEnd)}`;
    } else {
      line += mr.name;
    }
    if (!mr.enabled) line += ' [disabled]';
    out.push(line);
  }
  // Children by address, then higher priority first (a stable sort keeps QEMU's tie order).
  const children = [...mr.subregions].sort((a, b) =>
    a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : b.priority - a.priority,
  );
  for (const child of children) printRegion(out, child, level + 1, start, aliasQueue, showDisabled);
}

function printFlatView(
  out: string[],
  index: number,
  root: MemoryRegion,
  members: readonly AddressSpace[],
): void {
  out.push(`FlatView #${index}`);
  for (const as of members) {
    const alias = root.aliasTarget ? `, alias ${root.aliasTarget.name}` : '';
    out.push(` AS "${as.name}", root: ${root.name}${alias}`);
  }
  out.push(` Root memory region: ${root.name}`);
  const ranges = members[0].flatView.ranges;
  if (ranges.length === 0) {
    out.push(`${INDENT}No rendered FlatView`);
    out.push('');
    return;
  }
  for (const fr of ranges) {
    const mr = fr.region;
    const type = fr.readonly ? 'rom' : regionTypeName(mr);
    let line = `${INDENT}${hex64(fr.start)}-${hex64(fr.start + lastOffset(fr.size))} (prio ${mr.priority}, ${type}): ${mr.name}`;
    if (fr.offsetInRegion !== 0n) line += ` @${hex64(fr.offsetInRegion)}`;
    out.push(line);
  }
  out.push('');
}
