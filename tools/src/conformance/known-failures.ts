/**
 * Mismatches between the host processor and tsemu that are known, each with its reason. A run
 * passes when its mismatches are exactly the known failures it ran: a mismatch not listed here
 * fails it, and so does an entry that no longer fails (fixed: remove it).
 *
 * A reason starting with "tsemu bug:" is a CPU bug to fix in packages/tcg/src/i386; the entry
 * goes when the fix lands.
 */
import type { Mismatch } from './compare.js';
import type { ConformanceTest } from './state.js';

export interface KnownFailure {
  readonly form: string;
  /** The failing seeds; absent: every seed of the form. */
  readonly seeds?: readonly number[];
  readonly reason: string;
}

/** Read-modify-write instructions report a #PF on a not-present page as a read. */
const RMW_ERROR_CODE =
  'tsemu bug: a read-modify-write instruction (ALU ops, INC/DEC/NOT/NEG, shifts and ' +
  'rotates, XCHG, XADD, CMPXCHG/CMPXCHG8B, BTS/BTR/BTC; locked or not) on a not-present ' +
  'page faults with error code W=0, a read (0x4); the processor checks the access as a write ' +
  'and reports W=1 (0x6). The translator loads the operand before any write check; it ' +
  'should probe the destination for writing first (QEMU shares this deviation). Plain ' +
  'writes, SETcc, MOVS and POP m are right.';

/** x87 stores that cross into a page that faults write their first part. */
const X87_SPLIT_STORE =
  'tsemu bug: an x87 store whose operand crosses into a page that faults (FST/FSTP m64fp, ' +
  'FSTP m80fp, FISTP m64int, FNSTENV; FNSAVE alike) writes the dwords that lie on the first ' +
  'page before the #PF; the processor writes nothing (a faulting instruction changes no ' +
  'memory). ops-x87.ts writes the words one by one; it should probe both pages for writing ' +
  'first, as the SIMD stores do (simd/state.ts helperProbeWrite). docs/i386-x87.md lists it ' +
  'under "Departures".';

/** An MMX instruction that faults has switched the x87 unit to MMX already. */
const MMX_FAULT_TRANSITION =
  'tsemu bug: an MMX instruction whose memory operand faults (#PF) has already made the ' +
  'x87-to-MMX transition (TOP = 0, every tag valid); the processor leaves the x87 state as ' +
  'it was before the faulting instruction. translate/ops-simd.ts stores FTOP and ' +
  'FTAGS_EMPTY in the pre-checks, before the operand is read or written; the stores should ' +
  'come after the last access that can fault.';

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  { form: 'inc m32 unmapped', reason: RMW_ERROR_CODE },
  { form: 'not m8 unmapped', reason: RMW_ERROR_CODE },
  { form: 'shl m16,1 unmapped', reason: RMW_ERROR_CODE },
  { form: 'xchg m32,r32 unmapped', reason: RMW_ERROR_CODE },
  { form: 'xadd m32,r32 unmapped', reason: RMW_ERROR_CODE },
  { form: 'cmpxchg m32,r32 unmapped', reason: RMW_ERROR_CODE },
  { form: 'bts m32,imm8 unmapped', reason: RMW_ERROR_CODE },
  { form: 'lock add m32,r32 unmapped', reason: RMW_ERROR_CODE },
  { form: 'add m16,r16 across the page end', reason: RMW_ERROR_CODE },
  { form: 'add m16,r16 across the page start', reason: RMW_ERROR_CODE },
  { form: 'add m32,r32 across the page start', reason: RMW_ERROR_CODE },
  { form: 'add m32,r32 across the page end', reason: RMW_ERROR_CODE },
  { form: 'fst m64fp across the page end', reason: X87_SPLIT_STORE },
  { form: 'fstp m80fp across the page end', reason: X87_SPLIT_STORE },
  { form: 'fistp m64int across the page end', reason: X87_SPLIT_STORE },
  { form: 'fnstenv m28byte across the page end', reason: X87_SPLIT_STORE },
  { form: 'movq mm,m64 across the page end', reason: MMX_FAULT_TRANSITION },
  { form: 'movq m64,mm across the page end', reason: MMX_FAULT_TRANSITION },
];

/** How a run's mismatches relate to the known failures. */
export interface Classification {
  /** Mismatches nobody explained: the run fails. */
  readonly unexpected: readonly Mismatch[];
  /** Mismatches a known failure explains. */
  readonly known: readonly { readonly mismatch: Mismatch; readonly reason: string }[];
  /** Known failures whose tests ran and agreed: fixed, remove them. */
  readonly stale: readonly KnownFailure[];
}

function covers(entry: KnownFailure, test: ConformanceTest): boolean {
  return entry.form === test.form && (entry.seeds === undefined || entry.seeds.includes(test.seed));
}

/**
 * Sorts a run's mismatches. A failure listed with seeds is stale when all its seeds ran and
 * passed; one listed for a whole form (some of its seeds fail) only in a `complete` run (the
 * whole corpus), when the form ran and no seed failed: a sample may just miss its seeds.
 */
export function classifyMismatches(
  tests: readonly ConformanceTest[],
  mismatches: readonly Mismatch[],
  knownFailures: readonly KnownFailure[] = KNOWN_FAILURES,
  options: { complete?: boolean } = {},
): Classification {
  const unexpected: Mismatch[] = [];
  const known: { mismatch: Mismatch; reason: string }[] = [];
  const explained = new Set<KnownFailure>();
  for (const m of mismatches) {
    const entry = knownFailures.find((k) => covers(k, m.test));
    if (entry) {
      known.push({ mismatch: m, reason: entry.reason });
      explained.add(entry);
    } else {
      unexpected.push(m);
    }
  }
  const ran = (k: KnownFailure) =>
    k.seeds === undefined
      ? options.complete === true && tests.some((t) => t.form === k.form)
      : k.seeds.every((seed) => tests.some((t) => t.form === k.form && t.seed === seed));
  const stale = knownFailures.filter((k) => !explained.has(k) && ran(k));
  return { unexpected, known, stale };
}
