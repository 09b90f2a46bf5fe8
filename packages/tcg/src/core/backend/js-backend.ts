import {
  CTL_CHAIN_BUDGET,
  CTL_EXIT_FLAG,
  CTL_FAULT_SITE,
  CTL_ICOUNT,
  CTL_TB_EXIT,
} from '../exec/cpu-state.js';
import type { TbFunction, TranslationBlock } from '../exec/translation-block.js';
import { effectCovers, type HelperInfo } from '../ir/helper.js';
import { type FinalizedIr, markGlobals, type Op, operandCounts } from '../ir/ir-block.js';
import { Cond, MO_SIGN, MO_SIZE, OPDEFS, Opc, TB_EXIT_ICOUNT_EXPIRED } from '../ir/opcodes.js';
import { ctpop, muls2hi, mulu2hi } from '../ir/semantics.js';
import { type Temp, TempKind } from '../ir/temp.js';
import { PAGE_MASK } from '../softmmu/tlb.js';
import type { ExecBindings } from './exec-bindings.js';

export type RamAccess = 'typed-array' | 'dataview';

export interface JsBackendOptions {
  /** How the inline TLB hit path reads RAM. Default 'typed-array'. */
  ramAccess?: RamAccess;
  /** Generate the icount check at TB entry. */
  icount?: boolean;
  /**
   * Put a comment with the insn_start words before each guest instruction. Only for
   * `-d out_asm`: comments are source V8 has to scan, and compile time is proportional to
   * source length.
   */
  comments?: boolean;
}

export interface JsCompiled {
  fn: TbFunction;
  /** The generated JavaScript (`-d out_asm`). */
  source: string;
}

/**
 * What every generated function closes over: the state arrays, the TLB and RAM views, the
 * slow paths, the helpers (`H`), the TB(s) it belongs to (`own`: SELF and J for a TB, M for
 * a region), the lookup and the runtime support (V8 inlines those).
 */
const RUNTIME_HEAD = ['S', 'ctl', 'RT', 'WT', 'AD', 'M8', 'M8S', 'M16', 'M16S', 'M32', 'DV'];
const RUNTIME_TAIL = ['LOOKUP', 'MULUH', 'MULSH', 'POPCNT'];

/**
 * Build a generated function: `body` is the source of its statements, `own` names the
 * parameters that carry `ownValues` (the TB or region it belongs to).
 */
export function instantiate(
  name: string,
  body: string,
  env: ExecBindings,
  helpers: readonly HelperInfo[],
  own: readonly string[],
  ownValues: readonly unknown[],
): JsCompiled {
  const params = [...RUNTIME_HEAD, 'LD', 'ST', 'cpu', 'H', ...own, ...RUNTIME_TAIL];
  const source = `return (function ${name}() {\n${body}});\n`;
  const factory = new Function(...params, source) as (...args: unknown[]) => TbFunction;
  const tlb = env.cpu.tlb;
  const fast = tlb.fastRam;
  const fn = factory(
    env.cpu.state,
    env.cpu.ctl,
    tlb.readTag,
    tlb.writeTag,
    tlb.addend,
    fast?.u8 ?? null,
    fast?.i8 ?? null,
    fast?.u16 ?? null,
    fast?.i16 ?? null,
    fast?.i32 ?? null,
    fast?.dv ?? null,
    env.ldSlow,
    env.stSlow,
    env.cpu,
    helpers.map((h) => h.fn),
    ...ownValues,
    env.lookupTbPtr,
    mulu2hi,
    muls2hi,
    ctpop,
  );
  return { fn, source: `function (${params.join(', ')}) {\n${source}}` };
}

/**
 * The JS backend: one JavaScript function per TB, built with `new Function` once.
 *
 * Globals live in JS locals (`g<n>`) for the whole TB: loaded at entry, written back
 * before a helper that reads them, once on the way out (every exit breaks to the one
 * write-back at the end) and in the one catch clause (which runs only when a guest
 * exception unwinds). Temps are locals (`t<n>`), constants literals. Forward branches
 * become labelled blocks; a TB with a backward branch becomes a switch loop. A chaining
 * slot linked to the TB itself turns into a `continue` of the outer loop, so a one-TB guest
 * loop runs as a JS loop with its registers in locals.
 *
 * The TB function is a parenthesised function expression, which V8 compiles at once: a
 * plain inner function would be pre-parsed here and parsed again at its first call.
 */
export function compileJs(
  ir: FinalizedIr,
  tb: TranslationBlock,
  env: ExecBindings,
  options: JsBackendOptions = {},
): JsCompiled {
  const helpers = collectHelpers(ir);
  const body = generateBody(ir, tb, helpers, env, options);
  const name = `tb_${(tb.pc >>> 0).toString(16)}`;
  return instantiate(name, body, env, helpers, ['SELF', 'J'], [tb, tb.jmpDest]);
}

export function collectHelpers(ir: FinalizedIr): HelperInfo[] {
  const list: HelperInfo[] = [];
  for (const op of ir.ops) {
    if (op.opc === Opc.Call && !list.includes(op.helper!)) list.push(op.helper!);
  }
  return list;
}

/** The labels branched to, their positions, and whether any branch goes backwards. */
export function labelUse(ir: FinalizedIr): {
  targets: Set<number>;
  pos: Int32Array;
  backward: boolean;
} {
  const pos = new Int32Array(ir.nbLabels).fill(-1);
  ir.ops.forEach((op, p) => {
    if (op.opc === Opc.SetLabel) pos[op.args[0]] = p;
  });
  const targets = new Set<number>();
  let backward = false;
  ir.ops.forEach((op, p) => {
    const l = op.opc === Opc.Br ? op.args[0] : op.opc === Opc.Brcond ? op.args[3] : -1;
    if (l < 0) return;
    targets.add(l);
    if (pos[l] <= p) backward = true;
  });
  return { targets, pos, backward };
}

/** True when control cannot run past the last op (it is an exit or a jump). */
export function endsInExit(ir: FinalizedIr): boolean {
  const last = ir.ops[ir.ops.length - 1];
  return (
    last !== undefined &&
    (last.opc === Opc.ExitTb || last.opc === Opc.LookupAndGotoPtr || last.opc === Opc.Br)
  );
}

/**
 * The TB function's body: declarations, then `try { w: { x: { tb: for (;;) { ... } } WB }
 * return nx; } catch`. Every exit sets `nx` (the successor, or null with ctl[CTL_TB_EXIT]
 * set) and breaks to the one write-back (`break x`); lookup_and_goto_ptr writes back before
 * its call and breaks past it (`break w`). V8's compile time grows with the source, so
 * the write-back, the longest statement, is not repeated at every exit.
 */
function generateBody(
  ir: FinalizedIr,
  tb: TranslationBlock,
  helpers: readonly HelperInfo[],
  env: ExecBindings,
  options: JsBackendOptions,
): string {
  const { temps, nbGlobals: G, ops } = ir;
  const tlb = env.cpu.tlb;
  const fast = tlb.fastRam;
  const typed = (options.ramAccess ?? 'typed-array') === 'typed-array' && fast?.i32 != null;

  // Which globals the TB touches and writes, which temps and state arrays it uses.
  const used = new Uint8Array(G);
  const written = new Uint8Array(G);
  const localTemps = new Set<number>();
  const arrays = new Set<number>();
  markGlobals(ir, used, written);
  for (const op of ops) {
    const [nOut, nIn] = operandCounts(op);
    for (let i = 0; i < nOut + nIn; i++) {
      const t = op.args[i];
      if (t >= G && temps[t].kind !== TempKind.Const) localTemps.add(t);
    }
    if (op.opc === Opc.LdState || op.opc === Opc.StState) arrays.add(op.args[1]);
  }
  for (let g = 0; g < G; g++) if (used[g]) arrays.add(temps[g].stateArray);

  const io = globalsIo(temps, used, written);
  const { gref, storeGlobals } = io;
  const writeBack = storeGlobals(() => true);
  const v = (i: number): string => {
    const t = temps[i];
    if (t.kind === TempKind.Const) return t.value < 0 ? `(${t.value})` : `${t.value}`;
    return i < G ? `g${i}` : `t${i}`;
  };
  const d = (i: number): string => (i < G ? `g${i}` : `t${i}`);
  const { targets, pos, backward } = labelUse(ir);
  const jump = (l: number) => (backward ? `{ L = ${l + 1}; continue disp; }` : `break L${l};`);
  // A chaining slot (or goto_ptr) that leads back to this TB loops without leaving it.
  const selfLoop = `if (nx === SELF && --ctl[${CTL_CHAIN_BUDGET}] > 0 && ctl[${CTL_EXIT_FLAG}] === 0) continue tb;`;

  const lines: string[] = [];
  const emit = (s: string) => lines.push(s);
  for (const op of ops) {
    const a = op.args;
    switch (op.opc) {
      case Opc.InsnStart:
        if (options.comments)
          emit(`// ---- ${a.map((x) => `0x${(x >>> 0).toString(16)}`).join(' ')}`);
        break;
      case Opc.SetLabel:
        if (targets.has(a[0])) emit(backward ? `case ${a[0] + 1}:` : `} // L${a[0]}`);
        break;
      case Opc.Br:
        emit(jump(a[0]));
        break;
      case Opc.Brcond:
        emit(`if (${cmp(a[2], v(a[0]), v(a[1]))}) ${jump(a[3])}`);
        break;
      case Opc.QemuLd:
        emit(genLoad(op, v, d, tlb.bits, typed, fast !== null));
        break;
      case Opc.QemuSt:
        emit(genStore(op, v, tlb.bits, typed, fast !== null));
        break;
      case Opc.Call:
        emit(genCall(op, helpers.indexOf(op.helper!), 'SELF', io, v, d, options));
        break;
      case Opc.GotoTb:
        emit(`nx = J[${a[0]}]; if (nx !== null) { ${selfLoop} break x; }`);
        break;
      case Opc.ExitTb:
        emit(`nx = null; ctl[${CTL_TB_EXIT}] = ${a[0]}; break x;`);
        break;
      case Opc.LookupAndGotoPtr:
        emit(`${writeBack}nx = LOOKUP(); ${selfLoop} break w;`);
        break;
      default:
        emit(genValueOp(op, v, d));
    }
  }

  const out: string[] = [];
  const consts = [...arrays].sort((x, y) => x - y).map((k) => `S${k} = S[${k}]`);
  if (consts.length > 0) out.push(`  const ${consts.join(', ')};`);
  const decl: string[] = [];
  for (let g = 0; g < G; g++) if (used[g]) decl.push(`g${g} = ${gref(g)}`);
  for (const t of localTemps) decl.push(`t${t} = 0`);
  decl.push('s0 = 0', 's1 = 0', 'i = 0', 'nx = null');
  if (backward) decl.push('L = 0');
  out.push(`  let ${decl.join(', ')};`);
  const sites = ir.siteInsn.length;
  if (sites > 0) out.push('  try {');
  out.push('  w: { x: {', '  tb: for (;;) {');
  if (options.icount) {
    const n = ir.nbInsns;
    out.push(
      `  if ((ctl[${CTL_ICOUNT}] -= ${n}) < 0) { ctl[${CTL_ICOUNT}] += ${n}; nx = null; ctl[${CTL_TB_EXIT}] = ${TB_EXIT_ICOUNT_EXPIRED}; break x; }`,
    );
  }
  if (backward) {
    out.push('  L = 0;', '  disp: for (;;) { switch (L) {', '  case 0:');
  } else {
    const open = [...targets].sort((x, y) => pos[y] - pos[x]).map((l) => `L${l}: {`);
    if (open.length > 0) out.push(`  ${open.join(' ')}`);
  }
  for (const l of lines) out.push(`  ${l}`);
  if (backward) out.push('  } }');
  if (!endsInExit(ir)) out.push(`  throw new Error('${tb}: fell off the end of its IR');`);
  out.push('  }', '  }', `  ${writeBack}`, '  }', '  return nx;');
  if (sites > 0) {
    // One catch for the whole TB: write the locals back (except what the helper that
    // raised may have written itself), then let cpu_exec restore the guest PC.
    const cases = new Map<string, number[]>();
    for (let s = 0; s < sites; s++) {
      const h = ir.siteHelper[s];
      if (h === null || h.writes === 'none') continue;
      const wb = storeGlobals((g) => !effectCovers(h.writes, g));
      if (wb === writeBack) continue;
      const list = cases.get(wb) ?? [];
      list.push(s);
      cases.set(wb, list);
    }
    let sw = '';
    for (const [wb, list] of cases) sw += `${list.map((s) => `case ${s}:`).join(' ')} ${wb}break; `;
    out.push(
      `  } catch (e) { switch (ctl[${CTL_FAULT_SITE}]) { ${sw}default: ${writeBack}} throw e; }`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** How a generated function keeps the guest globals in locals (`g<n>`). */
export interface GlobalsIo {
  /** Per global: read or written by the generated function. */
  readonly used: Uint8Array;
  /** Per global: written by it (so written back when it leaves). */
  readonly written: Uint8Array;
  /** The state-array element a global lives in. */
  readonly gref: (g: number) => string;
  /** Statements that write back the written globals that `pred` picks. */
  readonly storeGlobals: (pred: (g: number) => boolean) => string;
}

/** The GlobalsIo of a function that uses and writes the globals marked in `used`, `written`. */
export function globalsIo(
  temps: readonly Temp[],
  used: Uint8Array,
  written: Uint8Array,
): GlobalsIo {
  const G = used.length;
  const gref = (g: number) => `S${temps[g].stateArray}[${temps[g].stateIndex}]`;
  const storeGlobals = (pred: (g: number) => boolean): string => {
    let s = '';
    for (let g = 0; g < G; g++) if (written[g] && pred(g)) s += `${gref(g)} = g${g}; `;
    return s;
  };
  return { used, written, gref, storeGlobals };
}

/**
 * A helper call: write back the globals it reads or writes, record the fault site (with
 * `tbRef`, the expression of the TB the op belongs to) if it can raise, call, and reload
 * the globals it writes.
 */
export function genCall(
  op: Op,
  helperIndex: number,
  tbRef: string,
  io: GlobalsIo,
  v: (i: number) => string,
  d: (i: number) => string,
  options: JsBackendOptions,
): string {
  const h = op.helper!;
  const a = op.args;
  const pre = io.storeGlobals((g) => effectCovers(h.reads, g) || effectCovers(h.writes, g));
  let post = '';
  if (h.writes !== 'none') {
    for (let g = 0; g < io.used.length; g++)
      if (io.used[g] && effectCovers(h.writes, g)) post += ` g${g} = ${io.gref(g)};`;
  }
  const args = ['cpu', ...a.slice(h.hasReturn ? 1 : 0).map(v)].join(', ');
  // A helper that can raise must find its TB and fault site: cpu_exec restores the
  // guest state from them, and the precise-SMC check compares with the TB.
  const site =
    op.site >= 0 ? `ctl[${CTL_FAULT_SITE}] = ${op.site}; cpu.currentTb = ${tbRef}; ` : '';
  const tag = options.comments ? ` // ${h.name}` : '';
  // The result lands after the reload, in case it goes to a global the helper writes.
  if (h.hasReturn)
    return `${pre}${site}s0 = H[${helperIndex}](${args}) | 0;${post} ${d(a[0])} = s0;${tag}`;
  return `${pre}${site}H[${helperIndex}](${args});${post}${tag}`;
}

/** A JS statement for a value op (everything but control flow, memory and calls). */
export function genValueOp(op: Op, v: (i: number) => string, d: (i: number) => string): string {
  const a = op.args;
  switch (op.opc) {
    case Opc.Mov:
      return `${d(a[0])} = ${v(a[1])};`;
    case Opc.Add:
      return `${d(a[0])} = (${v(a[1])} + ${v(a[2])}) | 0;`;
    case Opc.Sub:
      return `${d(a[0])} = (${v(a[1])} - ${v(a[2])}) | 0;`;
    case Opc.Mul:
      return `${d(a[0])} = Math.imul(${v(a[1])}, ${v(a[2])});`;
    case Opc.And:
      return `${d(a[0])} = ${v(a[1])} & ${v(a[2])};`;
    case Opc.Or:
      return `${d(a[0])} = ${v(a[1])} | ${v(a[2])};`;
    case Opc.Xor:
      return `${d(a[0])} = ${v(a[1])} ^ ${v(a[2])};`;
    case Opc.Andc:
      return `${d(a[0])} = ${v(a[1])} & ~${v(a[2])};`;
    case Opc.Orc:
      return `${d(a[0])} = ${v(a[1])} | ~${v(a[2])};`;
    case Opc.Eqv:
      return `${d(a[0])} = ~(${v(a[1])} ^ ${v(a[2])});`;
    case Opc.Nand:
      return `${d(a[0])} = ~(${v(a[1])} & ${v(a[2])});`;
    case Opc.Nor:
      return `${d(a[0])} = ~(${v(a[1])} | ${v(a[2])});`;
    case Opc.Shl:
      return `${d(a[0])} = ${v(a[1])} << ${v(a[2])};`;
    case Opc.Shr:
      return `${d(a[0])} = (${v(a[1])} >>> ${v(a[2])}) | 0;`;
    case Opc.Sar:
      return `${d(a[0])} = ${v(a[1])} >> ${v(a[2])};`;
    case Opc.Rotl:
      return `s0 = ${v(a[1])}; s1 = ${v(a[2])}; ${d(a[0])} = (s0 << s1) | (s0 >>> -s1);`;
    case Opc.Rotr:
      return `s0 = ${v(a[1])}; s1 = ${v(a[2])}; ${d(a[0])} = (s0 >>> s1) | (s0 << -s1);`;
    case Opc.Clz:
      return `s0 = ${v(a[1])}; ${d(a[0])} = s0 === 0 ? ${v(a[2])} : Math.clz32(s0);`;
    case Opc.Ctz:
      return `s0 = ${v(a[1])}; ${d(a[0])} = s0 === 0 ? ${v(a[2])} : 31 - Math.clz32(s0 & -s0);`;
    case Opc.Neg:
      return `${d(a[0])} = -${v(a[1])} | 0;`;
    case Opc.Not:
      return `${d(a[0])} = ~${v(a[1])};`;
    case Opc.Ext8s:
      return `${d(a[0])} = (${v(a[1])} << 24) >> 24;`;
    case Opc.Ext8u:
      return `${d(a[0])} = ${v(a[1])} & 255;`;
    case Opc.Ext16s:
      return `${d(a[0])} = (${v(a[1])} << 16) >> 16;`;
    case Opc.Ext16u:
      return `${d(a[0])} = ${v(a[1])} & 65535;`;
    case Opc.Bswap16:
      return `s0 = ${v(a[1])}; ${d(a[0])} = ((s0 & 255) << 8) | ((s0 >>> 8) & 255);`;
    case Opc.Bswap32:
      return `s0 = ${v(a[1])}; ${d(a[0])} = (s0 << 24) | ((s0 & 0xff00) << 8) | ((s0 >>> 8) & 0xff00) | (s0 >>> 24);`;
    case Opc.Ctpop:
      return `${d(a[0])} = POPCNT(${v(a[1])});`;
    case Opc.Deposit: {
      const [ofs, len] = [a[3], a[4]];
      if (len === 32) return `${d(a[0])} = ${v(a[2])};`;
      const mask = (((1 << len) - 1) << ofs) | 0;
      return `${d(a[0])} = (${v(a[1])} & ${~mask}) | ((${v(a[2])} << ${ofs}) & ${mask});`;
    }
    case Opc.Extract: {
      const [ofs, len] = [a[2], a[3]];
      if (len === 32) return `${d(a[0])} = ${v(a[1])};`;
      if (ofs + len === 32) return `${d(a[0])} = ${v(a[1])} >>> ${ofs};`;
      return `${d(a[0])} = (${v(a[1])} >>> ${ofs}) & ${(1 << len) - 1};`;
    }
    case Opc.Sextract: {
      const [ofs, len] = [a[2], a[3]];
      return `${d(a[0])} = (${v(a[1])} << ${32 - ofs - len}) >> ${32 - len};`;
    }
    case Opc.Extract2: {
      const ofs = a[3];
      if (ofs === 0) return `${d(a[0])} = ${v(a[1])};`;
      return `${d(a[0])} = (${v(a[1])} >>> ${ofs}) | (${v(a[2])} << ${32 - ofs});`;
    }
    case Opc.Setcond:
      return `${d(a[0])} = ${cmp(a[3], v(a[1]), v(a[2]))} ? 1 : 0;`;
    case Opc.Negsetcond:
      return `${d(a[0])} = ${cmp(a[3], v(a[1]), v(a[2]))} ? -1 : 0;`;
    case Opc.Movcond:
      return `${d(a[0])} = ${cmp(a[5], v(a[1]), v(a[2]))} ? ${v(a[3])} : ${v(a[4])};`;
    case Opc.Mulu2:
      return `s0 = MULUH(${v(a[2])}, ${v(a[3])}); ${d(a[0])} = Math.imul(${v(a[2])}, ${v(a[3])}); ${d(a[1])} = s0;`;
    case Opc.Muls2:
      return `s0 = MULSH(${v(a[2])}, ${v(a[3])}); ${d(a[0])} = Math.imul(${v(a[2])}, ${v(a[3])}); ${d(a[1])} = s0;`;
    case Opc.Add2:
      return `s0 = (${v(a[2])} >>> 0) + (${v(a[4])} >>> 0); s1 = (${v(a[3])} + ${v(a[5])} + (s0 > 4294967295 ? 1 : 0)) | 0; ${d(a[0])} = s0 | 0; ${d(a[1])} = s1;`;
    case Opc.Sub2:
      return `s0 = (${v(a[2])} >>> 0) - (${v(a[4])} >>> 0); s1 = (${v(a[3])} - ${v(a[5])} - (s0 < 0 ? 1 : 0)) | 0; ${d(a[0])} = s0 | 0; ${d(a[1])} = s1;`;
    case Opc.LdState:
      return `${d(a[0])} = S${a[1]}[${a[2]}];`;
    case Opc.StState:
      return `S${a[1]}[${a[2]}] = ${v(a[0])};`;
    case Opc.Nop:
      return '';
    default:
      throw new Error(`JS backend: no rule for ${OPDEFS[op.opc].name}`);
  }
}

/** A JS boolean expression for cond(a, b). */
export function cmp(c: Cond, a: string, b: string): string {
  switch (c) {
    case Cond.Never:
      return 'false';
    case Cond.Always:
      return 'true';
    case Cond.Eq:
      return `${a} === ${b}`;
    case Cond.Ne:
      return `${a} !== ${b}`;
    case Cond.Lt:
      return `${a} < ${b}`;
    case Cond.Ge:
      return `${a} >= ${b}`;
    case Cond.Le:
      return `${a} <= ${b}`;
    case Cond.Gt:
      return `${a} > ${b}`;
    case Cond.Ltu:
      return `(${a} >>> 0) < (${b} >>> 0)`;
    case Cond.Geu:
      return `(${a} >>> 0) >= (${b} >>> 0)`;
    case Cond.Leu:
      return `(${a} >>> 0) <= (${b} >>> 0)`;
    case Cond.Gtu:
      return `(${a} >>> 0) > (${b} >>> 0)`;
    case Cond.Tsteq:
      return `(${a} & ${b}) === 0`;
    case Cond.Tstne:
      return `(${a} & ${b}) !== 0`;
  }
}

/** `(addr & mask) === tag` compares page and alignment in one go. */
function tagMask(memop: number): number {
  return PAGE_MASK | ((1 << (memop & MO_SIZE)) - 1);
}

function hostRead(memop: number, h: string, typed: boolean): string {
  const size = memop & MO_SIZE;
  const signed = (memop & MO_SIGN) !== 0;
  if (size === 0) return signed ? `M8S[${h} | 0]` : `M8[${h} | 0]`;
  if (typed) {
    if (size === 1) return signed ? `M16S[${h} >> 1]` : `M16[${h} >> 1]`;
    return `M32[${h} >> 2]`;
  }
  if (size === 1) return signed ? `DV.getInt16(${h} | 0, true)` : `DV.getUint16(${h} | 0, true)`;
  return `DV.getInt32(${h} | 0, true)`;
}

function hostWrite(memop: number, h: string, value: string, typed: boolean): string {
  const size = memop & MO_SIZE;
  if (size === 0) return `M8[${h} | 0] = ${value};`;
  if (typed) return size === 1 ? `M16[${h} >> 1] = ${value};` : `M32[${h} >> 2] = ${value};`;
  return size === 1
    ? `DV.setUint16(${h} | 0, ${value} & 65535, true);`
    : `DV.setInt32(${h} | 0, ${value}, true);`;
}

/** `i = ` the TLB entry index of `addr` for MMU index `mmu`. */
function tlbIndex(addr: string, mmu: number, bits: number): string {
  const base = mmu << bits;
  return `i = ((${addr} >>> 12) & ${(1 << bits) - 1})${base === 0 ? '' : ` + ${base}`};`;
}

export function genLoad(
  op: Op,
  v: (i: number) => string,
  d: (i: number) => string,
  bits: number,
  typed: boolean,
  inline: boolean,
  tbRef = 'SELF',
): string {
  const [out, addr, memop, mmu] = op.args;
  const slow = `LD(${v(addr)}, ${memop}, ${mmu}, ${op.site}, ${tbRef})`;
  if (!inline) return `${d(out)} = ${slow};`;
  const index = tlbIndex(v(addr), mmu, bits);
  const hit = hostRead(memop, `(${v(addr)} + AD[i])`, typed);
  return `${index} ${d(out)} = (${v(addr)} & ${tagMask(memop)}) === RT[i] ? ${hit} : ${slow};`;
}

export function genStore(
  op: Op,
  v: (i: number) => string,
  bits: number,
  typed: boolean,
  inline: boolean,
  tbRef = 'SELF',
): string {
  const [val, addr, memop, mmu] = op.args;
  const slow = `ST(${v(addr)}, ${v(val)}, ${memop}, ${mmu}, ${op.site}, ${tbRef});`;
  if (!inline) return slow;
  const index = tlbIndex(v(addr), mmu, bits);
  const hit = hostWrite(memop, `(${v(addr)} + AD[i])`, v(val), typed);
  return `${index} if ((${v(addr)} & ${tagMask(memop)}) === WT[i]) ${hit} else ${slow}`;
}
