import { describe, expect, it } from 'vitest';
import { IrBuilder } from '../ir/builder.js';
import { defineHelper } from '../ir/helper.js';
import { Cond, MO_UL } from '../ir/opcodes.js';
import { dumpIr } from '../ir/printer.js';
import { toyLayout } from '../testing/toy-frontend.js';
import { optimizeIr } from './optimize.js';

const { layout, R, CC_DST, CC_SRC } = toyLayout;

function optimized(build: (b: IrBuilder) => void): string {
  const b = new IrBuilder(layout, { insnStartWords: 2, nbMmuModes: 3 });
  b.insnStart(0, -1);
  build(b);
  b.exitTb();
  return dumpIr(optimizeIr(b.finish()));
}

describe('optimizeIr', () => {
  it('folds constants through temps and simplifies algebra', () => {
    const ir = optimized((b) => {
      const t = b.temp();
      b.mov(t, 6);
      b.mul(t, t, 7);
      b.add(R[0], t, 0);
      b.xor(R[1], R[2], R[2]);
      b.and(R[3], R[4], -1);
      b.shl(R[5], R[5], 32); // count & 31 = 0
    });
    expect(ir).toContain('mov_i32 r0,$0x2a');
    expect(ir).toContain('mov_i32 r1,$0x0');
    expect(ir).toContain('mov_i32 r3,r4');
    expect(ir).not.toContain('r5');
    expect(ir).not.toContain('mul_i32');
  });

  it('propagates copies until their source changes', () => {
    const ir = optimized((b) => {
      const t = b.temp();
      b.mov(t, R[1]);
      b.add(R[2], t, 1); // reads r1 directly
      b.mov(R[1], 5);
      b.add(R[3], t, 1); // t still holds the old r1: must stay
    });
    expect(ir).toContain('add_i32 r2,r1,$0x1');
    expect(ir).toContain('add_i32 r3,tmp0,$0x1');
  });

  it('removes a store to a global overwritten before anyone can see it', () => {
    const ir = optimized((b) => {
      b.mov(CC_DST, R[1]);
      b.mov(CC_SRC, R[2]);
      b.sub(CC_DST, R[3], R[4]);
    });
    expect(ir).not.toContain('mov_i32 cc_dst');
    expect(ir).toContain('sub_i32 cc_dst,r3,r4');
  });

  it('keeps it when a guest access could fault in between, or a helper reads it', () => {
    const reader = defineHelper({
      name: 'reads_cc',
      nArgs: 0,
      reads: [CC_DST],
      writes: 'none',
      canRaise: false,
      fn: () => undefined,
    });
    const ir = optimized((b) => {
      b.mov(CC_DST, 1);
      b.qemuLd(R[0], R[5], MO_UL, 2);
      b.mov(CC_DST, 2);
      b.call(reader, null);
      b.mov(CC_DST, 3);
    });
    expect(ir).toContain('mov_i32 cc_dst,$0x1');
    expect(ir).toContain('mov_i32 cc_dst,$0x2');
    expect(ir).toContain('mov_i32 cc_dst,$0x3');
  });

  it('turns constant branches into jumps and drops unreachable code', () => {
    const ir = optimized((b) => {
      const l = b.newLabel();
      b.brcond(Cond.Eq, 4, 4, l);
      b.mov(R[0], 1);
      b.setLabel(l);
      b.mov(R[1], 2);
    });
    expect(ir).not.toContain('mov_i32 r0');
    expect(ir).not.toContain('brcond');
    expect(ir).toContain('mov_i32 r1,$0x2');
  });

  it('drops unused results of pure helpers and the high half of an unused product', () => {
    const pure = defineHelper({
      name: 'pure',
      nArgs: 1,
      hasReturn: true,
      reads: 'none',
      writes: 'none',
      canRaise: false,
      sideEffects: false,
      fn: (_c, a) => a,
    });
    const ir = optimized((b) => {
      const t = b.temp();
      b.call(pure, t, R[0]);
      const hi = b.temp();
      b.mulu2(R[1], hi, R[2], R[3]);
    });
    expect(ir).not.toContain('call');
    expect(ir).toContain('mul_i32 r1,r2,r3');
  });
});
