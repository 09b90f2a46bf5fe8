import { ManualTime } from '../testing/manual-time.js';
import {
  Mc146818,
  REG_B_24H,
  REG_B_UIE,
  RTC_DATA,
  RTC_HOURS,
  RTC_INDEX,
  RTC_MINUTES,
  RTC_REG_B,
  RTC_REG_C,
  RTC_SECONDS,
} from './index.js';

export function main(print: (line: string) => void): void {
  const time = new ManualTime();
  const rtc = new Mc146818({
    time,
    baseTimeMs: Date.UTC(2024, 2, 5, 13, 45, 30), // `-rtc base=2024-03-05T13:45:30`
    irq: { set: (level) => print(`IRQ8 ${level ? 'raised' : 'lowered'}`) },
  });
  const cmosRead = (index: number) => {
    rtc.write(RTC_INDEX, index);
    return rtc.read(RTC_DATA);
  };
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  rtc.setCmosByte(0x3d, 0x21); // the machine's boot order for SeaBIOS

  print(`${hex(cmosRead(RTC_HOURS))}:${hex(cmosRead(RTC_MINUTES))}:${hex(cmosRead(RTC_SECONDS))}`);
  rtc.write(RTC_INDEX, RTC_REG_B);
  rtc.write(RTC_DATA, REG_B_24H | REG_B_UIE); // update-ended interrupt
  time.advance(1e9);
  print(`register C 0x${hex(cmosRead(RTC_REG_C))}`);
  print(`${hex(cmosRead(RTC_HOURS))}:${hex(cmosRead(RTC_MINUTES))}:${hex(cmosRead(RTC_SECONDS))}`);
}
