import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceTime } from '../device-env.js';
import { ManualTime } from '../testing/manual-time.js';
import { ApicBus } from './apic-bus.js';
import {
  CPU_INTERRUPT_HARD,
  CPU_INTERRUPT_INIT,
  CPU_INTERRUPT_NMI,
  CPU_INTERRUPT_SIPI,
} from './cpu-interrupts.js';
import { I8259Pair } from './i8259-pair.js';
import { LocalApic, type LocalApicOptions } from './local-apic.js';
import {
  APIC_EOI,
  APIC_ESR,
  APIC_ICR_HIGH,
  APIC_ICR_LOW,
  APIC_ID,
  APIC_ISR,
  APIC_LVT_ERROR,
  APIC_LVT_LINT0,
  APIC_LVT_LINT1,
  APIC_LVT_TIMER,
  APIC_PPR,
  APIC_SVR,
  APIC_TIMER_CURRENT_COUNT,
  APIC_TIMER_DIVIDE,
  APIC_TIMER_INITIAL_COUNT,
  APIC_TMR,
  APIC_TPR,
  APIC_VERSION,
  ESR_SEND_ILLEGAL_VECTOR,
  SVR_APIC_ENABLED,
} from './local-apic-regs.js';

function setup(extra: Partial<LocalApicOptions> = {}) {
  const time = new ManualTime();
  const bus = new ApicBus();
  let kicks = 0;
  const apic = new LocalApic({ bus, time, id: 0, kick: () => kicks++, ...extra });
  return { time, bus, apic, kicks: () => kicks };
}

/** Take every pending interrupt as a CPU with IF=1 would, EOI-ing each; return the vectors. */
function serviceAll(apic: LocalApic): number[] {
  const vectors: number[] = [];
  while (apic.hasInterrupt()) {
    vectors.push(apic.acknowledge());
    apic.write(APIC_EOI, 0);
  }
  return vectors;
}

const TIMER_VECTOR = 0xec; // Linux's LOCAL_TIMER_VECTOR

describe('local APIC', () => {
  it('comes out of reset as QEMU describes it', () => {
    const { apic } = setup();
    expect(apic.readBaseMsr()).toBe(0xfee00900);
    expect(apic.read(APIC_VERSION)).toBe(0x00050014);
    expect(apic.read(APIC_SVR)).toBe(0xff);
    expect(apic.read(APIC_LVT_TIMER)).toBe(0x10000);
    expect(apic.read(APIC_LVT_LINT0)).toBe(0x700); // the BSP's virtual wire
  });

  it('does not mark an application processor as BSP and leaves its LINT0 masked', () => {
    const { apic } = setup({ id: 1 });
    expect(apic.readBaseMsr()).toBe(0xfee00800);
    expect(apic.read(APIC_LVT_LINT0)).toBe(0x10000);
    expect(apic.read(APIC_ID)).toBe(0x01000000);
  });

  it('fires a one-shot timer once after initial count x divider ns', () => {
    const { apic, time } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_TIMER_DIVIDE, 0x3); // divide by 16
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR);
    apic.write(APIC_TIMER_INITIAL_COUNT, 1000);
    time.advance(8000);
    expect(apic.read(APIC_TIMER_CURRENT_COUNT)).toBe(500);
    expect(apic.hasInterrupt()).toBe(false);
    time.advance(8000);
    expect(serviceAll(apic)).toEqual([TIMER_VECTOR]);
    expect(apic.read(APIC_TIMER_CURRENT_COUNT)).toBe(0);
    time.advance(100_000);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('fires a short one-shot count even when the clock moves while the count is written', () => {
    // A host-driven virtual clock runs on between two readings; Linux's clockevent programs
    // counts as short as a few dozen ticks (62 x 16 ns here) and waits for their interrupt.
    const base = new ManualTime();
    let drift = 0;
    const running: DeviceTime = {
      now: () => {
        drift += 1000;
        return base.now() + drift;
      },
      newTimer: (callback) => base.newTimer(callback),
    };
    const { apic } = setup({ time: running });
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_TIMER_DIVIDE, 0x3); // divide by 16
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR);
    apic.write(APIC_TIMER_INITIAL_COUNT, 62);
    base.advance(100_000);
    expect(serviceAll(apic)).toEqual([TIMER_VECTOR]);
  });

  it('fires a periodic timer every period and reloads the count', () => {
    const { apic, time } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_TIMER_DIVIDE, 0xb); // divide by 1
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR | (1 << 17));
    apic.write(APIC_TIMER_INITIAL_COUNT, 10_000); // 10 µs
    let ticks = 0;
    for (let i = 0; i < 10; i++) {
      time.advance(10_000);
      ticks += serviceAll(apic).length;
    }
    expect(ticks).toBe(10);
    time.advance(2_500);
    expect(apic.read(APIC_TIMER_CURRENT_COUNT)).toBe(7_500);
  });

  it('counts while masked but delivers nothing', () => {
    const { apic, time } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR | 0x10000);
    apic.write(APIC_TIMER_INITIAL_COUNT, 100);
    time.advance(1000);
    expect(apic.hasInterrupt()).toBe(false);
    expect(apic.read(APIC_TIMER_CURRENT_COUNT)).toBe(0);
  });

  it('offers TSC-deadline mode only when the property enables it', () => {
    const plain = setup().apic;
    plain.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    plain.write(APIC_LVT_TIMER, TIMER_VECTOR | (2 << 17));
    expect(plain.read(APIC_LVT_TIMER)).toBe(TIMER_VECTOR);

    const { apic, time } = setup({ tscDeadline: true, tscFrequencyHz: 2e9 });
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR | (2 << 17));
    apic.writeTscDeadline(20_000); // 10 µs at 2 GHz
    time.advance(9_999);
    expect(apic.hasInterrupt()).toBe(false);
    time.advance(1);
    expect(serviceAll(apic)).toEqual([TIMER_VECTOR]);
    expect(apic.readTscDeadline()).toBe(0);
  });

  it('holds an interrupt whose class is not above the task priority', () => {
    const { apic } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_TPR, 0x50);
    apic.write(APIC_ICR_LOW, 0x45 | (1 << 18)); // self IPI, vector 0x45
    expect(apic.hasInterrupt()).toBe(false);
    apic.write(APIC_TPR, 0x30);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x45);
  });

  it('raises the processor priority to the in-service class', () => {
    const { apic } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_TPR, 0x21);
    apic.write(APIC_ICR_LOW, 0x61 | (1 << 18));
    apic.acknowledge();
    expect(apic.read(APIC_PPR)).toBe(0x60);
    apic.write(APIC_ICR_LOW, 0x62 | (1 << 18)); // same class: waits for the EOI
    expect(apic.hasInterrupt()).toBe(false);
    apic.write(APIC_ICR_LOW, 0x71 | (1 << 18)); // higher class: nests
    expect(apic.acknowledge()).toBe(0x71);
    expect(apic.read(APIC_ISR + 0x30)).toBe((1 << 1) | (1 << 17)); // 0x61 and 0x71
  });

  it('answers with the spurious vector when TPR rose between request and INTA', () => {
    const { apic } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xef);
    apic.write(APIC_ICR_LOW, 0x45 | (1 << 18));
    expect(apic.hasInterrupt()).toBe(true);
    apic.write(APIC_TPR, 0xf0);
    expect(apic.acknowledge()).toBe(0xef);
  });

  it('records a level-triggered vector in the TMR', () => {
    const { apic } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.receive(0, 0x41, 1);
    expect(apic.read(APIC_TMR + 0x20)).toBe(1 << 1);
  });

  it('sends a fixed IPI to all but itself', () => {
    const { apic, bus, time } = setup();
    const other = new LocalApic({ bus, time, id: 1 });
    for (const a of [apic, other]) a.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_ICR_LOW, 0xfd | (3 << 18));
    expect(apic.hasInterrupt()).toBe(false);
    expect(other.acknowledge()).toBe(0xfd);
  });

  it('starts an application processor with INIT then SIPI', () => {
    const { apic, bus, time } = setup();
    let apKicks = 0;
    const ap = new LocalApic({ bus, time, id: 1, kick: () => apKicks++ });
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_ICR_HIGH, 1 << 24);
    apic.write(APIC_ICR_LOW, 0x4500); // INIT, level assert
    expect(ap.pending()).toBe(CPU_INTERRUPT_INIT);
    ap.acknowledgeInit();
    expect(ap.waitingForSipi).toBe(true);
    apic.write(APIC_ICR_LOW, 0x8500); // INIT level de-assert: no effect
    expect(ap.pending()).toBe(0);
    apic.write(APIC_ICR_LOW, 0x4609); // start-up at 0x9000
    expect(ap.pending()).toBe(CPU_INTERRUPT_SIPI);
    expect(ap.acknowledgeSipi()).toBe(0x09);
    expect(ap.waitingForSipi).toBe(false);
    apic.write(APIC_ICR_LOW, 0x4609); // a second SIPI finds it running: ignored
    expect(ap.pending()).toBe(0);
    expect(apKicks).toBe(2);
  });

  it('signals an illegal IPI vector in the ESR, latched by an ESR write', () => {
    const { apic } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_ERROR, 0xfe);
    apic.write(APIC_ICR_LOW, 0x05 | (1 << 18));
    expect(apic.read(APIC_ESR)).toBe(0);
    apic.write(APIC_ESR, 0);
    expect(apic.read(APIC_ESR)).toBe(ESR_SEND_ILLEGAL_VECTOR);
    expect(serviceAll(apic)).toEqual([0xfe]); // the error LVT
  });

  it('passes 8259 interrupts through LINT0 in virtual-wire mode', () => {
    const { apic, kicks } = setup();
    const pics = new I8259Pair({ output: apic.lint0 });
    apic.connectExtInt(pics);
    pics.master.write(0, 0x11);
    pics.master.write(1, 0x20);
    pics.master.write(1, 0x04);
    pics.master.write(1, 0x01);
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_LINT0, 0x700);
    pics.setIrq(0, true);
    expect(apic.pending()).toBe(CPU_INTERRUPT_HARD);
    expect(kicks()).toBe(1);
    expect(apic.acknowledge()).toBe(0x20);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('blocks the 8259 when LINT0 is masked', () => {
    const { apic } = setup();
    const pics = new I8259Pair({ output: apic.lint0 });
    apic.connectExtInt(pics);
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_LINT0, 0x10700);
    pics.setIrq(0, true);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('keeps the 8259 path working while the APIC is disabled in IA32_APIC_BASE', () => {
    const { apic } = setup();
    const pics = new I8259Pair({ output: apic.lint0 });
    apic.connectExtInt(pics);
    pics.master.write(0, 0x11);
    pics.master.write(1, 0x08);
    pics.master.write(1, 0x04);
    pics.master.write(1, 0x01);
    expect(apic.writeBaseMsr(0xfee00000 + 0x100)).toBe(true); // clear the enable bit
    expect(apic.hardwareEnabled).toBe(false);
    pics.setIrq(1, true);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x09);
  });

  it('refuses reserved bits in IA32_APIC_BASE (the CPU raises #GP)', () => {
    const { apic } = setup();
    expect(apic.writeBaseMsr(0xfee00900 + 0x400)).toBe(false); // x2APIC enable
    expect(apic.writeBaseMsr(2 ** 40)).toBe(false);
    expect(apic.readBaseMsr()).toBe(0xfee00900);
  });

  it('moves the MMIO page where IA32_APIC_BASE says', () => {
    const { apic } = setup();
    expect(apic.writeBaseMsr(0xfed00000 + 0x800)).toBe(true);
    expect(apic.mmioAddress).toBe(0xfed00000);
    expect(apic.readBaseMsr()).toBe(0xfed00900);
  });

  it('latches an NMI on a LINT1 rising edge when LINT1 is programmed as NMI', () => {
    const { apic } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_LINT1, 0x400);
    apic.lint1.set(true);
    expect(apic.pending()).toBe(CPU_INTERRUPT_NMI);
    apic.acknowledgeNmi();
    expect(apic.pending()).toBe(0);
  });

  it('masks every LVT entry when software-disabled through the SVR', () => {
    const { apic } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR);
    apic.write(APIC_SVR, 0xff);
    expect(apic.read(APIC_LVT_TIMER)).toBe(TIMER_VECTOR | 0x10000);
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR);
    expect(apic.read(APIC_LVT_TIMER)).toBe(TIMER_VECTOR | 0x10000);
  });

  it('restores a snapshot: registers, the running timer and the pending interrupt', () => {
    const { apic, time } = setup();
    apic.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
    apic.write(APIC_LVT_TIMER, TIMER_VECTOR | (1 << 17));
    apic.write(APIC_TIMER_DIVIDE, 0xb);
    apic.write(APIC_TIMER_INITIAL_COUNT, 1000);
    apic.write(APIC_ICR_LOW, 0x45 | (1 << 18));
    time.advance(300);
    const time2 = new ManualTime();
    time2.advanceTo(time.now());
    let kicked = 0;
    const copy = LocalApic.fromState(structuredClone(apic.state()), {
      bus: new ApicBus(),
      time: time2,
      id: 0,
      kick: () => kicked++,
    });
    expect(copy.state()).toEqual(apic.state());
    expect(kicked).toBe(1);
    expect(copy.read(APIC_TIMER_CURRENT_COUNT)).toBe(700);
    time2.advance(700);
    expect(serviceAll(copy)).toEqual([TIMER_VECTOR, 0x45]);
  });

  it('survives any sequence of guest accesses with reads that fit in a dword', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        reg: fc.integer({ min: 0, max: 0x3f }),
        value: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      fc.record({ kind: fc.constant('read' as const), reg: fc.integer({ min: 0, max: 0x3f }) }),
      fc.record({
        kind: fc.constant('odd' as const),
        offset: fc.integer({ min: 0, max: 0xfff }),
        size: fc.constantFrom(1, 2, 4),
      }),
      fc.record({ kind: fc.constant('msr' as const), value: fc.integer({ min: 0, max: 2 ** 37 }) }),
      fc.record({ kind: fc.constant('time' as const), ns: fc.integer({ min: 0, max: 50_000 }) }),
      fc.record({ kind: fc.constant('cpu' as const) }),
      fc.record({ kind: fc.constant('lint' as const), pin: fc.boolean(), level: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const { apic, time, bus } = setup({ tscDeadline: true });
        const pics = new I8259Pair({ output: apic.lint0 });
        apic.connectExtInt(pics);
        const other = new LocalApic({ bus, time, id: 1 });
        for (const o of ops) {
          switch (o.kind) {
            case 'write':
              apic.write(o.reg << 4, o.value);
              break;
            case 'read': {
              const v = apic.read(o.reg << 4);
              expect(v >= 0 && v <= 0xffffffff && Number.isInteger(v)).toBe(true);
              break;
            }
            case 'odd':
              apic.read(o.offset, o.size);
              apic.write(o.offset, 0xffffffff, o.size);
              break;
            case 'msr':
              apic.writeBaseMsr(o.value);
              break;
            case 'time':
              time.advance(o.ns);
              break;
            case 'cpu':
              for (const a of [apic, other]) {
                if (a.hasInterrupt()) {
                  const v = a.acknowledge();
                  expect(v >= -1 && v <= 0xff).toBe(true);
                }
                if (a.pending() & CPU_INTERRUPT_INIT) a.acknowledgeInit();
                if (a.pending() & CPU_INTERRUPT_SIPI) a.acknowledgeSipi();
                a.acknowledgeNmi();
              }
              break;
            case 'lint':
              if (o.pin) pics.setIrq(3, o.level);
              else apic.lint1.set(o.level);
          }
        }
        const restored = LocalApic.fromState(apic.state(), {
          bus: new ApicBus(),
          time,
          id: 0,
          tscDeadline: true,
        });
        expect(restored.state()).toEqual(apic.state());
      }),
      { numRuns: 200 },
    );
  });
});
