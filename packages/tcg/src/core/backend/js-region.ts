import {
  CTL_CHAIN_BUDGET,
  CTL_EXIT_FLAG,
  CTL_FAULT_SITE,
  CTL_REGION_EXIT,
  CTL_TB_EXIT,
} from '../exec/cpu-state.js';
import type { TranslationBlock } from '../exec/translation-block.js';
import { effectCovers, type HelperInfo } from '../ir/helper.js';
import { type FinalizedIr, markGlobals, operandCounts } from '../ir/ir-block.js';
import { Opc, TB_EXIT_SLOT1 } from '../ir/opcodes.js';
import { TempKind } from '../ir/temp.js';
import type { ExecBindings } from './exec-bindings.js';
import {
  cmp,
  endsInExit,
  genCall,
  genLoad,
  genStore,
  genValueOp,
  globalsIo,
  instantiate,
  type JsBackendOptions,
  type JsCompiled,
  labelUse,
} from './js-backend.js';

/** One TB of a region: the TB and its IR (translated again from its code bytes). */
export interface RegionMember {
  readonly tb: TranslationBlock;
  readonly ir: FinalizedIr;
}

/**
 * Compile a hot region, several TBs that jump to one another, into one JavaScript function
 * (docs/jit.md, "Regions"). It is installed as the TB function of `members[0]`, the root.
 *
 * Inside, a `switch (cur)` in a loop holds one case per member TB; a jump from one member
 * to another (a linked chaining slot, or a `lookup_and_goto_ptr` that finds a member)
 * becomes `cur = k; continue`, so the guest registers stay in JS locals across TBs and
 * the trampoline's call per TB is gone. Each such step counts against the chain budget and
 * checks the exit flag, as a chained TB does, so interrupts are taken as promptly.
 *
 * Every internal jump is checked when it is taken (the slot still links to that member,
 * or the TB found is still this region's member), so a member that is invalidated simply
 * stops being reached: its callers' links to it are cut. A jump elsewhere leaves the
 * region with the successor TB, as a TB does. A TB records in `regionId`/`regionIndex`
 * the last region it joined; a lookup only dispatches within that one.
 *
 * Members keep their own TB function for entries from the trampoline; only the root's is
 * replaced. A member that leaves through an unlinked slot names itself in
 * ctl[CTL_REGION_EXIT], so cpu_exec links that member's slot, not the root's.
 */
export function compileRegion(
  members: readonly RegionMember[],
  regionId: number,
  env: ExecBindings,
  options: JsBackendOptions = {},
): JsCompiled {
  if (options.icount) throw new Error('compileRegion: regions are not built under icount');
  const root = members[0].tb;
  const helpers: HelperInfo[] = [];
  for (const m of members)
    for (const op of m.ir.ops)
      if (op.opc === Opc.Call && !helpers.includes(op.helper!)) helpers.push(op.helper!);
  const body = generateRegionBody(members, regionId, helpers, env, options);
  const name = `tb_${(root.pc >>> 0).toString(16)}_region${members.length}`;
  return instantiate(name, body, env, helpers, ['M'], [members.map((m) => m.tb)]);
}

function generateRegionBody(
  members: readonly RegionMember[],
  regionId: number,
  helpers: readonly HelperInfo[],
  env: ExecBindings,
  options: JsBackendOptions,
): string {
  const first = members[0].ir;
  const G = first.nbGlobals;
  const temps0 = first.temps;
  const tlb = env.cpu.tlb;
  const fast = tlb.fastRam;
  const typed = (options.ramAccess ?? 'typed-array') === 'typed-array' && fast?.i32 != null;

  // Globals: the union over the members. Temps: one set of locals shared by all members
  // (a temp never lives past the end of its TB).
  const used = new Uint8Array(G);
  const written = new Uint8Array(G);
  const arrays = new Set<number>();
  let maxTemp = 0;
  for (const { ir } of members) {
    markGlobals(ir, used, written);
    for (const op of ir.ops) {
      const [nOut, nIn] = operandCounts(op);
      for (let i = nIn + nOut - 1; i >= 0; i--) {
        const t = op.args[i];
        if (t >= G && ir.temps[t].kind !== TempKind.Const) maxTemp = Math.max(maxTemp, t);
      }
      if (op.opc === Opc.LdState || op.opc === Opc.StState) arrays.add(op.args[1]);
    }
  }
  for (let g = 0; g < G; g++) if (used[g]) arrays.add(temps0[g].stateArray);
  const io = globalsIo(temps0, used, written);
  const { gref, storeGlobals } = io;
  const writeBack = storeGlobals(() => true);
  const index = new Map(members.map((m, k) => [m.tb, k]));
  const step = `--ctl[${CTL_CHAIN_BUDGET}] > 0 && ctl[${CTL_EXIT_FLAG}] === 0`;

  const out: string[] = [];
  const consts = [...arrays].sort((x, y) => x - y).map((k) => `S${k} = S[${k}]`);
  // Member TBs are B<k> (M8, M16 and M32 name the RAM views).
  for (let k = 0; k < members.length; k++) consts.push(`B${k} = M[${k}]`, `J${k} = B${k}.jmpDest`);
  out.push(`  const ${consts.join(', ')};`);
  const decl: string[] = [];
  for (let g = 0; g < G; g++) if (used[g]) decl.push(`g${g} = ${gref(g)}`);
  for (let t = G; t <= maxTemp; t++) decl.push(`t${t} = 0`);
  decl.push('s0 = 0', 's1 = 0', 'i = 0', 'nx = null', 'L = 0', 'cur = 0');
  out.push(`  let ${decl.join(', ')};`);
  out.push('  try {', '  w: { x: {', '  disp: for (;;) { switch (cur) {');

  members.forEach(({ tb, ir }, k) => {
    const temps = ir.temps;
    const v = (i: number): string => {
      const t = temps[i];
      if (t.kind === TempKind.Const) return t.value < 0 ? `(${t.value})` : `${t.value}`;
      return i < G ? `g${i}` : `t${i}`;
    };
    const d = (i: number): string => (i < G ? `g${i}` : `t${i}`);
    const self = `B${k}`;
    const { targets, pos, backward } = labelUse(ir);
    const inner = `m${k}`;
    const jump = (l: number) =>
      backward ? `{ L = ${l + 1}; continue ${inner}; }` : `break L${k}_${l};`;
    out.push(`  case ${k}: {`);
    if (backward) {
      out.push(`  L = 0;`, `  ${inner}: for (;;) { switch (L) {`, '  case 0:');
    } else {
      const open = [...targets].sort((x, y) => pos[y] - pos[x]).map((l) => `L${k}_${l}: {`);
      if (open.length > 0) out.push(`  ${open.join(' ')}`);
    }
    for (const op of ir.ops) {
      const a = op.args;
      let line = '';
      switch (op.opc) {
        case Opc.InsnStart:
          if (options.comments)
            line = `// ---- ${a.map((x) => `0x${(x >>> 0).toString(16)}`).join(' ')}`;
          break;
        case Opc.SetLabel:
          if (targets.has(a[0])) line = backward ? `case ${a[0] + 1}:` : `} // L${k}_${a[0]}`;
          break;
        case Opc.Br:
          line = jump(a[0]);
          break;
        case Opc.Brcond:
          line = `if (${cmp(a[2], v(a[0]), v(a[1]))}) ${jump(a[3])}`;
          break;
        case Opc.QemuLd:
          line = genLoad(op, v, d, tlb.bits, typed, fast !== null, self);
          break;
        case Opc.QemuSt:
          line = genStore(op, v, tlb.bits, typed, fast !== null, self);
          break;
        case Opc.Call:
          line = genCall(op, helpers.indexOf(op.helper!), self, io, v, d, options);
          break;
        case Opc.GotoTb: {
          // The member this slot links to now; it is checked again each time.
          const linked = tb.jmpDest[a[0]];
          const j = linked === null ? undefined : index.get(linked);
          const stay =
            j === undefined
              ? `if (nx.regionId === ${regionId} && ${step}) { cur = nx.regionIndex; continue disp; }`
              : `if (nx === B${j} && ${step}) { cur = ${j}; continue disp; }`;
          line = `nx = J${k}[${a[0]}]; if (nx !== null) { ${stay} break x; }`;
          break;
        }
        case Opc.ExitTb: {
          const member = k !== 0 && a[0] <= TB_EXIT_SLOT1 ? `ctl[${CTL_REGION_EXIT}] = ${k}; ` : '';
          line = `nx = null; ctl[${CTL_TB_EXIT}] = ${a[0]}; ${member}break x;`;
          break;
        }
        case Opc.LookupAndGotoPtr:
          line = `${writeBack}nx = LOOKUP(); if (nx !== null && nx.regionId === ${regionId} && ${step}) { cur = nx.regionIndex; continue disp; } break w;`;
          break;
        default:
          line = genValueOp(op, v, d);
      }
      if (line !== '') out.push(`  ${line}`);
    }
    if (backward) out.push('  } }');
    if (!endsInExit(ir)) out.push(`  throw new Error('${tb}: fell off the end of its IR');`);
    out.push('  }');
  });

  out.push(`  default: throw new Error('region: no member ' + cur);`);
  out.push('  } }', '  }', `  ${writeBack}`, '  }', '  return nx;');

  // One catch for the region: write the locals back (except what the helper that raised
  // may have written itself), then let cpu_exec restore the guest PC from the member TB.
  let sw = '';
  members.forEach(({ ir }, k) => {
    const cases = new Map<string, number[]>();
    for (let s = 0; s < ir.siteInsn.length; s++) {
      const h = ir.siteHelper[s];
      if (h === null || h.writes === 'none') continue;
      const wb = storeGlobals((g) => !effectCovers(h.writes, g));
      if (wb === writeBack) continue;
      const list = cases.get(wb) ?? [];
      list.push(s);
      cases.set(wb, list);
    }
    if (cases.size === 0) return;
    let inner = '';
    for (const [wb, list] of cases)
      inner += `${list.map((s) => `case ${s}:`).join(' ')} ${wb}break; `;
    sw += `case ${k}: switch (ctl[${CTL_FAULT_SITE}]) { ${inner}default: ${writeBack}} break; `;
  });
  out.push(`  } catch (e) { switch (cur) { ${sw}default: ${writeBack}} throw e; }`);
  return `${out.join('\n')}\n`;
}
