import { describe, expect, it } from 'vitest';
import { TestMemory } from '../../core/testing/test-memory.js';
import { CC_OP_SUBB, ccComputeAll, ccOpFor, ccOpName } from './cc-helper.js';
import { CPUID_APIC, CPUID_FPU, cpuidLeaf, cpuSignature, qemu32Model } from './cpuid.js';
import { X86Cpu } from './x86-cpu.js';

describe('CPUID', () => {
  it('reports a qemu32-like CPU and only the features that exist', () => {
    const m = qemu32Model(false);
    expect(cpuSignature(m)).toBe(0x663);
    const [max, b, c, d] = cpuidLeaf(m, 0, 0);
    expect(max).toBe(2);
    const vendor = [b, d, c]
      .map((v) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24))
      .join('');
    expect(vendor).toBe('GenuineIntel');
    const [, , , edx] = cpuidLeaf(m, 1, 0);
    expect(edx & CPUID_FPU).toBe(CPUID_FPU);
    expect(edx & CPUID_APIC).toBe(0);
    expect(cpuidLeaf(qemu32Model(true), 1, 3)[3] & CPUID_APIC).toBe(CPUID_APIC);
    expect(cpuidLeaf(m, 1, 3)[1] >>> 24).toBe(3);
    const brand = [2, 3, 4]
      .flatMap((k) => cpuidLeaf(m, 0x80000000 + k, 0))
      .map((v) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24))
      .join('')
      .replace(/\0+$/, '');
    expect(brand).toBe('QEMU Virtual CPU version 2.5+');
    // Above the maximum: the highest basic leaf.
    expect(cpuidLeaf(m, 7, 0)).toEqual(cpuidLeaf(m, 2, 0));
  });
});

describe('lazy flags', () => {
  it('computes the flags of a CMP from its result and operand', () => {
    // cmp 3, 5: result 0xfffffffe, CF SF AF.
    expect(ccComputeAll(ccOpFor(CC_OP_SUBB, 4), -2, 5, 0)).toBe(0x91);
    // cmp al 0x80, 1: 0x7f, OF AF.
    expect(ccComputeAll(ccOpFor(CC_OP_SUBB, 1), 0x7f, 1, 0)).toBe(0x810);
    expect(ccOpName(ccOpFor(CC_OP_SUBB, 2))).toBe('SUBW');
  });
});

describe('X86Cpu', () => {
  it('keeps a 64-bit TSC that starts at 0 on RESET and that WRMSR can set', () => {
    let ns = 1_000;
    const cpu = new X86Cpu({ memory: new TestMemory({ ramSize: 4096 }), clockNs: () => ns });
    expect(cpu.readTsc()).toEqual([0, 0]);
    ns += 500;
    expect(cpu.readTsc()).toEqual([500, 0]);
    cpu.writeTsc(0xfffffff0, 1);
    ns += 0x20;
    expect(cpu.readTsc()).toEqual([0x10, 2]);
  });

  it('computes EFLAGS from the lazy state and loads it back', () => {
    const cpu = new X86Cpu({ memory: new TestMemory({ ramSize: 4096 }) });
    cpu.loadEflags(0x8d5 | 0x400 | 0x200, 0x200);
    expect(cpu.eflags).toBe(0x8d5 | 0x400 | 0x200 | 2);
    expect(cpu.dumpState()).toContain('EFL=00000ed7 [DOSZAPC]');
  });
});
