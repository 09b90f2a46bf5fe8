/**
 * The i386 translator (QEMU's target/i386/tcg/translate.c): decodes one instruction at a
 * time with the decoder, dispatches on the operation, and ends the TB as the instruction
 * requires.
 */
import {
  DISAS_NEXT,
  DISAS_NORETURN,
  DISAS_TOO_MANY,
  type DisasContextBase,
  type TranslatorOps,
  translatorLoop,
} from '../../core/exec/translator.js';
import type { LogSink } from '../../core/log.js';
import {
  EXCP0D_GPF,
  EXCP06_ILLOP,
  R_DS,
  R_ES,
  R_FS,
  R_GS,
  R_SS,
  RF_MASK,
  TBF_BP_PAGE,
} from '../cpu/constants.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { DecodeMode, InsnDecoder } from '../decode/decoder.js';
import { DecodedInsn, DecodeStatus, X86Op, X86Prefix } from '../decode/insn.js';
import { formatInsn } from '../disas/disas.js';
import { helperCheckBreakpoint } from '../helpers/debug-helper.js';
import { helperLogCpu } from '../helpers/misc-helper.js';
import {
  DISAS_EOB_INHIBIT_IRQ,
  DISAS_EOB_NEXT,
  DISAS_EOB_ONLY,
  DISAS_JUMP,
  genClearResumeFlag,
  genEob,
  genException,
  genJmpTb,
  genUpdateEipNext,
  X86DisasContext,
} from './context.js';
import {
  genAlu,
  genBcd,
  genBitScan,
  genBitTest,
  genDiv,
  genFlagOp,
  genImul,
  genIncDec,
  genLahf,
  genMul1,
  genNeg,
  genNot,
  genRotate,
  genRotateCarry,
  genSahf,
  genSalc,
  genShift,
  genShiftDouble,
} from './ops-alu.js';
import {
  genBound,
  genCall,
  genCallFar,
  genCallIndirect,
  genInt1,
  genInterrupt,
  genIntN,
  genInto,
  genIret,
  genJcc,
  genJmp,
  genJmpFar,
  genJmpIndirect,
  genLoop,
  genRet,
  genRetFar,
} from './ops-control.js';
import {
  genBswap,
  genCmov,
  genCmpxchg,
  genCmpxchg8b,
  genConvert,
  genEnter,
  genLea,
  genLeave,
  genLoadFarPointer,
  genMov,
  genMovExtend,
  genMovFromSeg,
  genMovToSeg,
  genPopa,
  genPopInsn,
  genPopSeg,
  genPusha,
  genPushInsn,
  genPushSeg,
  genSetccInsn,
  genXadd,
  genXchg,
  genXlat,
} from './ops-data.js';
import { genSimd } from './ops-simd.js';
import { genStringInsn } from './ops-string.js';
import {
  genArpl,
  genCacheFlush,
  genCldStd,
  genCliSti,
  genClts,
  genCpuid,
  genHlt,
  genIn,
  genInvlpg,
  genLarLsl,
  genLmsw,
  genLoadDescriptorTable,
  genLoadSystemSelector,
  genMovCr,
  genMovDr,
  genOut,
  genPopf,
  genPushf,
  genRdmsr,
  genRdpmc,
  genRdtsc,
  genSmsw,
  genStoreDescriptorTable,
  genStoreSystemSelector,
  genSysenter,
  genVerrVerw,
  genWait,
} from './ops-system.js';
import { genX87Insn } from './ops-x87.js';

/** Translate the instruction at dc.base.pcNext. */
function translateOne(dc: X86DisasContext): void {
  const db = dc.base;
  const insn = dc.insn;
  const pc = db.pcNext;
  dc.curEip = (pc - dc.csBase) >>> 0;
  dc.startInsn();
  const status = dc.decoder.decode(insn, dc.fetch, dc.curEip, dc.decodeMode);
  const length = Math.max(insn.length, 1);
  db.pcNext = (pc + length) >>> 0;
  dc.nextEip = dc.code32 ? (dc.curEip + length) >>> 0 : (dc.curEip + length) & 0xffff;
  // An instruction breakpoint is a fault before anything else the instruction does.
  if (dc.flags & TBF_BP_PAGE) dc.b.call(helperCheckBreakpoint, null, pc | 0);
  // A REP string instruction clears RF only once it is done (ops-string.ts): its chunks
  // must not hit its breakpoint again.
  if (dc.flags & RF_MASK && !(status === DecodeStatus.Ok && isRepString(insn)))
    genClearResumeFlag(dc);
  if (status === DecodeStatus.TooLong) {
    genException(dc, EXCP0D_GPF, 0);
    return;
  }
  if (status !== DecodeStatus.Ok) {
    genException(dc, EXCP06_ILLOP);
    return;
  }
  dispatch(dc, insn.op);
  dc.endInsn(db.isJmp !== DISAS_NORETURN);
}

function isRepString(insn: DecodedInsn): boolean {
  const op = insn.op;
  return (
    (insn.prefixes & (X86Prefix.REPZ | X86Prefix.REPNZ)) !== 0 &&
    (op === X86Op.Movs ||
      op === X86Op.Cmps ||
      op === X86Op.Stos ||
      op === X86Op.Lods ||
      op === X86Op.Scas ||
      op === X86Op.Ins ||
      op === X86Op.Outs)
  );
}

function dispatch(dc: X86DisasContext, op: X86Op): void {
  switch (op) {
    case X86Op.Add:
    case X86Op.Or:
    case X86Op.Adc:
    case X86Op.Sbb:
    case X86Op.And:
    case X86Op.Sub:
    case X86Op.Xor:
    case X86Op.Cmp:
    case X86Op.Test:
      genAlu(dc, op);
      return;
    case X86Op.Inc:
    case X86Op.Dec:
      genIncDec(dc, op);
      return;
    case X86Op.Not:
      genNot(dc);
      return;
    case X86Op.Neg:
      genNeg(dc);
      return;
    case X86Op.Mul:
      genMul1(dc, false);
      return;
    case X86Op.Imul1:
      genMul1(dc, true);
      return;
    case X86Op.Imul:
      genImul(dc);
      return;
    case X86Op.Div:
      genDiv(dc, false);
      return;
    case X86Op.Idiv:
      genDiv(dc, true);
      return;
    case X86Op.Rol:
    case X86Op.Ror:
      genRotate(dc, op);
      return;
    case X86Op.Rcl:
    case X86Op.Rcr:
      genRotateCarry(dc, op);
      return;
    case X86Op.Shl:
    case X86Op.Sal:
    case X86Op.Shr:
    case X86Op.Sar:
      genShift(dc, op);
      return;
    case X86Op.Shld:
    case X86Op.Shrd:
      genShiftDouble(dc, op);
      return;
    case X86Op.Daa:
    case X86Op.Das:
    case X86Op.Aaa:
    case X86Op.Aas:
    case X86Op.Aam:
    case X86Op.Aad:
      genBcd(dc, op);
      return;
    case X86Op.Mov:
      genMov(dc);
      return;
    case X86Op.MovToSeg:
      genMovToSeg(dc);
      return;
    case X86Op.MovFromSeg:
      genMovFromSeg(dc);
      return;
    case X86Op.MovToCr:
      genMovCr(dc, true);
      return;
    case X86Op.MovFromCr:
      genMovCr(dc, false);
      return;
    case X86Op.MovToDr:
      genMovDr(dc, true);
      return;
    case X86Op.MovFromDr:
      genMovDr(dc, false);
      return;
    case X86Op.Movzx:
      genMovExtend(dc, false);
      return;
    case X86Op.Movsx:
      genMovExtend(dc, true);
      return;
    case X86Op.Lea:
      genLea(dc);
      return;
    case X86Op.Xchg:
      genXchg(dc);
      return;
    case X86Op.Xadd:
      genXadd(dc);
      return;
    case X86Op.Cmpxchg:
      genCmpxchg(dc);
      return;
    case X86Op.Cmpxchg8b:
      genCmpxchg8b(dc);
      return;
    case X86Op.Bswap:
      genBswap(dc);
      return;
    case X86Op.Cmovcc:
      genCmov(dc);
      return;
    case X86Op.Setcc:
      genSetccInsn(dc);
      return;
    case X86Op.Cbw:
    case X86Op.Cwd:
      genConvert(dc, op);
      return;
    case X86Op.Lahf:
      genLahf(dc);
      return;
    case X86Op.Sahf:
      genSahf(dc);
      return;
    case X86Op.Salc:
      genSalc(dc);
      return;
    case X86Op.Xlat:
      genXlat(dc);
      return;
    case X86Op.Les:
      genLoadFarPointer(dc, R_ES);
      return;
    case X86Op.Lds:
      genLoadFarPointer(dc, R_DS);
      return;
    case X86Op.Lss:
      genLoadFarPointer(dc, R_SS);
      return;
    case X86Op.Lfs:
      genLoadFarPointer(dc, R_FS);
      return;
    case X86Op.Lgs:
      genLoadFarPointer(dc, R_GS);
      return;
    case X86Op.Push:
      genPushInsn(dc);
      return;
    case X86Op.Pop:
      genPopInsn(dc);
      return;
    case X86Op.PushSeg:
      genPushSeg(dc);
      return;
    case X86Op.PopSeg:
      genPopSeg(dc);
      return;
    case X86Op.Pusha:
      genPusha(dc);
      return;
    case X86Op.Popa:
      genPopa(dc);
      return;
    case X86Op.Pushf:
      genPushf(dc);
      return;
    case X86Op.Popf:
      genPopf(dc);
      return;
    case X86Op.Enter:
      genEnter(dc);
      return;
    case X86Op.Leave:
      genLeave(dc);
      return;
    case X86Op.Jmp:
      genJmp(dc);
      return;
    case X86Op.JmpIndirect:
      genJmpIndirect(dc);
      return;
    case X86Op.JmpFar:
    case X86Op.JmpFarIndirect:
      genJmpFar(dc);
      return;
    case X86Op.Call:
      genCall(dc);
      return;
    case X86Op.CallIndirect:
      genCallIndirect(dc);
      return;
    case X86Op.CallFar:
    case X86Op.CallFarIndirect:
      genCallFar(dc);
      return;
    case X86Op.Ret:
      genRet(dc);
      return;
    case X86Op.RetFar:
      genRetFar(dc);
      return;
    case X86Op.Iret:
      genIret(dc);
      return;
    case X86Op.Jcc:
      genJcc(dc);
      return;
    case X86Op.Jcxz:
    case X86Op.Loop:
    case X86Op.Loope:
    case X86Op.Loopne:
      genLoop(dc, op);
      return;
    case X86Op.Int:
      genIntN(dc);
      return;
    case X86Op.Int3:
      genInterrupt(dc, 3);
      return;
    case X86Op.Into:
      genInto(dc);
      return;
    case X86Op.Int1:
      genInt1(dc);
      return;
    case X86Op.Bound:
      genBound(dc);
      return;
    case X86Op.Movs:
    case X86Op.Cmps:
    case X86Op.Stos:
    case X86Op.Lods:
    case X86Op.Scas:
    case X86Op.Ins:
    case X86Op.Outs:
      genStringInsn(dc, op);
      return;
    case X86Op.In:
      genIn(dc);
      return;
    case X86Op.Out:
      genOut(dc);
      return;
    case X86Op.Bt:
    case X86Op.Bts:
    case X86Op.Btr:
    case X86Op.Btc:
      genBitTest(dc, op);
      return;
    case X86Op.Bsf:
    case X86Op.Bsr:
      genBitScan(dc, op);
      return;
    case X86Op.Nop:
    case X86Op.Pause:
      return;
    case X86Op.Hlt:
      genHlt(dc);
      return;
    case X86Op.Cmc:
    case X86Op.Clc:
    case X86Op.Stc:
      genFlagOp(dc, op);
      return;
    case X86Op.Cli:
      genCliSti(dc, false);
      return;
    case X86Op.Sti:
      genCliSti(dc, true);
      return;
    case X86Op.Cld:
      genCldStd(dc, false);
      return;
    case X86Op.Std:
      genCldStd(dc, true);
      return;
    case X86Op.Wait:
      genWait(dc);
      return;
    case X86Op.Cpuid:
      genCpuid(dc);
      return;
    case X86Op.Rdtsc:
      genRdtsc(dc);
      return;
    case X86Op.Rdmsr:
      genRdmsr(dc, false);
      return;
    case X86Op.Wrmsr:
      genRdmsr(dc, true);
      return;
    case X86Op.Rdpmc:
      genRdpmc(dc);
      return;
    case X86Op.Sysenter:
      genSysenter(dc, false);
      return;
    case X86Op.Sysexit:
      genSysenter(dc, true);
      return;
    case X86Op.Clts:
      genClts(dc);
      return;
    case X86Op.Invd:
    case X86Op.Wbinvd:
      genCacheFlush(dc);
      return;
    case X86Op.Sgdt:
      genStoreDescriptorTable(dc, false);
      return;
    case X86Op.Sidt:
      genStoreDescriptorTable(dc, true);
      return;
    case X86Op.Lgdt:
      genLoadDescriptorTable(dc, false);
      return;
    case X86Op.Lidt:
      genLoadDescriptorTable(dc, true);
      return;
    case X86Op.Smsw:
      genSmsw(dc);
      return;
    case X86Op.Lmsw:
      genLmsw(dc);
      return;
    case X86Op.Invlpg:
      genInvlpg(dc);
      return;
    case X86Op.Sldt:
      genStoreSystemSelector(dc, false);
      return;
    case X86Op.Str:
      genStoreSystemSelector(dc, true);
      return;
    case X86Op.Lldt:
      genLoadSystemSelector(dc, false);
      return;
    case X86Op.Ltr:
      genLoadSystemSelector(dc, true);
      return;
    case X86Op.Verr:
      genVerrVerw(dc, false);
      return;
    case X86Op.Verw:
      genVerrVerw(dc, true);
      return;
    case X86Op.Lar:
      genLarLsl(dc, false);
      return;
    case X86Op.Lsl:
      genLarLsl(dc, true);
      return;
    case X86Op.Arpl:
      genArpl(dc);
      return;
    case X86Op.X87:
      genX87Insn(dc);
      return;
    case X86Op.Simd:
      genSimd(dc);
      return;
    case X86Op.Rsm:
    case X86Op.Ud:
    case X86Op.Invalid:
      genException(dc, EXCP06_ILLOP);
      return;
  }
}

const x86TranslatorOps: TranslatorOps<X86DisasContext, X86Cpu> = {
  initDisasContext() {},
  tbStart(dc) {
    if (dc.base.log.enabled('cpu'))
      dc.b.call(helperLogCpu, null, (dc.base.pcFirst - dc.csBase) | 0);
  },
  insnStart(dc) {
    dc.b.insnStart(dc.base.pcNext, dc.ccOp);
  },
  translateInsn(dc) {
    translateOne(dc);
    const db = dc.base;
    // One instruction per TB under single-step, in an interrupt shadow, with RF, or on a
    // page with an instruction breakpoint.
    if (db.isJmp === DISAS_NEXT && dc.oneInsn) db.isJmp = DISAS_EOB_NEXT;
  },
  tbStop(dc) {
    const db = dc.base;
    switch (db.isJmp) {
      case DISAS_TOO_MANY:
        genJmpTb(dc, (db.pcNext - dc.csBase) >>> 0, 0);
        break;
      case DISAS_EOB_NEXT:
        genUpdateEipNext(dc);
        genEob(dc, false, false);
        break;
      case DISAS_EOB_INHIBIT_IRQ:
        genUpdateEipNext(dc);
        genEob(dc, true, false);
        break;
      case DISAS_JUMP:
        genEob(dc, false, true);
        break;
      case DISAS_EOB_ONLY:
        genEob(dc, false, false);
        break;
      case DISAS_NORETURN:
        break;
      default:
        throw new Error(`i386 translator: unexpected isJmp ${db.isJmp}`);
    }
  },
  disasLog(dc, _cpu, log: LogSink) {
    log.write('in_asm', disassembleTb(dc));
  },
};

/** `-d in_asm`: the guest code of the TB, one line per instruction at its linear address. */
function disassembleTb(dc: X86DisasContext): string {
  const db = dc.base;
  const insn = new DecodedInsn();
  const decoder = new InsnDecoder();
  const code32 = (dc.decodeMode & DecodeMode.CODE32) !== 0;
  let text = '----------------\nIN: \n';
  let pc = db.pcFirst >>> 0;
  const end = db.pcNext >>> 0;
  while (pc !== end) {
    const eip = (pc - dc.csBase) >>> 0;
    const status = decoder.decode(insn, dc.fetch, eip, dc.decodeMode);
    const body = status === DecodeStatus.Ok ? formatInsn(insn, code32) : '(bad)';
    text += `0x${pc.toString(16).padStart(8, '0')}:  ${body}\n`;
    pc = (pc + Math.max(insn.length, 1)) >>> 0;
  }
  return `${text}\n`;
}

/** Translate one TB (the Frontend's genIntermediateCode). */
export function genIntermediateCode(cpu: X86Cpu, db: DisasContextBase): void {
  translatorLoop(x86TranslatorOps, new X86DisasContext(db), cpu);
}
