import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { PIC_COMMAND, PIC_DATA } from './i8259.js';
import { I8259Pair } from './i8259-pair.js';

/** The PC's port numbers, so that the tests read like Linux's i8259.c. */
function pcPorts(pics: I8259Pair) {
  const chip = (port: number) => ((port & ~1) === 0x20 ? pics.master : pics.slave);
  return {
    outb(value: number, port: number) {
      chip(port).write(port & 1 ? PIC_DATA : PIC_COMMAND, value);
    },
    inb(port: number) {
      return chip(port).read(port & 1 ? PIC_DATA : PIC_COMMAND);
    },
  };
}

/** Linux's init_8259A(auto_eoi): vectors 0x30-0x3f, slave on IRQ2. */
function linuxInit(pics: I8259Pair, autoEoi = false) {
  const { outb } = pcPorts(pics);
  outb(0xff, 0x21); // mask all of 8259A-1
  outb(0xff, 0xa1); // mask all of 8259A-2
  outb(0x11, 0x20); // ICW1: select 8259A-1 init
  outb(0x30, 0x21); // ICW2: 8259A-1 IR0-7 mapped to 0x30-0x37
  outb(0x04, 0x21); // ICW3: 8259A-1 (the master) has a slave on IR2
  outb(autoEoi ? 0x03 : 0x01, 0x21); // ICW4: normal or auto EOI
  outb(0x11, 0xa0); // ICW1: select 8259A-2 init
  outb(0x38, 0xa1); // ICW2: 8259A-2 IR0-7 mapped to 0x38-0x3f
  outb(0x02, 0xa1); // ICW3: 8259A-2 is a slave on master's IR2
  outb(0x01, 0xa1); // ICW4: (slave's support for AEOI in flat mode is to be investigated)
  outb(0x00, 0x21); // unmask everything
  outb(0x00, 0xa1);
}

function setup(autoEoi = false) {
  const intr = new IrqRecorder();
  const pics = new I8259Pair({ output: intr });
  linuxInit(pics, autoEoi);
  return { intr, pics, ...pcPorts(pics) };
}

describe('i8259 pair', () => {
  it('raises INTR for an unmasked IRQ after the Linux init sequence and hands over its vector', () => {
    const { intr, pics, inb, outb } = setup();
    pics.setIrq(1, true);
    expect(intr.level).toBe(true);
    expect(pics.acknowledge()).toBe(0x31);
    expect(intr.level).toBe(false);
    outb(0x0b, 0x20); // OCW3: read ISR
    expect(inb(0x20)).toBe(0x02);
    outb(0x20, 0x20); // non-specific EOI
    expect(inb(0x20)).toBe(0x00);
  });

  it('delivers a slave IRQ through the cascade on IRQ2 with the slave vector', () => {
    const { intr, pics, inb, outb } = setup();
    pics.setIrq(14, true);
    expect(intr.level).toBe(true);
    expect(pics.acknowledge()).toBe(0x3e);
    outb(0x0b, 0x20);
    outb(0x0b, 0xa0);
    expect(inb(0x20)).toBe(0x04); // master: IRQ2 in service
    expect(inb(0xa0)).toBe(0x40); // slave: IRQ6 (14) in service
    outb(0x20, 0xa0); // EOI to the slave first, as Linux does
    outb(0x20, 0x20);
    expect(inb(0x20)).toBe(0);
    expect(inb(0xa0)).toBe(0);
  });

  it('holds a lower-priority IRQ until EOI and lets a higher one preempt', () => {
    const { intr, pics, outb } = setup();
    pics.setIrq(3, true);
    expect(pics.acknowledge()).toBe(0x33);
    pics.setIrq(5, true);
    expect(intr.level).toBe(false); // IRQ5 waits behind IRQ3
    pics.setIrq(1, true);
    expect(intr.level).toBe(true); // IRQ1 outranks IRQ3
    expect(pics.acknowledge()).toBe(0x31);
    outb(0x20, 0x20); // EOI for IRQ1
    expect(intr.level).toBe(false);
    outb(0x20, 0x20); // EOI for IRQ3
    expect(intr.level).toBe(true);
    expect(pics.acknowledge()).toBe(0x35);
  });

  it('masks an IRQ through OCW1 and reports the IMR', () => {
    const { intr, pics, inb, outb } = setup();
    outb(0x10, 0x21);
    pics.setIrq(4, true);
    expect(intr.level).toBe(false);
    expect(inb(0x21)).toBe(0x10);
    outb(0x00, 0x21);
    expect(intr.level).toBe(true);
  });

  it('reads the IRR by default and the ISR after OCW3 RIS', () => {
    const { pics, inb, outb } = setup();
    pics.setIrq(6, true);
    expect(inb(0x20)).toBe(0x40);
    outb(0x0b, 0x20);
    expect(inb(0x20)).toBe(0x00);
    outb(0x0a, 0x20);
    expect(inb(0x20)).toBe(0x40);
  });

  it('clears one in-service IRQ with a specific EOI', () => {
    const { pics, inb, outb } = setup();
    pics.setIrq(3, true);
    pics.acknowledge();
    pics.setIrq(1, true);
    pics.acknowledge();
    outb(0x63, 0x20); // specific EOI for IRQ3
    outb(0x0b, 0x20);
    expect(inb(0x20)).toBe(0x02);
  });

  it('makes the serviced IRQ the lowest priority after a rotate-on-EOI', () => {
    const { pics, outb } = setup();
    pics.setIrq(0, true);
    expect(pics.acknowledge()).toBe(0x30);
    outb(0xa0, 0x20); // rotate on non-specific EOI: IRQ0 becomes lowest
    pics.setIrq(0, false);
    pics.setIrq(0, true);
    pics.setIrq(5, true);
    expect(pics.acknowledge()).toBe(0x35);
    outb(0x20, 0x20);
    expect(pics.acknowledge()).toBe(0x30);
  });

  it('sets the lowest priority with the set-priority command', () => {
    const { pics, outb } = setup();
    outb(0xc4, 0x20); // IRQ4 lowest: IRQ5 is now the highest
    pics.setIrq(3, true);
    pics.setIrq(6, true);
    expect(pics.acknowledge()).toBe(0x36);
    expect(pics.master.info()).toContain('hprio=5');
  });

  it('answers a poll command with the highest request and marks it in service', () => {
    const { pics, inb, outb } = setup();
    outb(0xff, 0x21); // a polling driver masks nothing it polls: use the IRR directly
    outb(0x00, 0x21);
    pics.setIrq(5, true);
    outb(0x0c, 0x20); // OCW3: poll
    expect(inb(0x20)).toBe(0x85);
    outb(0x0b, 0x20);
    expect(inb(0x20)).toBe(0x20);
    outb(0x0c, 0x20);
    expect(inb(0x20)).toBe(0x00); // nothing more pending
  });

  it('answers INTA with the spurious IRQ7 vector when the request vanished', () => {
    const { pics, inb, outb } = setup();
    pics.master.writeElcr(0x20); // IRQ5 level-triggered
    pics.setIrq(5, true);
    pics.setIrq(5, false);
    expect(pics.acknowledge()).toBe(0x37);
    outb(0x0b, 0x20);
    expect(inb(0x20)).toBe(0); // a spurious interrupt is not in service
  });

  it('answers with the slave spurious IRQ15 vector when the slave request vanished', () => {
    const { pics, inb, outb } = setup();
    pics.slave.writeElcr(0x04); // IRQ10 level-triggered
    pics.setIrq(10, true);
    pics.setIrq(10, false); // the master latched the cascade edge
    expect(pics.acknowledge()).toBe(0x3f);
    outb(0x0b, 0x20);
    expect(inb(0x20)).toBe(0x04); // the master still needs its EOI
  });

  it('keeps a level-triggered IRQ requesting after EOI while the line stays high', () => {
    const { intr, pics, outb } = setup();
    pics.slave.writeElcr(0x08); // IRQ11
    pics.setIrq(11, true);
    expect(pics.acknowledge()).toBe(0x3b);
    outb(0x20, 0xa0);
    outb(0x20, 0x20);
    expect(intr.level).toBe(true);
    expect(pics.acknowledge()).toBe(0x3b);
  });

  it('leaves the cascade edge latched when a level IRQ drops before INTA: a spurious IRQ15', () => {
    const { intr, pics, outb } = setup();
    pics.slave.writeElcr(0x08); // IRQ11
    pics.setIrq(11, true);
    pics.acknowledge();
    outb(0x20, 0xa0);
    outb(0x20, 0x20); // the slave asks again: the master latches a new IRQ2 edge
    pics.setIrq(11, false); // the device was serviced in the meantime
    expect(intr.level).toBe(true);
    expect(pics.acknowledge()).toBe(0x3f);
  });

  it('counts an edge-triggered IRQ once however long the line stays high', () => {
    const { intr, pics, outb } = setup();
    pics.setIrq(4, true);
    expect(pics.acknowledge()).toBe(0x34);
    outb(0x20, 0x20);
    expect(intr.level).toBe(false);
  });

  it('ignores ELCR bits for IRQ0, 1, 2, 8 and 13', () => {
    const { pics } = setup();
    pics.master.writeElcr(0xff);
    pics.slave.writeElcr(0xff);
    expect(pics.master.readElcr()).toBe(0xf8);
    expect(pics.slave.readElcr()).toBe(0xde);
  });

  it('needs no EOI in automatic EOI mode', () => {
    const { pics, inb, outb } = setup(true);
    pics.setIrq(3, true);
    expect(pics.acknowledge()).toBe(0x33);
    outb(0x0b, 0x20);
    expect(inb(0x20)).toBe(0);
  });

  it('lets a lower priority through in special mask mode', () => {
    const { intr, pics, outb } = setup();
    pics.setIrq(3, true);
    pics.acknowledge();
    outb(0x08, 0x21); // mask IRQ3, which is in service
    outb(0x68, 0x20); // OCW3: set special mask mode
    pics.setIrq(5, true);
    expect(intr.level).toBe(true);
    expect(pics.acknowledge()).toBe(0x35);
  });

  it('lets a higher slave IRQ interrupt an in-service slave IRQ in special fully nested mode', () => {
    const intr = new IrqRecorder();
    const pics = new I8259Pair({ output: intr });
    const { outb } = pcPorts(pics);
    outb(0x11, 0x20);
    outb(0x30, 0x21);
    outb(0x04, 0x21);
    outb(0x11, 0x21); // ICW4: 8086 mode, special fully nested
    outb(0x11, 0xa0);
    outb(0x38, 0xa1);
    outb(0x02, 0xa1);
    outb(0x01, 0xa1);
    pics.setIrq(12, true);
    expect(pics.acknowledge()).toBe(0x3c);
    pics.setIrq(9, true);
    expect(intr.level).toBe(true);
    expect(pics.acknowledge()).toBe(0x39);
  });

  it('blocks a higher slave IRQ behind an in-service cascade without special fully nested mode', () => {
    const { intr, pics } = setup();
    pics.setIrq(12, true);
    pics.acknowledge();
    pics.setIrq(9, true);
    expect(intr.level).toBe(false);
  });

  it("prints QEMU's info pic", () => {
    const { pics } = setup();
    pics.setIrq(1, true);
    expect(pics.info()).toBe(
      'pic0: irr=02 imr=00 isr=00 hprio=0 irq_base=30 rr_sel=0 elcr=00 fnm=0\n' +
        'pic1: irr=00 imr=00 isr=00 hprio=0 irq_base=38 rr_sel=0 elcr=00 fnm=0\n',
    );
  });

  it('restores a snapshot with the same registers and raises INTR again', () => {
    const { pics } = setup();
    pics.slave.writeElcr(0x08);
    pics.setIrq(3, true);
    expect(pics.acknowledge()).toBe(0x33);
    pics.setIrq(11, true); // outranks the in-service IRQ3 through the cascade
    const intr = new IrqRecorder();
    const copy = I8259Pair.fromState(structuredClone(pics.state()), { output: intr });
    expect(copy.state()).toEqual(pics.state());
    expect(copy.info()).toBe(pics.info());
    expect(intr.level).toBe(true);
    expect(copy.acknowledge()).toBe(pics.acknowledge());
  });

  it('survives any sequence of guest accesses with byte-sized reads', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        chip: fc.boolean(),
        offset: fc.integer({ min: 0, max: 1 }),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({
        kind: fc.constant('read' as const),
        chip: fc.boolean(),
        offset: fc.integer({ min: 0, max: 1 }),
      }),
      fc.record({
        kind: fc.constant('elcr' as const),
        chip: fc.boolean(),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({
        kind: fc.constant('irq' as const),
        irq: fc.integer({ min: 0, max: 15 }),
        level: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('inta' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const pics = new I8259Pair({ output: new IrqRecorder() });
        for (const o of ops) {
          const chip = 'chip' in o && o.chip ? pics.slave : pics.master;
          switch (o.kind) {
            case 'write':
              chip.write(o.offset, o.value);
              break;
            case 'read': {
              const v = chip.read(o.offset);
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(0xff);
              break;
            }
            case 'elcr':
              chip.writeElcr(o.value);
              break;
            case 'irq':
              pics.setIrq(o.irq, o.level);
              break;
            case 'inta': {
              const v = pics.acknowledge();
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(0xff);
            }
          }
        }
        // The state a fuzzed chip reports can be loaded back.
        expect(I8259Pair.fromState(pics.state()).state()).toEqual(pics.state());
      }),
      { numRuns: 300 },
    );
  });
});
