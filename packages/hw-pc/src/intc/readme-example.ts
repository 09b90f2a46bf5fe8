import { ManualTime } from '../testing/manual-time.js';
import {
  APIC_EOI,
  APIC_SVR,
  ApicBus,
  I8259Pair,
  IOAPIC_IOREGSEL,
  IOAPIC_IOWIN,
  IOAPIC_REG_REDTBL_BASE,
  IoApic,
  LocalApic,
  PIC_COMMAND,
  PIC_DATA,
  SVR_APIC_ENABLED,
} from './index.js';

export function main(print: (line: string) => void): void {
  const time = new ManualTime();
  const bus = new ApicBus();
  const cpu = new LocalApic({ bus, time, id: 0, kick: () => print('kick') });
  const pics = new I8259Pair({ output: cpu.lint0 });
  cpu.connectExtInt(pics);
  const ioapic = new IoApic({ bus });

  // The 8259 pair as Linux initializes it: vectors 0x30-0x3f.
  for (const [chip, base, cascade] of [
    [pics.master, 0x30, 0x04],
    [pics.slave, 0x38, 0x02],
  ] as const) {
    chip.write(PIC_COMMAND, 0x11);
    chip.write(PIC_DATA, base);
    chip.write(PIC_DATA, cascade);
    chip.write(PIC_DATA, 0x01);
  }
  pics.setIrq(1, true); // the keyboard, through LINT0 in virtual-wire mode
  print(`8259 vector 0x${cpu.acknowledge().toString(16)}`);
  pics.master.write(PIC_COMMAND, 0x20); // EOI

  // Now the IOAPIC: GSI 11, level-triggered, vector 0x41, to APIC 0.
  cpu.write(APIC_SVR, SVR_APIC_ENABLED | 0xff);
  ioapic.write(IOAPIC_IOREGSEL, IOAPIC_REG_REDTBL_BASE + 2 * 11);
  ioapic.write(IOAPIC_IOWIN, 0x41 | (1 << 15));
  ioapic.setIrq(11, true);
  print(`IOAPIC vector 0x${cpu.acknowledge().toString(16)}`);
  ioapic.setIrq(11, false); // the driver quietened its device...
  cpu.write(APIC_EOI, 0); // ...and the EOI clears remote IRR at the IOAPIC
  print(`remote IRR ${(ioapic.redirectionEntry(11)[0] >> 14) & 1}`);
}
