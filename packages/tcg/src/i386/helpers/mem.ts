import { MO_8, MO_16, MO_32 } from '../../core/ir/opcodes.js';
import { MMU_KERNEL_IDX } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';

/**
 * Guest memory accesses from helpers (QEMU's cpu_ld*_kernel / cpu_ld*_data). They go
 * through the softmmu TLB, so a miss walks the page tables and a fault unwinds to
 * cpu_exec like one from generated code. Linear addresses, results unsigned.
 */
export function ldubKernel(cpu: X86Cpu, addr: number): number {
  return cpu.tlb.load(addr | 0, MO_8, MMU_KERNEL_IDX) & 0xff;
}
export function lduwKernel(cpu: X86Cpu, addr: number): number {
  return cpu.tlb.load(addr | 0, MO_16, MMU_KERNEL_IDX) & 0xffff;
}
export function ldlKernel(cpu: X86Cpu, addr: number): number {
  return cpu.tlb.load(addr | 0, MO_32, MMU_KERNEL_IDX) >>> 0;
}
export function stbKernel(cpu: X86Cpu, addr: number, v: number): void {
  cpu.tlb.store(addr | 0, v & 0xff, MO_8, MMU_KERNEL_IDX);
}
export function stwKernel(cpu: X86Cpu, addr: number, v: number): void {
  cpu.tlb.store(addr | 0, v & 0xffff, MO_16, MMU_KERNEL_IDX);
}
export function stlKernel(cpu: X86Cpu, addr: number, v: number): void {
  cpu.tlb.store(addr | 0, v | 0, MO_32, MMU_KERNEL_IDX);
}

/** Accesses at the current privilege level (QEMU's cpu_ld*_data). */
export function lduwData(cpu: X86Cpu, addr: number): number {
  return cpu.tlb.load(addr | 0, MO_16, cpu.mmuIndex()) & 0xffff;
}
export function ldlData(cpu: X86Cpu, addr: number): number {
  return cpu.tlb.load(addr | 0, MO_32, cpu.mmuIndex()) >>> 0;
}
export function stwData(cpu: X86Cpu, addr: number, v: number): void {
  cpu.tlb.store(addr | 0, v & 0xffff, MO_16, cpu.mmuIndex());
}
export function stlData(cpu: X86Cpu, addr: number, v: number): void {
  cpu.tlb.store(addr | 0, v | 0, MO_32, cpu.mmuIndex());
}
