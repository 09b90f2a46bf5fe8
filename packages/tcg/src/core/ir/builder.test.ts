import { describe, expect, it } from 'vitest';
import { toyLayout } from '../testing/toy-frontend.js';
import { IrBuilder } from './builder.js';
import { defineHelper } from './helper.js';
import { Cond, MO_UL } from './opcodes.js';
import { dumpIr } from './printer.js';
import { StateLayout } from './state-layout.js';

const { layout, R, SYS, PC } = toyLayout;
const nop = defineHelper({ name: 'nop2', nArgs: 2, fn: () => undefined });

describe('IrBuilder', () => {
  it('prints IR the way -d op does', () => {
    const b = new IrBuilder(layout, { insnStartWords: 2, nbMmuModes: 3 });
    b.insnStart(0x1000, -1);
    const t = b.temp();
    b.add(t, R[1], 4);
    b.qemuLd(R[0], t, MO_UL, 2);
    const l = b.newLabel();
    b.brcond(Cond.Ltu, R[0], R[2], l);
    b.call(nop, null, R[0], -1);
    b.setLabel(l);
    b.gotoTb(0);
    b.mov(PC, 0x1004);
    b.exitTb(0);
    expect(dumpIr(b.finish())).toBe(
      [
        ' ---- 0x1000 0xffffffff',
        ' add_i32 tmp0,r1,$0x4',
        ' qemu_ld_i32 r0,tmp0,leul,2',
        ' brcond_i32 r0,r2,ltu,$L0',
        ' call nop2,r0,$-0x1',
        ' set_label $L0',
        ' goto_tb $0',
        ' mov_i32 pc,$0x1004',
        ' exit_tb $0',
        '',
      ].join('\n'),
    );
  });

  it('rejects IR a backend could not run, naming the problem', () => {
    const b = new IrBuilder(layout, { insnStartWords: 2, nbMmuModes: 3 });
    const t = b.temp();
    expect(() => b.add(R[0], t, 1)).toThrow(/tmp0 is read before it is written/);
    b.mov(t, 1);
    const l = b.newLabel();
    b.setLabel(l);
    expect(() => b.mov(R[0], t)).toThrow(/EBB temps die at labels/);
    expect(() => b.mov(b.const(3), 1)).toThrow(/cannot write constant/);
    expect(() => b.call(nop, null, 1)).toThrow(/takes 2 args/);
    expect(() => b.qemuLd(R[0], 0, MO_UL, 3)).toThrow(/MMU index 3/);
    expect(() => b.loadState(R[0], SYS, 0)).toThrow(/is a global/);
    expect(() => b.insnStart(1)).toThrow(/takes 2 words/);
    expect(() => b.deposit(R[0], R[0], R[1], 30, 4)).toThrow(/does not fit/);
    expect(() => b.mulu2(R[0], R[0], R[1], R[2])).toThrow(/must differ/);
    const other = new IrBuilder(layout);
    expect(() => b.mov(R[0], other.temp())).toThrow(/another TB/);
    const never = b.newLabel();
    b.br(never);
    expect(() => b.finish()).toThrow(/never set/);
  });

  it('a StateLayout checks its declarations and freezes once state exists', () => {
    const l = new StateLayout();
    const regs = l.addArray('regs', 2);
    l.addGlobal(regs, 0, 'a');
    expect(() => l.addGlobal(regs, 0, 'b')).toThrow(/already bound/);
    expect(() => l.addGlobal(regs, 2, 'c')).toThrow(/outside/);
    expect(() => l.addGlobal(regs, 1, 'a')).toThrow(/declared twice/);
    const state = l.createState();
    expect(state[regs.id]).toBeInstanceOf(Int32Array);
    expect(() => l.addArray('more', 1)).toThrow(/closed/);
  });
});
