import { ManualTime } from '../testing/manual-time.js';
import {
  HPET_CFG,
  HPET_CFG_ENABLE,
  HPET_CFG_LEGACY,
  HPET_TIMER_BASE,
  HPET_TN_32BIT,
  HPET_TN_CFG,
  HPET_TN_CMP,
  HPET_TN_ENABLE,
  HPET_TN_PERIODIC,
  HPET_TN_SETVAL,
  Hpet,
  I8254,
  PIT_CHANNEL0,
  PIT_CHANNEL2,
  PIT_CONTROL,
  PORTB_REGISTER,
  PORTB_TIMER2_GATE,
  PORTB_TIMER2_OUT,
  SystemControlPortB,
} from './index.js';

export function main(print: (line: string) => void): void {
  const time = new ManualTime();
  let irq0Edges = 0;
  let level = false;
  const irq0 = {
    set(l: boolean) {
      if (l && !level) irq0Edges++;
      level = l;
    },
  };
  const pit = new I8254({ time, irq: irq0 });
  const portB = new SystemControlPortB(pit);

  // Linux's TSC calibration: gate counter 2, mode 0, 10 ms, poll OUT in port 0x61.
  portB.write(PORTB_REGISTER, PORTB_TIMER2_GATE);
  pit.write(PIT_CONTROL, 0xb0);
  pit.write(PIT_CHANNEL2, 11931 & 0xff);
  pit.write(PIT_CHANNEL2, 11931 >> 8);
  while (!(portB.read(PORTB_REGISTER) & PORTB_TIMER2_OUT)) time.advance(1000);
  print(`counter 2 reached terminal count after ${time.now() / 1e6} ms`);

  // The system tick: counter 0 in mode 2 at 1000 Hz (Linux's LATCH for HZ=1000).
  pit.write(PIT_CONTROL, 0x34);
  pit.write(PIT_CHANNEL0, 1193 & 0xff);
  pit.write(PIT_CHANNEL0, 1193 >> 8);
  irq0Edges = 0;
  time.advance(1e9);
  print(`IRQ0 ticks in one second: ${irq0Edges}`);

  // The HPET takes IRQ0 over in legacy replacement mode with a 1 ms periodic timer 0.
  const hpet = new Hpet({ time, irqs: [irq0], pitEnable: { set: (on) => pit.setIrqEnabled(on) } });
  const timer0 = HPET_TIMER_BASE;
  hpet.write(
    timer0 + HPET_TN_CFG,
    HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL | HPET_TN_32BIT,
  );
  hpet.write(timer0 + HPET_TN_CMP, 100_000);
  hpet.write(timer0 + HPET_TN_CMP, 100_000);
  hpet.write(HPET_CFG, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
  irq0Edges = 0;
  time.advance(1e9);
  print(`IRQ0 ticks in one second: ${irq0Edges}`);
}
