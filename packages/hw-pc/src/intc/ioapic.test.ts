import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualTime } from '../testing/manual-time.js';
import { ApicBus } from './apic-bus.js';
import { CPU_INTERRUPT_NMI } from './cpu-interrupts.js';
import { I8259Pair } from './i8259-pair.js';
import {
  IOAPIC_EOI,
  IOAPIC_IOREGSEL,
  IOAPIC_IOWIN,
  IOAPIC_REG_ID,
  IOAPIC_REG_REDTBL_BASE,
  IOAPIC_REG_VER,
  IoApic,
  REDIR_REMOTE_IRR,
} from './ioapic.js';
import { LocalApic } from './local-apic.js';
import {
  APIC_EOI,
  APIC_IRR,
  APIC_LDR,
  APIC_SVR,
  APIC_TPR,
  SVR_APIC_ENABLED,
} from './local-apic-regs.js';

function machine(cpus = 1) {
  const time = new ManualTime();
  const bus = new ApicBus();
  const apics = Array.from({ length: cpus }, (_, id) => new LocalApic({ bus, time, id }));
  for (const apic of apics) apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
  const ioapic = new IoApic({ bus });
  /** The way Linux's io_apic_write reaches a register: select, then the window. */
  const ioapicWrite = (reg: number, value: number) => {
    ioapic.write(IOAPIC_IOREGSEL, reg);
    ioapic.write(IOAPIC_IOWIN, value);
  };
  const ioapicRead = (reg: number) => {
    ioapic.write(IOAPIC_IOREGSEL, reg);
    return ioapic.read(IOAPIC_IOWIN);
  };
  const route = (pin: number, low: number, destination = 0) => {
    ioapicWrite(IOAPIC_REG_REDTBL_BASE + 2 * pin + 1, destination << 24);
    ioapicWrite(IOAPIC_REG_REDTBL_BASE + 2 * pin, low);
  };
  return { time, bus, apics, apic: apics[0], ioapic, ioapicWrite, ioapicRead, route };
}

const LEVEL = 1 << 15;
const MASKED = 1 << 16;
const LOGICAL = 1 << 11;

describe('IOAPIC', () => {
  it('reports version 0x20 with 24 redirection entries', () => {
    const { ioapicRead } = machine();
    expect(ioapicRead(IOAPIC_REG_VER)).toBe(0x00170020);
  });

  it('keeps the 4-bit ID it is given in bits 27-24', () => {
    const { ioapicWrite, ioapicRead } = machine();
    ioapicWrite(IOAPIC_REG_ID, 0xff000000);
    expect(ioapicRead(IOAPIC_REG_ID)).toBe(0x0f000000);
  });

  it('starts with every pin masked', () => {
    const { ioapicRead, ioapic, apic } = machine();
    expect(ioapicRead(IOAPIC_REG_REDTBL_BASE) & MASKED).toBe(MASKED);
    ioapic.setIrq(4, true);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('routes an edge-triggered pin to the local APIC as its programmed vector', () => {
    const { route, ioapic, apic } = machine();
    route(4, 0x31);
    ioapic.setIrq(4, true);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x31);
    apic.write(APIC_EOI, 0);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('ignores an edge while the pin is masked', () => {
    const { route, ioapic, apic } = machine();
    route(4, 0x31 | MASKED);
    ioapic.setIrq(4, true);
    ioapic.setIrq(4, false);
    route(4, 0x31);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('sets remote IRR for a level interrupt and clears it on the local APIC EOI', () => {
    const { route, ioapic, apic, ioapicRead } = machine();
    route(10, 0x41 | LEVEL);
    ioapic.setIrq(10, true);
    expect(ioapicRead(IOAPIC_REG_REDTBL_BASE + 20) & REDIR_REMOTE_IRR).toBe(REDIR_REMOTE_IRR);
    expect(apic.acknowledge()).toBe(0x41);
    ioapic.setIrq(10, false); // the driver quietened the device
    apic.write(APIC_EOI, 0); // the TMR bit makes the EOI a broadcast
    expect(ioapicRead(IOAPIC_REG_REDTBL_BASE + 20) & REDIR_REMOTE_IRR).toBe(0);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('sends a level interrupt again after EOI while the line is still asserted', () => {
    const { route, ioapic, apic } = machine();
    route(10, 0x41 | LEVEL);
    ioapic.setIrq(10, true);
    expect(apic.acknowledge()).toBe(0x41);
    apic.write(APIC_EOI, 0);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x41);
  });

  it('sends nothing more for a level pin while remote IRR is set', () => {
    const { route, ioapic, apic } = machine();
    route(10, 0x41 | LEVEL);
    ioapic.setIrq(10, true);
    apic.acknowledge();
    ioapic.setIrq(10, false);
    ioapic.setIrq(10, true);
    expect(apic.hasInterrupt()).toBe(false);
    expect(apic.read(APIC_IRR + 0x20)).toBe(0);
  });

  it('clears remote IRR through its own EOI register (version 0x20)', () => {
    const { route, ioapic, apic, ioapicRead } = machine();
    route(10, 0x41 | LEVEL);
    ioapic.setIrq(10, true);
    apic.acknowledge();
    ioapic.setIrq(10, false);
    ioapic.write(IOAPIC_EOI, 0x41);
    expect(ioapicRead(IOAPIC_REG_REDTBL_BASE + 20) & REDIR_REMOTE_IRR).toBe(0);
  });

  it('delivers a level interrupt held while masked once it is unmasked', () => {
    const { route, ioapic, apic } = machine();
    route(11, 0x42 | LEVEL | MASKED);
    ioapic.setIrq(11, true);
    expect(apic.hasInterrupt()).toBe(false);
    route(11, 0x42 | LEVEL);
    expect(apic.acknowledge()).toBe(0x42);
  });

  it('reaches the APIC named by a physical destination', () => {
    const { route, ioapic, apics } = machine(2);
    route(5, 0x50, 1);
    ioapic.setIrq(5, true);
    expect(apics[0].hasInterrupt()).toBe(false);
    expect(apics[1].acknowledge()).toBe(0x50);
  });

  it('reaches every APIC whose flat logical ID matches a logical destination', () => {
    const { route, ioapic, apics } = machine(3);
    apics[0].write(APIC_LDR, 0x01 << 24);
    apics[1].write(APIC_LDR, 0x02 << 24);
    apics[2].write(APIC_LDR, 0x04 << 24);
    route(5, 0x50 | LOGICAL, 0x05);
    ioapic.setIrq(5, true);
    expect(apics.map((a) => a.hasInterrupt())).toEqual([true, false, true]);
  });

  it('gives a lowest-priority interrupt to the APIC with the lowest task priority', () => {
    const { route, ioapic, apics } = machine(2);
    apics[0].write(APIC_LDR, 0x01 << 24);
    apics[1].write(APIC_LDR, 0x02 << 24);
    apics[0].write(APIC_TPR, 0x20);
    route(6, 0x60 | (1 << 8) | LOGICAL, 0x03);
    ioapic.setIrq(6, true);
    expect(apics[0].hasInterrupt()).toBe(false);
    expect(apics[1].acknowledge()).toBe(0x60);
  });

  it('sends an NMI for a pin in NMI delivery mode', () => {
    const { route, ioapic, apic } = machine();
    route(7, 4 << 8);
    ioapic.setIrq(7, true);
    expect(apic.pending() & CPU_INTERRUPT_NMI).toBe(CPU_INTERRUPT_NMI);
  });

  it('sends an INIT for a pin in INIT delivery mode', () => {
    const { route, ioapic, apic } = machine();
    route(7, 5 << 8);
    ioapic.setIrq(7, true);
    expect(apic.pending()).toBe(4);
  });

  it('lets the CPU fetch the 8259 vector for a pin in ExtINT mode', () => {
    const { route, ioapic, apic } = machine();
    const pics = new I8259Pair();
    apic.connectExtInt(pics);
    pics.master.write(0, 0x11);
    pics.master.write(1, 0x30);
    pics.master.write(1, 0x04);
    pics.master.write(1, 0x01);
    route(0, 7 << 8);
    pics.setIrq(0, true);
    ioapic.setIrq(0, true);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x30);
  });

  it('keeps read-only bits when a redirection entry is rewritten', () => {
    const { route, ioapic, ioapicRead, ioapicWrite } = machine();
    route(10, 0x41 | LEVEL);
    ioapic.setIrq(10, true);
    ioapicWrite(IOAPIC_REG_REDTBL_BASE + 20, 0x41 | LEVEL | MASKED | (1 << 12));
    const low = ioapicRead(IOAPIC_REG_REDTBL_BASE + 20);
    expect(low & REDIR_REMOTE_IRR).toBe(REDIR_REMOTE_IRR);
    expect(low & (1 << 12)).toBe(0);
  });

  it('logs a write to the read-only version register under guest_errors and ignores it', () => {
    const lines: string[] = [];
    const log = {
      enabled: (item: string) => item === 'guest_errors',
      write: (_: string, text: string) => lines.push(text),
    };
    const ioapic = new IoApic({ bus: new ApicBus(), log });
    ioapic.write(IOAPIC_IOREGSEL, IOAPIC_REG_VER);
    ioapic.write(IOAPIC_IOWIN, 0);
    expect(ioapic.read(IOAPIC_IOWIN)).toBe(0x00170020);
    expect(lines).toEqual(['ioapic: write to read-only register 0x1\n']);
  });

  it('restores a snapshot with the same registers', () => {
    const { route, ioapic, bus } = machine();
    route(10, 0x41 | LEVEL);
    route(3, 0x33, 1);
    ioapic.setIrq(10, true);
    const copy = IoApic.fromState(structuredClone(ioapic.state()), { bus });
    expect(copy.state()).toEqual(ioapic.state());
    expect(copy.info()).toBe(ioapic.info());
  });

  it('survives any sequence of guest accesses with reads that fit in a dword', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        offset: fc.constantFrom(0, 0x10, 0x40, 0x20, 0x44),
        value: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      fc.record({ kind: fc.constant('select' as const), index: fc.integer({ min: 0, max: 0x3f }) }),
      fc.record({
        kind: fc.constant('read' as const),
        offset: fc.constantFrom(0, 0x10, 0x40, 0x20),
      }),
      fc.record({
        kind: fc.constant('irq' as const),
        pin: fc.integer({ min: 0, max: 23 }),
        level: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('cpu' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const { ioapic, apic, bus } = machine();
        for (const o of ops) {
          switch (o.kind) {
            case 'write':
              ioapic.write(o.offset, o.value);
              break;
            case 'select':
              ioapic.write(IOAPIC_IOREGSEL, o.index);
              break;
            case 'read': {
              const v = ioapic.read(o.offset);
              expect(v >= 0 && v <= 0xffffffff).toBe(true);
              break;
            }
            case 'irq':
              ioapic.setIrq(o.pin, o.level);
              break;
            case 'cpu':
              if (apic.hasInterrupt()) apic.acknowledge();
              apic.write(APIC_EOI, 0);
          }
        }
        expect(IoApic.fromState(ioapic.state(), { bus }).state()).toEqual(ioapic.state());
      }),
      { numRuns: 200 },
    );
  });
});
