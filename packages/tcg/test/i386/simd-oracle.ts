/**
 * Differential testing of single MMX/SSE/SSE2 instructions: the same machine code and
 * register state run on the host processor (simd-oracle.c, compiled with gcc once per
 * process) and in a guest program on tsemu; the states after it are compared.
 *
 * A case names its operands as the oracle does: xmm0/xmm1, mm0/mm1, eax/ecx, and [esi]
 * pointing at a 16-byte aligned buffer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendKind } from '../../src/core/exec/engine.js';
import { CR0_MP, CR0_NE, CR4_OSFXSR, CR4_OSXMMEXCPT } from '../../src/i386/cpu/constants.js';
import { SYS } from '../../src/i386/cpu/state-layout.js';
import { makeDescriptor } from '../../src/i386/mmu/descriptor.js';
import { FLAT_CODE, FLAT_DATA, TestMachine } from './machine.js';
import { simdAsm } from './simd-asm.js';

export interface SimdCase {
  /** The instruction's bytes. */
  code: readonly number[];
  mxcsr: number;
  /** 16 bytes each, memory order. */
  xmm0: Uint8Array;
  xmm1: Uint8Array;
  /** 8 bytes each. */
  mm0: Uint8Array;
  mm1: Uint8Array;
  eax: number;
  ecx: number;
  /** The 16 bytes at [esi]. */
  mem: Uint8Array;
  /**
   * Which registers the instruction can touch (default: all): the guest program loads and
   * saves only those, to keep the program short; the others keep their input values.
   */
  uses?: { xmm: boolean; mmx: boolean; gpr: boolean; eflags: boolean };
}

export interface SimdState {
  xmm0: string;
  xmm1: string;
  mm0: string;
  mm1: string;
  eax: number;
  ecx: number;
  mxcsr: number;
  eflags: number;
  mem: string;
  /** The instruction raised #XM (the state is the handler's view: registers unchanged). */
  xm: boolean;
  /** Guest runs only: the vector the instruction raised (0: none). */
  vector?: number;
}

export function hexBytes(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] & 0xff).toString(16).padStart(2, '0');
  return s;
}

const hex32 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/** True on an x86-64 host (the oracle runs the instructions natively). */
export function hostOracleAvailable(): boolean {
  return arch() === 'x64';
}

let binary: string | undefined;

function oracleBinary(): string {
  if (binary) return binary;
  const folder = mkdtempSync(join(tmpdir(), 'tsemu-simd-oracle-'));
  const out = join(folder, 'simd-oracle');
  const source = new URL('./simd-oracle.c', import.meta.url).pathname;
  execFileSync('gcc', ['-O0', '-mno-red-zone', '-o', out, source], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  binary = out;
  return out;
}

export function caseLine(c: SimdCase): string {
  return [
    hexBytes(c.code),
    hex32(c.mxcsr),
    hexBytes(c.xmm0),
    hexBytes(c.xmm1),
    hexBytes(c.mm0),
    hexBytes(c.mm1),
    hex32(c.eax),
    hex32(c.ecx),
    hexBytes(c.mem),
  ].join(' ');
}

/** Runs the cases on the host. */
export function runOnHost(cases: readonly SimdCase[]): SimdState[] {
  const input = `${cases.map(caseLine).join('\n')}\n`;
  const result = spawnSync(oracleBinary(), [], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`simd oracle exited with ${result.status} ${result.signal}: ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== cases.length)
    throw new Error(`simd oracle answered ${lines.length} lines for ${cases.length} cases`);
  return lines.map((line) => {
    if (line.startsWith('?')) throw new Error(`simd oracle: ${line}`);
    const f = line.trim().split(' ');
    return {
      xmm0: f[0],
      xmm1: f[1],
      mm0: f[2],
      mm1: f[3],
      eax: Number.parseInt(f[4], 16),
      ecx: Number.parseInt(f[5], 16),
      mxcsr: Number.parseInt(f[6], 16),
      eflags: Number.parseInt(f[7], 16),
      mem: f[8],
      xm: f[9] === '1',
    };
  });
}

const CODE = 0x10000;
const DATA = 0x100000;
const SLOT = 128;
/** Slot offsets written by the exception handlers: the vector, and where to resume. */
const SLOT_VECTOR = 76;
const SLOT_RESUME = 120;
const GDT = 0x9000;
const IDT = 0x9800;
/** Vectors the guest handles (#UD, #GP, #XM); anything else ends the run with a reset. */
const HANDLED_VECTORS = [6, 13, 19];
/** Cases per guest program (code below DATA, data below the end of RAM). */
export const MAX_GUEST_CASES = 8000;

/**
 * Runs the cases as one guest program in flat 32-bit protected mode. An exception (#XM
 * for the unmasked cases) is recorded in the case's slot and the program goes on after
 * the instruction, with the registers as the handler found them.
 */
export function runInGuest(cases: readonly SimdCase[], backend: BackendKind): SimdState[] {
  if (cases.length > MAX_GUEST_CASES) throw new Error('too many cases for one guest program');
  const m = new TestMachine({ backend, ramSize: 8 << 20 });
  const handlers = HANDLED_VECTORS.map(
    (v) => `
    vector_${v}:
      mov dword [ebx+${SLOT_VECTOR}], ${v}
      ${v === 13 ? 'add esp, 4          ; the error code' : ''}
      push eax
      mov eax, [ebx+${SLOT_RESUME}]
      mov [esp+4], eax
      pop eax
      iretd`,
  );
  const body = cases.map((c, i) => {
    const base = DATA + i * SLOT;
    const u = c.uses ?? { xmm: true, mmx: true, gpr: true, eflags: true };
    return [
      `mov ebx, ${base}`,
      `mov dword [ebx+${SLOT_RESUME}], after_${i}`,
      'ldmxcsr [ebx]',
      u.xmm ? 'movdqu xmm0, [ebx+16]\nmovdqu xmm1, [ebx+32]' : '',
      u.mmx ? 'movq mm0, [ebx+48]\nmovq mm1, [ebx+56]' : '',
      u.gpr ? 'mov eax, [ebx+64]\nmov ecx, [ebx+68]' : '',
      'lea esi, [ebx+80]',
      `db ${c.code.map((v) => `0x${v.toString(16)}`).join(', ')}`,
      `after_${i}:`,
      u.eflags ? 'pushfd\npop dword [ebx+72]' : '',
      'stmxcsr [ebx]',
      u.xmm ? 'movdqu [ebx+16], xmm0\nmovdqu [ebx+32], xmm1' : '',
      u.mmx ? 'movq [ebx+48], mm0\nmovq [ebx+56], mm1' : '',
      u.gpr ? 'mov [ebx+64], eax\nmov [ebx+68], ecx' : '',
      // One small TB per case: translation time stays linear in the number of cases.
      `jmp case_${i + 1}`,
      `case_${i + 1}:`,
    ]
      .filter((line) => line !== '')
      .join('\n');
  });
  const program = m.loadFlat32(
    simdAsm(`${body.join('\n')}\n  hlt\n${handlers.join('\n')}\n`),
    CODE,
  );
  const cpu = m.cpu;
  cpu.setCr0(cpu.cr0 | CR0_MP | CR0_NE);
  cpu.setCr4(cpu.cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
  // A GDT with the flat code and data segments the machine's loadFlat32 assumed, and an
  // IDT with 32-bit interrupt gates for the handled vectors.
  const gdt = new Uint32Array([
    0,
    0,
    ...makeDescriptor(0, 0xffffffff, FLAT_CODE),
    ...makeDescriptor(0, 0xffffffff, FLAT_DATA),
  ]);
  m.load(GDT, new Uint8Array(gdt.buffer));
  for (const v of HANDLED_VECTORS) {
    const target = program.symbol(`vector_${v}`);
    const gate = new Uint32Array([
      (0x08 << 16) | (target & 0xffff),
      (target & 0xffff0000) | 0x8e00,
    ]);
    m.load(IDT + 8 * v, new Uint8Array(gate.buffer));
  }
  cpu.sys[SYS.GDT_BASE] = GDT;
  cpu.sys[SYS.GDT_LIMIT] = gdt.byteLength - 1;
  cpu.sys[SYS.IDT_BASE] = IDT;
  cpu.sys[SYS.IDT_LIMIT] = 8 * 32 - 1;
  const data = new Uint8Array(cases.length * SLOT);
  const view = new DataView(data.buffer);
  cases.forEach((c, i) => {
    const o = i * SLOT;
    view.setUint32(o, c.mxcsr, true);
    data.set(c.xmm0, o + 16);
    data.set(c.xmm1, o + 32);
    data.set(c.mm0, o + 48);
    data.set(c.mm1, o + 56);
    view.setUint32(o + 64, c.eax >>> 0, true);
    view.setUint32(o + 68, c.ecx >>> 0, true);
    data.set(c.mem, o + 80);
  });
  m.load(DATA, data);
  const result = m.run(100_000, 100_000);
  if (result !== 'halted') throw new Error(`guest program ended with '${result}'`);
  const out = m.read(DATA, cases.length * SLOT);
  const outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  return cases.map((_, i) => {
    const o = i * SLOT;
    return {
      xmm0: hexBytes(out.subarray(o + 16, o + 32)),
      xmm1: hexBytes(out.subarray(o + 32, o + 48)),
      mm0: hexBytes(out.subarray(o + 48, o + 56)),
      mm1: hexBytes(out.subarray(o + 56, o + 64)),
      eax: outView.getUint32(o + 64, true),
      ecx: outView.getUint32(o + 68, true),
      mxcsr: outView.getUint32(o, true),
      eflags: outView.getUint32(o + 72, true),
      mem: hexBytes(out.subarray(o + 80, o + 96)),
      xm: outView.getUint32(o + SLOT_VECTOR, true) === 19,
      vector: outView.getUint32(o + SLOT_VECTOR, true),
    };
  });
}

/** |relative error| <= 1.5 * 2^-12 in every float32 lane (RCP/RSQRT approximations). */
function approximatelyEqual(host: string, ours: string): boolean {
  const h = Buffer.from(host, 'hex');
  const o = Buffer.from(ours, 'hex');
  for (let k = 0; k < h.length; k += 4) {
    const hb = h.readUInt32LE(k);
    const ob = o.readUInt32LE(k);
    if (hb === ob) continue;
    const hv = h.readFloatLE(k);
    const ov = o.readFloatLE(k);
    if (!Number.isFinite(hv) || !Number.isFinite(ov) || hv === 0 || ov === 0) return false;
    if (Math.abs(ov - hv) / Math.abs(hv) > 1.5 * 2 ** -12 * 1.001) return false;
  }
  return true;
}

/**
 * The fields where `ours` differs from `host` ('' when they agree). EFLAGS is compared
 * (ZF PF CF OF SF AF) only for the instructions that write it; RCP/RSQRT results only
 * within the architectural error bound, since the hardware's tables are its own.
 */
export function differences(name: string, host: SimdState, ours: SimdState): string {
  const out: string[] = [];
  const approx = name.startsWith('rcp') || name.startsWith('rsqrt');
  for (const field of ['xmm0', 'xmm1', 'mm0', 'mm1', 'mem'] as const) {
    const same = approx
      ? approximatelyEqual(host[field], ours[field])
      : host[field] === ours[field];
    if (!same) out.push(`${field} host ${host[field]} ours ${ours[field]}`);
  }
  for (const field of ['eax', 'ecx', 'mxcsr'] as const) {
    if (host[field] !== ours[field])
      out.push(`${field} host ${hex32(host[field])} ours ${hex32(ours[field])}`);
  }
  if (host.xm !== ours.xm || (ours.vector !== undefined && ours.vector !== 0 && !ours.xm))
    out.push(
      `exception host ${host.xm ? '#XM' : 'none'} ours ${ours.vector ? `vector ${ours.vector}` : 'none'}`,
    );
  // (After #XM the flags are whatever they were before: not comparable.)
  if (name.includes('comis') && !host.xm && (host.eflags & 0x8d5) !== (ours.eflags & 0x8d5))
    out.push(`eflags host ${hex32(host.eflags & 0x8d5)} ours ${hex32(ours.eflags & 0x8d5)}`);
  return out.join('; ');
}
