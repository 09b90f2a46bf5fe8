/**
 * The host side of the test machine's kernel: what Linux does for a static i386 program that
 * writes to stdout, installs signal handlers on an alternate stack and exits. The CPU enters
 * it through the IDT (machine.ts) with the interrupted user state in a UserContext; it handles
 * `int 0x80` system calls and turns exceptions into signals with Linux's ia32 rt signal
 * frame, so the same program runs here as on the host processor.
 */

import {
  FPSTATE_HEADER_SIZE,
  FXSAVE_SIZE,
  fpstateAddress,
  fpuExceptionCode,
  initialFxsaveImage,
  restoredFxsaveImage,
  signalFpstate,
} from './fpstate.js';
import {
  Errno,
  MINSIGSTKSZ,
  NSIG,
  RtSigframe,
  SA_NODEFER,
  SA_ONSTACK,
  SA_RESETHAND,
  SA_RESTORER,
  SIGCONTEXT_REGS,
  SIGKILL,
  SIGNAL_ENTRY_CLEARS,
  SIGRETURN_EFLAGS,
  SIGSEGV,
  SIGSTOP,
  SigContext,
  type SignalInfo,
  SS_DISABLE,
  SS_ONSTACK,
  Syscall,
  signalForException,
  Ucontext,
} from './linux-abi.js';
import type { ProcessMemory } from './process-memory.js';

/**
 * The user's x87/MMX/SSE state at a kernel entry, as a 512-byte FXSAVE image: the machine's
 * IDT stubs save it on entry and load it again on the way out.
 */
export interface FpuStateAccess {
  read(): Uint8Array;
  write(image: Uint8Array): void;
}

/** The user state at a kernel entry; the kernel changes it, the machine writes it back. */
export interface UserContext {
  /** EAX..EDI in encoding order; ESP is the user stack pointer. */
  readonly regs: number[];
  eip: number;
  eflags: number;
  /** Selectors, for the signal frame. */
  readonly cs: number;
  readonly ss: number;
  readonly ds: number;
  readonly es: number;
  readonly fs: number;
  readonly gs: number;
}

interface SigAction {
  readonly handler: number;
  readonly flags: number;
  readonly restorer: number;
  readonly mask: bigint;
}

/** SIG_DFL and SIG_IGN, as handler values. */
const SIG_DFL = 0;
const SIG_IGN = 1;

const EAX = 0;
const ECX = 1;
const EDX = 2;
const EBX = 3;
const ESP = 4;
const ESI = 6;

/** Byte offsets of struct sigaction (compat i386 kernel ABI) and stack_t. */
const SIGACTION_SIZE = 20;
const STACK_T_SIZE = 12;

/** How the process ended. */
export type ProcessEnd =
  | { readonly kind: 'exited'; readonly status: number }
  | { readonly kind: 'killed'; readonly signal: number };

function bit(signal: number): bigint {
  return 1n << BigInt(signal - 1);
}

export class LinuxKernel {
  /** What the process wrote to stdout (fd 1) and stderr (fd 2), in order. */
  readonly stdout: Uint8Array[] = [];
  readonly stderr: Uint8Array[] = [];
  /** Set when the process has ended; the machine stops running it. */
  end: ProcessEnd | null = null;

  private readonly actions = new Map<number, SigAction>();
  private blocked = 0n;
  private altStack = { sp: 0, size: 0, flags: SS_DISABLE };
  /** The last page fault's address (Linux's thread.cr2, reported in every sigcontext). */
  private lastFaultAddress = 0;

  constructor(
    private readonly memory: ProcessMemory,
    private readonly fpu: FpuStateAccess,
  ) {}

  /** `int 0x80`: the call number in EAX, arguments in EBX ECX EDX ESI EDI, result in EAX. */
  syscall(ctx: UserContext): void {
    const r = ctx.regs;
    const result = this.dispatch(
      ctx,
      r[EAX] as number,
      r[EBX] as number,
      r[ECX] as number,
      r[EDX] as number,
      r[ESI] as number,
    );
    if (result !== undefined) r[EAX] = result >>> 0;
  }

  /**
   * A CPU exception taken in user mode: the signal Linux would send, delivered to its
   * handler (or the process killed, as the default action of every signal involved).
   */
  exception(ctx: UserContext, vector: number, errorCode: number, cr2: number): void {
    if (vector === 14) this.lastFaultAddress = cr2 >>> 0;
    let info = signalForException(vector, errorCode, ctx.eip, cr2 >>> 0);
    // #MF and #XM: the code says which unmasked exception it was. (Linux ignores a spurious
    // one, with no unmasked exception flag set, and retries the instruction; here it is
    // delivered with code 0, as retrying would loop for ever on a CPU that raised it wrongly.)
    if (vector === 16 || vector === 19)
      info = { ...info, code: fpuExceptionCode(vector, this.fpu.read()) };
    this.forceSignal(ctx, info, vector, errorCode);
  }

  private dispatch(
    ctx: UserContext,
    nr: number,
    a: number,
    b: number,
    c: number,
    d: number,
  ): number | undefined {
    switch (nr) {
      case Syscall.exit:
      case Syscall.exit_group:
        this.end = { kind: 'exited', status: a & 0xff };
        return undefined;
      case Syscall.write:
        return this.write(a, b, c);
      case Syscall.rt_sigaction:
        return this.rtSigaction(a, b, c, d);
      case Syscall.sigaltstack:
        return this.sigaltstack(ctx, a, b);
      case Syscall.rt_sigreturn:
        return this.rtSigreturn(ctx);
      default:
        return -Errno.ENOSYS;
    }
  }

  private write(fd: number, buffer: number, count: number): number {
    if (fd !== 1 && fd !== 2) return -Errno.EBADF;
    const bytes = this.memory.readUser(buffer >>> 0, Math.min(count >>> 0, 0x7ffff000));
    if (bytes === null) return -Errno.EFAULT;
    (fd === 1 ? this.stdout : this.stderr).push(bytes);
    return bytes.length;
  }

  private rtSigaction(signal: number, act: number, oldAct: number, setSize: number): number {
    if (setSize !== 8 || signal < 1 || signal > NSIG) return -Errno.EINVAL;
    let next: SigAction | undefined;
    if (act !== 0) {
      if (signal === SIGKILL || signal === SIGSTOP) return -Errno.EINVAL;
      const raw = this.memory.readUser(act >>> 0, SIGACTION_SIZE);
      if (raw === null) return -Errno.EFAULT;
      const v = new DataView(raw.buffer);
      next = {
        handler: v.getUint32(0, true),
        flags: v.getUint32(4, true),
        restorer: v.getUint32(8, true),
        mask: v.getBigUint64(12, true),
      };
    }
    if (oldAct !== 0) {
      const old = this.actions.get(signal);
      const out = new DataView(new ArrayBuffer(SIGACTION_SIZE));
      out.setUint32(0, old?.handler ?? SIG_DFL, true);
      out.setUint32(4, old?.flags ?? 0, true);
      out.setUint32(8, old?.restorer ?? 0, true);
      out.setBigUint64(12, old?.mask ?? 0n, true);
      if (!this.memory.writeUser(oldAct >>> 0, new Uint8Array(out.buffer))) return -Errno.EFAULT;
    }
    if (next) this.actions.set(signal, next);
    return 0;
  }

  private onAltStack(sp: number): boolean {
    const s = this.altStack;
    return s.flags !== SS_DISABLE && (sp - s.sp) >>> 0 < s.size;
  }

  private sigaltstack(ctx: UserContext, stack: number, oldStack: number): number {
    const sp = ctx.regs[ESP] as number;
    if (oldStack !== 0) {
      const out = new DataView(new ArrayBuffer(STACK_T_SIZE));
      out.setUint32(0, this.altStack.sp, true);
      out.setUint32(4, this.onAltStack(sp) ? SS_ONSTACK : this.altStack.flags, true);
      out.setUint32(8, this.altStack.size, true);
      if (!this.memory.writeUser(oldStack >>> 0, new Uint8Array(out.buffer))) return -Errno.EFAULT;
    }
    if (stack === 0) return 0;
    const raw = this.memory.readUser(stack >>> 0, STACK_T_SIZE);
    if (raw === null) return -Errno.EFAULT;
    const v = new DataView(raw.buffer);
    const flags = v.getUint32(4, true);
    if (this.onAltStack(sp)) return -Errno.EPERM;
    if (flags !== 0 && flags !== SS_DISABLE) return -Errno.EINVAL;
    if (flags === SS_DISABLE) {
      this.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
      return 0;
    }
    const size = v.getUint32(8, true);
    if (size < MINSIGSTKSZ) return -Errno.ENOMEM;
    this.altStack = { sp: v.getUint32(0, true), size, flags: 0 };
    return 0;
  }

  /**
   * A synchronous signal from an exception (Linux's force_sig): a blocked or ignored one is
   * unblocked and reset to the default action first, which for these signals kills.
   */
  private forceSignal(ctx: UserContext, info: SignalInfo, trapno: number, err: number): void {
    const action = this.actions.get(info.signal);
    if (
      !action ||
      action.handler === SIG_DFL ||
      action.handler === SIG_IGN ||
      (this.blocked & bit(info.signal)) !== 0n
    ) {
      this.end = { kind: 'killed', signal: info.signal };
      return;
    }
    if (!this.deliver(ctx, info, action, trapno, err)) {
      // The frame could not be written: Linux kills with SIGSEGV (force_sigsegv).
      this.end = { kind: 'killed', signal: SIGSEGV };
      return;
    }
    if (action.flags & SA_RESETHAND) this.actions.delete(info.signal);
    this.blocked |= action.mask | (action.flags & SA_NODEFER ? 0n : bit(info.signal));
    this.blocked &= ~(bit(SIGKILL) | bit(SIGSTOP));
  }

  /** Builds the ia32 rt signal frame (ia32_setup_rt_frame) and enters the handler. */
  private deliver(
    ctx: UserContext,
    info: SignalInfo,
    action: SigAction,
    trapno: number,
    err: number,
  ): boolean {
    const userSp = ctx.regs[ESP] as number;
    let sp = userSp;
    if (action.flags & SA_ONSTACK && this.altStack.flags !== SS_DISABLE && !this.onAltStack(userSp))
      sp = this.altStack.sp + this.altStack.size;
    // The FPU state goes first, above the frame (get_sigframe, fpu__alloc_mathframe).
    const fpstate = fpstateAddress(sp);
    if (!this.memory.writeUser(fpstate, signalFpstate(this.fpu.read(), ctx.cs, ctx.ds)))
      return false;
    sp = ((((fpstate - RtSigframe.size + 4) & ~15) >>> 0) - 4) >>> 0;

    const frame = new DataView(new ArrayBuffer(RtSigframe.size));
    const put = (offset: number, value: number) => frame.setUint32(offset, value >>> 0, true);
    put(RtSigframe.pretcode, action.flags & SA_RESTORER ? action.restorer : 0);
    put(RtSigframe.sig, info.signal);
    put(RtSigframe.pinfo, sp + RtSigframe.info);
    put(RtSigframe.puc, sp + RtSigframe.uc);
    put(RtSigframe.info, info.signal);
    put(RtSigframe.info + 8, info.code);
    put(RtSigframe.info + 12, info.address);
    const uc = RtSigframe.uc;
    put(uc + Ucontext.stackSp, this.altStack.sp);
    put(
      uc + Ucontext.stackFlags,
      this.altStack.flags === SS_DISABLE ? SS_DISABLE : this.onAltStack(userSp) ? SS_ONSTACK : 0,
    );
    put(uc + Ucontext.stackSize, this.altStack.size);
    const sc = uc + Ucontext.mcontext;
    put(sc + SigContext.gs, ctx.gs);
    put(sc + SigContext.fs, ctx.fs);
    put(sc + SigContext.es, ctx.es);
    put(sc + SigContext.ds, ctx.ds);
    SIGCONTEXT_REGS.forEach((offset, r) => {
      put(sc + offset, ctx.regs[r] as number);
    });
    put(sc + SigContext.trapno, trapno);
    put(sc + SigContext.err, err);
    put(sc + SigContext.eip, ctx.eip);
    put(sc + SigContext.cs, ctx.cs);
    put(sc + SigContext.eflags, ctx.eflags);
    put(sc + SigContext.espAtSignal, userSp);
    put(sc + SigContext.ss, ctx.ss);
    put(sc + SigContext.fpstate, fpstate);
    put(sc + SigContext.oldmask, Number(this.blocked & 0xffffffffn));
    put(sc + SigContext.cr2, this.lastFaultAddress);
    frame.setBigUint64(uc + Ucontext.sigmask, this.blocked, true);
    // mov eax, __NR_rt_sigreturn; int 0x80; (pad)
    new Uint8Array(frame.buffer).set(
      [0xb8, 0xad, 0x00, 0x00, 0x00, 0xcd, 0x80, 0x00],
      RtSigframe.retcode,
    );
    if (!this.memory.writeUser(sp, new Uint8Array(frame.buffer))) return false;
    // The handler starts with a clean FPU (fpu__clear_user_states).
    this.fpu.write(initialFxsaveImage());

    ctx.regs[ESP] = sp;
    ctx.regs[EAX] = info.signal;
    ctx.regs[EDX] = (sp + RtSigframe.info) >>> 0;
    ctx.regs[ECX] = (sp + RtSigframe.uc) >>> 0;
    ctx.eip = action.handler;
    ctx.eflags = (ctx.eflags & ~SIGNAL_ENTRY_CLEARS) >>> 0;
    return true;
  }

  /** rt_sigreturn: back to the state the frame's sigcontext holds (the restorer calls it). */
  private rtSigreturn(ctx: UserContext): number | undefined {
    const frame = ((ctx.regs[ESP] as number) - 4) >>> 0;
    const raw = this.memory.readUser(frame, RtSigframe.size);
    if (raw === null) {
      this.end = { kind: 'killed', signal: SIGSEGV };
      return undefined;
    }
    const v = new DataView(raw.buffer);
    const sc = RtSigframe.uc + Ucontext.mcontext;
    SIGCONTEXT_REGS.forEach((offset, r) => {
      ctx.regs[r] = v.getUint32(sc + offset, true);
    });
    ctx.eip = v.getUint32(sc + SigContext.eip, true);
    // The FPU state from the frame; none (a null pointer) means a clean FPU.
    const fpstate = v.getUint32(sc + SigContext.fpstate, true);
    if (fpstate === 0) {
      this.fpu.write(initialFxsaveImage());
    } else {
      const bytes = this.memory.readUser(fpstate, FPSTATE_HEADER_SIZE + FXSAVE_SIZE);
      if (bytes === null) {
        this.end = { kind: 'killed', signal: SIGSEGV };
        return undefined;
      }
      this.fpu.write(restoredFxsaveImage(bytes, { cs: ctx.cs, ds: ctx.ds }));
    }
    const saved = v.getUint32(sc + SigContext.eflags, true);
    ctx.eflags = ((ctx.eflags & ~SIGRETURN_EFLAGS) | (saved & SIGRETURN_EFLAGS)) >>> 0;
    this.blocked =
      v.getBigUint64(RtSigframe.uc + Ucontext.sigmask, true) & ~(bit(SIGKILL) | bit(SIGSTOP));
    // The return value is the restored EAX: leave it as the sigcontext had it.
    return ctx.regs[EAX] as number;
  }
}
