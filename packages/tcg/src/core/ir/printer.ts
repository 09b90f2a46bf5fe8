import type { IrBlock, Op } from './ir-block.js';
import { COND_NAMES, memopName, OPDEFS, Opc } from './opcodes.js';

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

/** One op in QEMU's `-d op` style: `add_i32 eax,eax,$0x1`. */
export function formatOp(block: IrBlock, op: Op): string {
  const t = (i: number) => block.temps[i].name;
  const a = op.args;
  switch (op.opc) {
    case Opc.InsnStart:
      return ` ---- ${a.map(hex).join(' ')}`;
    case Opc.SetLabel:
      return `set_label $L${a[0]}`;
    case Opc.Br:
      return `br $L${a[0]}`;
    case Opc.Brcond:
      return `brcond_i32 ${t(a[0])},${t(a[1])},${COND_NAMES[a[2]]},$L${a[3]}`;
    case Opc.Call: {
      const h = op.helper!;
      const names = a.map(t);
      const ret = h.hasReturn ? names.shift()! : '';
      return `call ${h.name},${[ret, ...names].filter((x) => x !== '').join(',')}`;
    }
    case Opc.QemuLd:
      return `qemu_ld_i32 ${t(a[0])},${t(a[1])},${memopName(a[2])},${a[3]}`;
    case Opc.QemuSt:
      return `qemu_st_i32 ${t(a[0])},${t(a[1])},${memopName(a[2])},${a[3]}`;
    case Opc.LdState:
      return `ld_state_i32 ${t(a[0])},state${a[1]}[${a[2]}]`;
    case Opc.StState:
      return `st_state_i32 ${t(a[0])},state${a[1]}[${a[2]}]`;
    case Opc.GotoTb:
      return `goto_tb $${a[0]}`;
    case Opc.ExitTb:
      return a[0] === 2 ? 'exit_tb $nochain' : `exit_tb $${a[0]}`;
    case Opc.LookupAndGotoPtr:
      return 'lookup_and_goto_ptr';
    default: {
      const def = OPDEFS[op.opc];
      const parts: string[] = [];
      for (let i = 0; i < def.nOut + def.nIn; i++) parts.push(t(a[i]));
      for (let i = def.nOut + def.nIn; i < a.length; i++) {
        const isCond =
          op.opc === Opc.Setcond || op.opc === Opc.Negsetcond || op.opc === Opc.Movcond;
        parts.push(isCond ? COND_NAMES[a[i]] : `$${a[i]}`);
      }
      return `${def.name} ${parts.join(',')}`;
    }
  }
}

/** The whole IR of a TB, one op per line, as `-d op` / `-d op_opt` print it. */
export function dumpIr(block: IrBlock): string {
  const lines: string[] = [];
  for (const op of block.ops) {
    if (op.opc === Opc.Nop) continue;
    const text = formatOp(block, op);
    lines.push(op.opc === Opc.InsnStart ? text : ` ${text}`);
  }
  return `${lines.join('\n')}\n`;
}
