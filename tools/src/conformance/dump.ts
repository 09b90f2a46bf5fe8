/**
 * The dump format: what a runner image writes to stdout (natively, or on tsemu's console),
 * little-endian, versioned. Layout (offsets in bytes):
 *
 *   stream header (16): u32 magic 'TSCD' | u32 version (2) | u32 record header size (84) | u32 0
 *   then one record per test that ran, in order:
 *     +0  u32 magic 'TSCR'        +4  u32 index of the test in its batch
 *     +8  u32 signal (0 = completed, else SIGILL 4, SIGTRAP 5, SIGBUS 7, SIGFPE 8, SIGSEGV 11)
 *     +12 u32 × 8 eax ecx edx ebx esp ebp esi edi
 *     +44 u32 EIP − start of the test's code       +48 u32 EFLAGS
 *     +52 u32 trapno   +56 u32 err   +60 u32 si_code   +64 u32 si_addr   +68 u32 cr2
 *     +72 u32 data window offset   +76 u32 data window length
 *     +80 u32 FPU state length: 0, or FPU_STATE_SIZE for a test that loaded an FPU state
 *     +84 the FPU state (the first FPU_STATE_SIZE bytes of an FXSAVE image), if any
 *     then the data window's bytes
 *
 * Version 1 had no FPU state (an 80-byte record header); version 2 adds it, and an integer
 * test's record is version 1's plus a zero length word.
 *
 * The runner (runner.ts) writes exactly this; `encodeDumps` writes it from values (for the
 * tsemu target, which may produce dumps without a console, and for tests).
 */
import {
  DATA_PAGE_SIZE,
  type Dump,
  FPU_STATE_SIZE,
  type Outcome,
  SIGNAL_NUMBERS,
} from './state.js';

export const DUMP_STREAM_MAGIC = 0x44435354; // 'TSCD'
export const DUMP_RECORD_MAGIC = 0x52435354; // 'TSCR'
export const DUMP_VERSION = 2;
export const DUMP_STREAM_HEADER_SIZE = 16;
export const DUMP_RECORD_HEADER_SIZE = 84;

/** Record field offsets, shared with the runner's assembly. */
export const DumpField = {
  magic: 0,
  index: 4,
  signal: 8,
  regs: 12,
  eipOffset: 44,
  eflags: 48,
  trapno: 52,
  err: 56,
  siCode: 60,
  faultAddress: 64,
  cr2: 68,
  windowOffset: 72,
  windowLength: 76,
  fpuLength: 80,
} as const;

const OUTCOME_BY_SIGNAL = new Map<number, Outcome>([
  [0, 'completed'],
  ...Object.entries(SIGNAL_NUMBERS).map(([name, n]) => [n, name as Outcome] as [number, Outcome]),
]);

function signalOf(outcome: Outcome): number {
  return outcome === 'completed' ? 0 : SIGNAL_NUMBERS[outcome];
}

/** A dump stream that does not parse. */
export class DumpFormatError extends Error {
  override readonly name = 'DumpFormatError';
}

/** The result of parsing: the complete records, and whether the stream ended mid-record. */
export interface ParsedDumps {
  readonly dumps: Dump[];
  /** Bytes after the last complete record (non-zero means the process died mid-write). */
  readonly trailingBytes: number;
}

/** Parses a dump stream. Throws DumpFormatError on a bad header or record. */
export function parseDumps(bytes: Uint8Array): ParsedDumps {
  if (bytes.length < DUMP_STREAM_HEADER_SIZE) {
    throw new DumpFormatError(`dump stream too short (${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== DUMP_STREAM_MAGIC)
    throw new DumpFormatError('not a dump stream (bad magic)');
  const version = view.getUint32(4, true);
  if (version !== DUMP_VERSION)
    throw new DumpFormatError(`dump version ${version} is not ${DUMP_VERSION}`);
  const headerSize = view.getUint32(8, true);
  if (headerSize !== DUMP_RECORD_HEADER_SIZE)
    throw new DumpFormatError(`record header size ${headerSize}`);

  const dumps: Dump[] = [];
  let pos = DUMP_STREAM_HEADER_SIZE;
  while (pos + DUMP_RECORD_HEADER_SIZE <= bytes.length) {
    const u32 = (field: number) => view.getUint32(pos + field, true);
    if (u32(DumpField.magic) !== DUMP_RECORD_MAGIC) {
      throw new DumpFormatError(`bad record magic at byte ${pos}`);
    }
    const signal = u32(DumpField.signal);
    const outcome = OUTCOME_BY_SIGNAL.get(signal);
    if (outcome === undefined) throw new DumpFormatError(`unknown signal ${signal} at byte ${pos}`);
    const windowOffset = u32(DumpField.windowOffset);
    const windowLength = u32(DumpField.windowLength);
    if (windowOffset + windowLength > DATA_PAGE_SIZE) {
      throw new DumpFormatError(`data window out of the page at byte ${pos}`);
    }
    const fpuLength = u32(DumpField.fpuLength);
    if (fpuLength !== 0 && fpuLength !== FPU_STATE_SIZE)
      throw new DumpFormatError(`FPU state of ${fpuLength} bytes at byte ${pos}`);
    if (pos + DUMP_RECORD_HEADER_SIZE + fpuLength + windowLength > bytes.length) break;
    const regs: number[] = [];
    for (let r = 0; r < 8; r++) regs.push(u32(DumpField.regs + 4 * r));
    const fpuStart = pos + DUMP_RECORD_HEADER_SIZE;
    const dataStart = fpuStart + fpuLength;
    dumps.push({
      index: u32(DumpField.index),
      outcome,
      regs,
      eflags: u32(DumpField.eflags),
      eipOffset: u32(DumpField.eipOffset),
      trapno: u32(DumpField.trapno),
      err: u32(DumpField.err),
      siCode: u32(DumpField.siCode),
      faultAddress: u32(DumpField.faultAddress),
      cr2: u32(DumpField.cr2),
      window: { offset: windowOffset, length: windowLength },
      data: bytes.slice(dataStart, dataStart + windowLength),
      fpu: fpuLength === 0 ? null : bytes.slice(fpuStart, dataStart),
    });
    pos = dataStart + windowLength;
  }
  return { dumps, trailingBytes: bytes.length - pos };
}

/** Writes dumps as a stream, exactly as the runner image would. */
export function encodeDumps(dumps: readonly Dump[]): Uint8Array {
  const size = dumps.reduce(
    (n, d) => n + DUMP_RECORD_HEADER_SIZE + (d.fpu?.length ?? 0) + d.data.length,
    DUMP_STREAM_HEADER_SIZE,
  );
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, DUMP_STREAM_MAGIC, true);
  view.setUint32(4, DUMP_VERSION, true);
  view.setUint32(8, DUMP_RECORD_HEADER_SIZE, true);
  let pos = DUMP_STREAM_HEADER_SIZE;
  for (const d of dumps) {
    if (d.data.length !== d.window.length)
      throw new Error('encodeDumps: data length differs from window length');
    if (d.fpu && d.fpu.length !== FPU_STATE_SIZE)
      throw new Error(`encodeDumps: FPU state must be ${FPU_STATE_SIZE} bytes`);
    const put = (field: number, value: number) => view.setUint32(pos + field, value >>> 0, true);
    put(DumpField.magic, DUMP_RECORD_MAGIC);
    put(DumpField.index, d.index);
    put(DumpField.signal, signalOf(d.outcome));
    d.regs.forEach((v, r) => {
      put(DumpField.regs + 4 * r, v);
    });
    put(DumpField.eipOffset, d.eipOffset);
    put(DumpField.eflags, d.eflags);
    put(DumpField.trapno, d.trapno);
    put(DumpField.err, d.err);
    put(DumpField.siCode, d.siCode);
    put(DumpField.faultAddress, d.faultAddress);
    put(DumpField.cr2, d.cr2);
    put(DumpField.windowOffset, d.window.offset);
    put(DumpField.windowLength, d.window.length);
    const fpuLength = d.fpu?.length ?? 0;
    put(DumpField.fpuLength, fpuLength);
    if (d.fpu) out.set(d.fpu, pos + DUMP_RECORD_HEADER_SIZE);
    out.set(d.data, pos + DUMP_RECORD_HEADER_SIZE + fpuLength);
    pos += DUMP_RECORD_HEADER_SIZE + fpuLength + d.data.length;
  }
  return out;
}
