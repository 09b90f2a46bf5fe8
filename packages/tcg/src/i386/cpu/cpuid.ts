/**
 * CPUID for a qemu32-like CPU (family 6, model 6, stepping 3, "GenuineIntel"), reporting
 * only what this CPU implements.
 */

/** CPUID.01H:EDX feature bits. */
export const CPUID_FPU = 1 << 0;
export const CPUID_VME = 1 << 1;
export const CPUID_DE = 1 << 2;
export const CPUID_PSE = 1 << 3;
export const CPUID_TSC = 1 << 4;
export const CPUID_MSR = 1 << 5;
export const CPUID_PAE = 1 << 6;
export const CPUID_MCE = 1 << 7;
export const CPUID_CX8 = 1 << 8;
export const CPUID_APIC = 1 << 9;
export const CPUID_SEP = 1 << 11;
export const CPUID_MTRR = 1 << 12;
export const CPUID_PGE = 1 << 13;
export const CPUID_MCA = 1 << 14;
export const CPUID_CMOV = 1 << 15;
export const CPUID_PAT = 1 << 16;
export const CPUID_MMX = 1 << 23;
export const CPUID_FXSR = 1 << 24;
export const CPUID_SSE = 1 << 25;
export const CPUID_SSE2 = 1 << 26;

/** CPUID.80000001H:EDX: execute disable (the NX/XD bit of PAE page tables, EFER.NXE). */
export const CPUID_EXT2_NX = 1 << 20;

/** Feature names in /proc/cpuinfo order, for messages and docs. */
export const CPUID_EDX_NAMES: readonly string[] = [
  'fpu',
  'vme',
  'de',
  'pse',
  'tsc',
  'msr',
  'pae',
  'mce',
  'cx8',
  'apic',
  '',
  'sep',
  'mtrr',
  'pge',
  'mca',
  'cmov',
  'pat',
  'pse36',
  'pn',
  'clflush',
  '',
  'ds',
  'acpi',
  'mmx',
  'fxsr',
  'sse',
  'sse2',
  'ss',
  'ht',
  'tm',
  'ia64',
  'pbe',
];

export interface CpuModel {
  vendor: string;
  family: number;
  model: number;
  stepping: number;
  /** CPUID.01H:EDX. */
  featuresEdx: number;
  /** CPUID.01H:ECX. */
  featuresEcx: number;
  /** CPUID.80000001H:EDX (only NX is implemented). Default 0. */
  featuresExtEdx?: number;
  /** Up to 48 characters. */
  brand: string;
}

/**
 * What this CPU really implements: the x87 FPU, MMX, FXSAVE/FXRSTOR, SSE and SSE2 (as QEMU's
 * qemu32), no SSE3 and no MCA banks. `apic` is claimed only when the machine attaches a
 * local APIC. VME is implemented but, as in QEMU's qemu32 model, not claimed (a model with
 * CPUID_VME makes CR4.VME/PVI writable).
 */
export const HONEST_EDX =
  CPUID_FPU |
  CPUID_DE |
  CPUID_PSE |
  CPUID_TSC |
  CPUID_MSR |
  CPUID_PAE |
  CPUID_MCE |
  CPUID_CX8 |
  CPUID_SEP |
  CPUID_MTRR |
  CPUID_PGE |
  CPUID_CMOV |
  CPUID_PAT |
  CPUID_MMX |
  CPUID_FXSR |
  CPUID_SSE |
  CPUID_SSE2;

export function qemu32Model(withApic: boolean): CpuModel {
  return {
    vendor: 'GenuineIntel',
    family: 6,
    model: 6,
    stepping: 3,
    featuresEdx: HONEST_EDX | (withApic ? CPUID_APIC : 0),
    featuresEcx: 0,
    // qemu32 claims no extended features; NX is claimed anyway because PAE kernels use it
    // when present and the page walk implements it (see docs/i386-system.md).
    featuresExtEdx: CPUID_EXT2_NX,
    brand: 'QEMU Virtual CPU version 2.5+',
  };
}

/** The family/model/stepping signature (CPUID.01H:EAX, and EDX after reset). */
export function cpuSignature(m: CpuModel): number {
  const family = Math.min(m.family, 0xf);
  const extFamily = m.family > 0xf ? m.family - 0xf : 0;
  return (
    ((extFamily << 20) |
      ((m.model >> 4) << 16) |
      (family << 8) |
      ((m.model & 0xf) << 4) |
      m.stepping) >>>
    0
  );
}

function stringDwords(s: string, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let k = 0; k < 4; k++) v |= (s.charCodeAt(i * 4 + k) & 0xff || 0) << (8 * k);
    out.push(v >>> 0);
  }
  return out;
}

/** The four registers CPUID returns for leaf `eax` (sub-leaf `ecx`). */
export function cpuidLeaf(
  m: CpuModel,
  eax: number,
  apicId: number,
): [number, number, number, number] {
  const leaf = eax >>> 0;
  const [v0, v1, v2] = stringDwords(m.vendor.padEnd(12, ' '), 3);
  const maxBasic = 2;
  const maxExtended = 0x80000004;
  if (leaf >= 0x80000000) {
    if (leaf > maxExtended) return cpuidLeaf(m, maxBasic, apicId);
    if (leaf === 0x80000000) return [maxExtended, v0, v2, v1];
    if (leaf === 0x80000001) return [cpuSignature(m), 0, 0, (m.featuresExtEdx ?? 0) >>> 0];
    const brand = stringDwords(m.brand.padEnd(48, '\0'), 12);
    const k = (leaf - 0x80000002) * 4;
    return [brand[k], brand[k + 1], brand[k + 2], brand[k + 3]];
  }
  // Leaves above the maximum return the highest basic leaf (Intel's rule).
  const l = Math.min(leaf, maxBasic);
  switch (l) {
    case 0:
      return [maxBasic, v0, v2, v1];
    case 1:
      // EBX: initial APIC ID in bits 24-31 (no CLFLUSH, so no line size).
      return [
        cpuSignature(m),
        ((apicId & 0xff) << 24) >>> 0,
        m.featuresEcx >>> 0,
        m.featuresEdx >>> 0,
      ];
    default:
      // Leaf 2: one iteration, no cache or TLB descriptors.
      return [1, 0, 0, 0];
  }
}
