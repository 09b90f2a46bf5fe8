/**
 * Architectural constants of the i386: EFLAGS, control registers, the translation flags
 * (QEMU's hflags), exception vectors and MSR numbers.
 */

/** EFLAGS bits. */
export const CC_C = 0x0001;
export const CC_P = 0x0004;
export const CC_A = 0x0010;
export const CC_Z = 0x0040;
export const CC_S = 0x0080;
export const CC_O = 0x0800;
/** The six arithmetic flags, kept lazily in cc_op/cc_src/cc_dst/cc_src2. */
export const CC_MASK = CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O;

export const TF_MASK = 0x0100;
export const IF_MASK = 0x0200;
export const DF_MASK = 0x0400;
export const IOPL_MASK = 0x3000;
export const IOPL_SHIFT = 12;
export const NT_MASK = 0x4000;
export const RF_MASK = 0x10000;
export const VM_MASK = 0x20000;
export const AC_MASK = 0x40000;
export const VIF_MASK = 0x80000;
export const VIP_MASK = 0x100000;
export const ID_MASK = 0x200000;
/** Bit 1 of EFLAGS always reads as one. */
export const EFLAGS_FIXED = 0x0002;

/** CR0 bits. */
export const CR0_PE = 1 << 0;
export const CR0_MP = 1 << 1;
export const CR0_EM = 1 << 2;
export const CR0_TS = 1 << 3;
export const CR0_ET = 1 << 4;
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR0_AM = 1 << 18;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;

/** CR4 bits. */
export const CR4_VME = 1 << 0;
export const CR4_PVI = 1 << 1;
export const CR4_TSD = 1 << 2;
export const CR4_DE = 1 << 3;
export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_MCE = 1 << 6;
export const CR4_PGE = 1 << 7;
export const CR4_PCE = 1 << 8;
export const CR4_OSFXSR = 1 << 9;
export const CR4_OSXMMEXCPT = 1 << 10;

/** DR6/DR7 fixed bits and the single-step status bit. */
export const DR6_FIXED_1 = 0xffff0ff0 | 0;
/** DR6: B0-B3, which breakpoint conditions were met. */
export const DR6_B_MASK = 0xf;
/** DR6.BD: the next instruction accesses a debug register while DR7.GD is set. */
export const DR6_BD = 1 << 13;
export const DR6_BS = 1 << 14;
/** DR6.BT: a task switch to a TSS whose T bit is set. */
export const DR6_BT = 1 << 15;
export const DR7_FIXED_1 = 0x00000400;
/** DR7.GD: general detect, MOV to or from a debug register raises #DB. */
export const DR7_GD = 1 << 13;
/** DR7 L0-L3 (the local enables, cleared by a task switch) and LE. */
export const DR7_LOCAL_MASK = 0x155;
/** DR7 RW field values (bits 16+4n): execute, write, I/O read/write (CR4.DE), read/write. */
export const DR7_TYPE_EXEC = 0;
export const DR7_TYPE_WRITE = 1;
export const DR7_TYPE_IO = 2;
export const DR7_TYPE_RW = 3;

/** EFER bits that exist on this 32-bit CPU. */
export const EFER_SCE = 1 << 0;
export const EFER_NXE = 1 << 11;

/**
 * Hidden flags (QEMU's hflags): what the translator needs to know about the CPU mode.
 * The TB flags are these, plus the EFLAGS bits in TB_EFLAGS_MASK at their own positions.
 */
export const HF_CPL_MASK = 3;
/** The interrupt shadow after STI, MOV SS, POP SS: no interrupt before the next instruction ends. */
export const HF_INHIBIT_IRQ = 1 << 3;
/** CS.D: 32-bit code. */
export const HF_CS32 = 1 << 4;
/** SS.B: 32-bit stack pointer. */
export const HF_SS32 = 1 << 5;
/** Segment bases of DS/ES/SS must be added (not a flat 32-bit protected-mode setup). */
export const HF_ADDSEG = 1 << 6;
/** CR0.PE */
export const HF_PE = 1 << 7;
/** EFLAGS.TF (same bit as in EFLAGS). */
export const HF_TF = 1 << 8;
export const HF_MP = 1 << 9;
export const HF_EM = 1 << 10;
export const HF_TS = 1 << 11;
/** EFLAGS.IOPL (same bits as in EFLAGS). */
export const HF_IOPL_MASK = 3 << 12;
/** EFLAGS.VM (same bit). */
export const HF_VM = 1 << 17;
/** EFLAGS.AC (same bit). */
export const HF_AC = 1 << 18;
/** CR4.OSFXSR */
export const HF_OSFXSR = 1 << 22;
/** An I/O breakpoint is enabled (DR7 RW=10 with CR4.DE): IN/OUT/INS/OUTS call a check. */
export const HF_IOBPT = 1 << 2;
/** CR4.VME: CLI/STI/PUSHF/POPF/IRET/INT n act on VIF in virtual-8086 mode when IOPL < 3. */
export const HF_VME = 1 << 14;
/** CR4.PVI: CLI/STI act on VIF in protected mode at CPL 3 when IOPL < 3. */
export const HF_PVI = 1 << 15;
/** EFLAGS.RF (same bit): instruction breakpoints are suppressed for one instruction. */
export const HF_RF = 1 << 16;
/**
 * TB flags only (never in hflags): an enabled instruction breakpoint lies on the page of the
 * TB's first instruction or on the next page. Such TBs hold one instruction, which starts
 * with a breakpoint check (QEMU's CF_BP_PAGE idea, computed by getTbCpuState).
 */
export const TBF_BP_PAGE = 1 << 19;
/**
 * Accesses through segment register n (ES..GS) need a limit/type check: the segment is not
 * a present, writable, expand-up data segment with a 4 GiB limit (protected mode) or an
 * expand-up segment with a 4 GiB limit (real and virtual-8086 mode). Bits 24-29.
 */
export const HF_SEGCHK_SHIFT = 24;
export const HF_SEGCHK_MASK = 0x3f << HF_SEGCHK_SHIFT;
/** Translation-time hint: the TB runs one instruction, then raises #DB (EFLAGS.TF). */
export const TB_EFLAGS_MASK = TF_MASK | IOPL_MASK | RF_MASK | VM_MASK | AC_MASK;

/** hflags2: NMI blocking (until the next IRET). */
export const HF2_NMI = 1 << 0;

/** Exception vectors. */
export const EXCP00_DIVZ = 0;
export const EXCP01_DB = 1;
export const EXCP02_NMI = 2;
export const EXCP03_INT3 = 3;
export const EXCP04_INTO = 4;
export const EXCP05_BOUND = 5;
export const EXCP06_ILLOP = 6;
export const EXCP07_PREX = 7;
export const EXCP08_DBLE = 8;
export const EXCP09_XERR = 9;
export const EXCP0A_TSS = 10;
export const EXCP0B_NOSEG = 11;
export const EXCP0C_STACK = 12;
export const EXCP0D_GPF = 13;
export const EXCP0E_PAGE = 14;
export const EXCP10_COPR = 16;
export const EXCP11_ALGN = 17;
export const EXCP12_MCHK = 18;

/**
 * cpu_exec exit codes of this frontend (>= EXCP_INTERRUPT, so cpu_exec returns them).
 * A triple fault or a reset requested by the CPU itself.
 */
export const EXCP_RESET_REQUEST = 0x10100;
/** The CPU entered shutdown (triple fault with shutdown-on-triple-fault semantics). */
export const EXCP_SHUTDOWN_REQUEST = 0x10101;

/** Segment register numbers (encoding order) plus the two system segments. */
export const R_ES = 0;
export const R_CS = 1;
export const R_SS = 2;
export const R_DS = 3;
export const R_FS = 4;
export const R_GS = 5;
export const R_LDTR = 6;
export const R_TR = 7;

/** General register numbers. */
export const R_EAX = 0;
export const R_ECX = 1;
export const R_EDX = 2;
export const R_EBX = 3;
export const R_ESP = 4;
export const R_EBP = 5;
export const R_ESI = 6;
export const R_EDI = 7;

/** Model-specific registers. */
export const MSR_IA32_TSC = 0x10;
export const MSR_IA32_APICBASE = 0x1b;
export const MSR_MTRRcap = 0xfe;
export const MSR_IA32_SYSENTER_CS = 0x174;
export const MSR_IA32_SYSENTER_ESP = 0x175;
export const MSR_IA32_SYSENTER_EIP = 0x176;
export const MSR_MCG_CAP = 0x179;
export const MSR_MCG_STATUS = 0x17a;
export const MSR_IA32_MISC_ENABLE = 0x1a0;
export const MSR_MTRRphysBase0 = 0x200;
export const MSR_MTRRphysMask7 = 0x20f;
export const MSR_MTRRfix64K_00000 = 0x250;
export const MSR_MTRRfix16K_80000 = 0x258;
export const MSR_MTRRfix16K_A0000 = 0x259;
export const MSR_MTRRfix4K_C0000 = 0x268;
export const MSR_MTRRfix4K_F8000 = 0x26f;
export const MSR_PAT = 0x277;
export const MSR_MTRRdefType = 0x2ff;
export const MSR_EFER = 0xc0000080;

/** IA32_APIC_BASE bits. */
export const APICBASE_BSP = 1 << 8;
export const APICBASE_ENABLE = 1 << 11;
export const APIC_DEFAULT_ADDRESS = 0xfee00000;

/** IA32_MISC_ENABLE reset value: fast strings enabled (as QEMU). */
export const MISC_ENABLE_DEFAULT = 1;
/** MTRRcap: 8 variable ranges, fixed ranges, write-combining. */
export const MTRRCAP_VALUE = 0x508;
/** PAT reset value, as two halves. */
export const PAT_RESET_LO = 0x00070406;
export const PAT_RESET_HI = 0x00070406;
