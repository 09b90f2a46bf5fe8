/**
 * The slice of the Linux i386 user ABI the test process sees (an x86-64 kernel running an
 * ia32 program): system call numbers and errors, signal numbers and flags, the rt signal
 * frame's layout, and which signal each CPU exception becomes (arch/x86/kernel/traps.c and
 * fault.c).
 */
import { SIGNAL_NUMBERS } from '../state.js';

/** i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
export const Syscall = {
  exit: 1,
  write: 4,
  rt_sigreturn: 173,
  rt_sigaction: 174,
  sigaltstack: 186,
  exit_group: 252,
} as const;

/** Negated errno values a system call returns. */
export const Errno = {
  EPERM: 1,
  EBADF: 9,
  ENOMEM: 12,
  EFAULT: 14,
  EINVAL: 22,
  ENOSYS: 38,
} as const;

export const { SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV } = SIGNAL_NUMBERS;
export const SIGKILL = 9;
export const SIGSTOP = 19;
/** Highest signal number (rt signals included). */
export const NSIG = 64;

/** sigaction sa_flags. */
export const SA_SIGINFO = 0x00000004;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTORER = 0x04000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;

/** sigaltstack ss_flags. */
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
/** The smallest alternate stack sigaltstack accepts on i386. */
export const MINSIGSTKSZ = 2048;

/** siginfo si_code values. */
export const SiCode = {
  /** Sent by the kernel for a reason with no finer code (#GP, #BP, #OF, #BR, #SS, #NP). */
  SI_KERNEL: 0x80,
  FPE_INTDIV: 1,
  FPE_FLTDIV: 3,
  FPE_FLTOVF: 4,
  FPE_FLTUND: 5,
  FPE_FLTRES: 6,
  FPE_FLTINV: 7,
  ILL_ILLOPN: 2,
  SEGV_MAPERR: 1,
  SEGV_ACCERR: 2,
  BUS_ADRALN: 1,
  TRAP_BRKPT: 1,
} as const;

/**
 * struct rt_sigframe_ia32 (arch/x86/include/asm/sigframe.h): what the handler finds at its
 * ESP. Offsets in bytes.
 */
export const RtSigframe = {
  pretcode: 0,
  sig: 4,
  pinfo: 8,
  puc: 12,
  /** compat_siginfo_t, 128 bytes: si_signo +0, si_errno +4, si_code +8, si_addr +12. */
  info: 16,
  /** struct ucontext_ia32. */
  uc: 144,
  /** 8 bytes of legacy return code (`mov eax, 173; int 0x80`), for debuggers. */
  retcode: 260,
  size: 268,
} as const;

export const SIGINFO_SIZE = 128;

/** struct ucontext_ia32 offsets. */
export const Ucontext = {
  flags: 0,
  link: 4,
  stackSp: 8,
  stackFlags: 12,
  stackSize: 16,
  /** struct sigcontext_32 (see SigContext). */
  mcontext: 20,
  /** The blocked mask to restore, 64 bits. */
  sigmask: 108,
  size: 116,
} as const;

/** struct sigcontext_32 offsets (arch/x86/include/uapi/asm/sigcontext.h). */
export const SigContext = {
  gs: 0,
  fs: 4,
  es: 8,
  ds: 12,
  edi: 16,
  esi: 20,
  ebp: 24,
  esp: 28,
  ebx: 32,
  edx: 36,
  ecx: 40,
  eax: 44,
  trapno: 48,
  err: 52,
  eip: 56,
  cs: 60,
  eflags: 64,
  espAtSignal: 68,
  ss: 72,
  fpstate: 76,
  oldmask: 80,
  cr2: 84,
  size: 88,
} as const;

/** The general registers' sigcontext slots in encoding order (EAX..EDI). */
export const SIGCONTEXT_REGS = [
  SigContext.eax,
  SigContext.ecx,
  SigContext.edx,
  SigContext.ebx,
  SigContext.esp,
  SigContext.ebp,
  SigContext.esi,
  SigContext.edi,
] as const;

/** The EFLAGS bits rt_sigreturn restores (FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF). */
export const SIGRETURN_EFLAGS =
  0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
/** What signal delivery clears in EFLAGS: DF, TF and RF. */
export const SIGNAL_ENTRY_CLEARS = 0x400 | 0x100 | 0x10000;

/** The signal an exception raises in user mode, with siginfo's code and address. */
export interface SignalInfo {
  readonly signal: number;
  readonly code: number;
  readonly address: number;
}

/** #PF error code bit P: the page was present (a protection fault). */
const PF_PRESENT = 1;

/**
 * The signal Linux sends for exception `vector` taken in user mode (traps.c `do_error_trap`
 * and friends, fault.c for #PF). `eip` is the EIP the exception reported (after the
 * instruction for the traps INT3 and INTO), `cr2` the faulting address of a #PF.
 */
export function signalForException(
  vector: number,
  errorCode: number,
  eip: number,
  cr2: number,
): SignalInfo {
  const kernel = (signal: number): SignalInfo => ({
    signal,
    code: SiCode.SI_KERNEL,
    address: 0,
  });
  switch (vector) {
    case 0: // #DE
      return { signal: SIGFPE, code: SiCode.FPE_INTDIV, address: eip };
    case 1: // #DB (INT1, single step)
      return { signal: SIGTRAP, code: SiCode.TRAP_BRKPT, address: eip };
    case 3: // #BP
      return kernel(SIGTRAP);
    case 4: // #OF: INTO with OF set
    case 5: // #BR: BOUND out of range (SIGSEGV since the MPX code went away)
    case 13: // #GP
      return kernel(SIGSEGV);
    case 6: // #UD
      return { signal: SIGILL, code: SiCode.ILL_ILLOPN, address: eip };
    case 11: // #NP
    case 12: // #SS
      return kernel(SIGBUS);
    case 14: // #PF
      return {
        signal: SIGSEGV,
        code: errorCode & PF_PRESENT ? SiCode.SEGV_ACCERR : SiCode.SEGV_MAPERR,
        address: cr2,
      };
    case 16: // #MF: the kernel sets the code from the x87 status (fpstate.ts)
    case 19: // #XM: from MXCSR
      return { signal: SIGFPE, code: 0, address: eip };
    case 17: // #AC
      return { signal: SIGBUS, code: SiCode.BUS_ADRALN, address: 0 };
    default:
      // #NM, #DF, #TS, #MC and reserved vectors never reach a Linux process as a signal;
      // SIGSEGV makes them visible as a mismatch rather than a crash of the harness.
      return kernel(SIGSEGV);
  }
}

/**
 * The IDT gates a user program may reach with INT n (DPL 3): #BP, #OF and the system call
 * vector, as Linux sets them (arch/x86/kernel/idt.c). INT n to any other vector is #GP.
 */
export const USER_GATES: ReadonlySet<number> = new Set([3, 4, 0x80]);
export const SYSCALL_VECTOR = 0x80;

/** Exceptions that push an error code (Intel SDM vol. 3, table 6-1). */
export const ERROR_CODE_VECTORS: ReadonlySet<number> = new Set([8, 10, 11, 12, 13, 14, 17]);
