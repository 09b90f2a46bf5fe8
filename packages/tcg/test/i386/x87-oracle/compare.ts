/**
 * Comparing the emulator's answer for a case with the host's: the FNSAVE image (FCW, FSW,
 * FTW and the eight registers; the instruction and data pointers are host addresses and
 * are left out), EFLAGS' arithmetic flags, EAX and the memory operand. Transcendentals
 * ("close" forms) may differ by one unit in the last place and in C1.
 */
import type { X87Case } from './cases.js';
import { type HostResult, toHex } from './host.js';

/** Byte ranges of pointer fields in an FNSTENV/FNSAVE image written to memory. */
function pointerBytes(c: X87Case): [number, number] | null {
  if (!/^fn(stenv|save)/.test(c.form.name)) return null;
  return c.form.name.includes('(16)') ? [6, 14] : [12, 28];
}

/** |a - b| as 80-bit patterns (sign/exponent then significand) is at most one. */
function withinOneUlp(a: Uint8Array, b: Uint8Array, offset: number): boolean {
  const value = (x: Uint8Array) => {
    let v = 0n;
    for (let i = 9; i >= 0; i--) v = (v << 8n) | BigInt(x[offset + i]);
    return v;
  };
  const d = value(a) - value(b);
  return d >= -1n && d <= 1n;
}

/** Why the two answers differ, or null when they agree. */
export function compareResults(c: X87Case, host: HostResult, ours: HostResult): string | null {
  const close = c.form.close === true;
  const problems: string[] = [];
  for (let i = 0; i < 12; i++) {
    let h = host.image[i];
    let o = ours.image[i];
    if (close && i === 5) {
      h &= ~0x02;
      o &= ~0x02;
    }
    if (h !== o) {
      problems.push('control/status/tag words');
      break;
    }
  }
  for (let r = 0; r < 8; r++) {
    const at = 28 + 10 * r;
    const same = close
      ? withinOneUlp(host.image, ours.image, at)
      : toHex(host.image.subarray(at, at + 10)) === toHex(ours.image.subarray(at, at + 10));
    if (!same) problems.push(`ST(${r})`);
  }
  if ((host.eflags & 0x8d5) !== (ours.eflags & 0x8d5)) problems.push('EFLAGS');
  if (host.eax !== ours.eax) problems.push('EAX');
  const skip = pointerBytes(c);
  for (let i = 0; i < 128; i++) {
    if (skip && i >= skip[0] && i < skip[1]) continue;
    if (host.memory[i] !== ours.memory[i]) {
      problems.push(`memory byte ${i}`);
      break;
    }
  }
  return problems.length ? problems.join(', ') : null;
}

function x80(image: Uint8Array, offset: number): string {
  let s = '';
  for (let i = 9; i >= 0; i--) s += image[offset + i].toString(16).padStart(2, '0');
  return s;
}

function words(image: Uint8Array): string {
  const w = (o: number) => (image[o] | (image[o + 1] << 8)).toString(16).padStart(4, '0');
  return `FCW=${w(0)} FSW=${w(4)} FTW=${w(8)}`;
}

/** A readable account of a case and both answers. */
export function describeCase(c: X87Case, host: HostResult, ours: HostResult): string {
  const regs = (image: Uint8Array) =>
    Array.from({ length: 8 }, (_, r) => `ST${r}=${x80(image, 28 + 10 * r)}`).join(' ');
  return [
    `${c.form.name} [${toHex(c.insn)}]${c.pre.length ? ` after EFLAGS=${toHex(c.pre.slice(1, 3))}` : ''}`,
    `  in:   ${words(c.state)} ${regs(c.state)} mem=${toHex(c.memory.subarray(0, 16))}`,
    `  host: ${words(host.image)} ${regs(host.image)} efl=${(host.eflags & 0x8d5).toString(16)} eax=${host.eax.toString(16)} mem=${toHex(host.memory.subarray(0, 16))}`,
    `  ours: ${words(ours.image)} ${regs(ours.image)} efl=${(ours.eflags & 0x8d5).toString(16)} eax=${ours.eax.toString(16)} mem=${toHex(ours.memory.subarray(0, 16))}`,
  ].join('\n');
}
