import { MemoryCore } from '@tsemu/memory';
import { IrqLine, loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { createI440fxPiix, I440FX_PIIX_TYPES } from '../pci-host/i440fx-piix.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { PM_TIMER_FREQUENCY, pmTimerTicks, pmTimerTicksToNs } from './acpi-pm.js';

const PM = 0x0b; // devfn of 00:01.3
const PM_BASE = 0x600; // where SeaBIOS puts it when QEMU provides ACPI tables
const SMB_BASE = 0xb100;

function pc() {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', 0x100000);
  system.addSubregion(0, ram);
  const registry = new TypeRegistry();
  registry.registerAll(I440FX_PIIX_TYPES);
  const time = new ManualTime();
  const requests: string[] = [];
  const chipset = createI440fxPiix({
    registry,
    memory,
    system,
    io,
    ram,
    belowFourGig: 0x100000,
    time,
    requests: {
      reset: (cause) => requests.push(`reset ${cause}`),
      shutdown: (cause) => requests.push(`shutdown ${cause}`),
      suspend: () => requests.push('suspend'),
    },
  });
  const irq9 = new IrqRecorder();
  chipset.isaBus.registerInputIrqs(
    Array.from({ length: 16 }, (_, n) => new IrqLine((l) => n === 9 && irq9.set(l !== 0))),
  );
  const ports = memory.addressSpace('I/O', io);
  const select = (reg: number) =>
    ports.write(0xcf8, 4, (0x80000000 | (PM << 8) | (reg & 0xfc)) >>> 0);
  const m = {
    time,
    requests,
    irq9,
    ports,
    pm: chipset.pm!,
    writeb(reg: number, v: number) {
      select(reg);
      ports.write(0xcfc + (reg & 3), 1, v);
    },
    writel(reg: number, v: number) {
      select(reg);
      ports.write(0xcfc, 4, v);
    },
    readl(reg: number) {
      select(reg);
      return ports.read(0xcfc, 4) >>> 0;
    },
    /** SeaBIOS's piix4_pm_config_setup. */
    biosSetup() {
      m.writeb(0x3c, 9);
      m.writel(0x40, PM_BASE | 1);
      m.writeb(0x80, 0x01);
      m.writel(0x90, SMB_BASE | 1);
      m.writeb(0xd2, 0x09);
    },
  };
  return m;
}

describe('PIIX4 PM I/O block', () => {
  it('is absent until firmware programs PMBA and sets PMIOSE', () => {
    const m = pc();
    expect(m.readl(0x40)).toBe(1);
    expect(m.ports.read(PM_BASE + 8, 4) >>> 0).toBe(0xffffffff);
    m.writel(0x40, PM_BASE | 1);
    expect(m.ports.read(PM_BASE + 8, 4) >>> 0).toBe(0xffffffff);
    m.writeb(0x80, 0x01);
    expect(m.ports.read(PM_BASE + 8, 4) >>> 0).not.toBe(0xffffffff);
    expect(m.pm.pmIoBase).toBe(PM_BASE);
    // PMBA keeps bit 0 (I/O space) and ignores bits below the 64-byte alignment.
    m.writel(0x40, 0xb03f);
    expect(m.readl(0x40)).toBe(0xb001);
  });
});

describe('ACPI PM timer', () => {
  it('counts at 3.579545 MHz from the virtual clock', () => {
    const m = pc();
    m.biosSetup();
    m.time.advanceTo(1_000_000); // 1 ms
    const t0 = m.ports.read(PM_BASE + 8, 4);
    expect(t0).toBe(3579);
    m.time.advance(1_000_000_000);
    const t1 = m.ports.read(PM_BASE + 8, 4);
    expect(t1 - t0).toBe(PM_TIMER_FREQUENCY);
  });

  it('is 24 bits wide and wraps after 2^24 ticks (about 4.69 s)', () => {
    const m = pc();
    m.biosSetup();
    m.time.advanceTo(pmTimerTicksToNs(0xffffff));
    expect(m.ports.read(PM_BASE + 8, 4)).toBe(0xffffff);
    m.time.advanceTo(pmTimerTicksToNs(0x1000002));
    expect(m.ports.read(PM_BASE + 8, 4)).toBe(2);
  });

  it('stays exact late in a run (no rounding drift after hours)', () => {
    const hours = 10 * 3600 * 1e9 + 123_456_789;
    expect(pmTimerTicks(hours)).toBe(
      10 * 3600 * PM_TIMER_FREQUENCY + Math.floor(0.123456789 * PM_TIMER_FREQUENCY),
    );
    expect(pmTimerTicks(pmTimerTicksToNs(987_654_321_123))).toBe(987_654_321_123);
  });

  it('sets TMR_STS when bit 23 changes, and raises the SCI with TMR_EN', () => {
    const m = pc();
    m.biosSetup();
    m.ports.write(PM_BASE, 2, 0xffff); // clear status: arms the next overflow at tick 2^23
    expect(m.ports.read(PM_BASE, 2) & 1).toBe(0);
    m.ports.write(PM_BASE + 2, 2, 0x0001); // TMR_EN
    m.time.advanceTo(pmTimerTicksToNs(0x800000) - 1);
    expect(m.irq9.level).toBe(false);
    m.time.advanceTo(pmTimerTicksToNs(0x800000));
    expect(m.irq9.level).toBe(true);
    expect(m.ports.read(PM_BASE, 2) & 1).toBe(1);
    m.ports.write(PM_BASE, 2, 0x0001); // acknowledge: SCI drops, next overflow at 2^24
    expect(m.irq9.level).toBe(false);
    m.time.advanceTo(pmTimerTicksToNs(0x1000000));
    expect(m.irq9.level).toBe(true);
  });
});

describe('ACPI PM1 control: sleep states', () => {
  it('asks for a guest-shutdown power-off on S5 (SLP_TYP 0 with SLP_EN)', () => {
    const m = pc();
    m.biosSetup();
    m.ports.write(PM_BASE + 4, 2, (0 << 10) | 0x2000 | 1);
    expect(m.requests).toEqual(['shutdown guest-shutdown']);
    expect(m.ports.read(PM_BASE + 4, 2) & 0x2000).toBe(0); // SLP_EN reads as 0
  });

  it('asks for suspend on S3 and power-off on S4; other types do nothing', () => {
    const m = pc();
    m.biosSetup();
    m.ports.write(PM_BASE + 4, 2, (1 << 10) | 0x2000);
    m.ports.write(PM_BASE + 4, 2, (2 << 10) | 0x2000);
    m.ports.write(PM_BASE + 4, 2, (5 << 10) | 0x2000);
    m.ports.write(PM_BASE + 4, 2, 5 << 10); // no SLP_EN
    expect(m.requests).toEqual(['suspend', 'shutdown guest-shutdown']);
  });

  it('turns SCI_EN on and off through the APM port (ACPI_ENABLE 0xf1, ACPI_DISABLE 0xf0)', () => {
    const m = pc();
    m.biosSetup();
    expect(m.ports.read(PM_BASE + 4, 2) & 1).toBe(0);
    m.ports.write(0xb2, 1, 0xf1);
    expect(m.ports.read(PM_BASE + 4, 2) & 1).toBe(1);
    expect(m.ports.read(0xb2, 1)).toBe(0xf1);
    m.ports.write(0xb2, 1, 0xf0);
    expect(m.ports.read(PM_BASE + 4, 2) & 1).toBe(0);
    m.ports.write(0xb3, 1, 0x5a);
    expect(m.ports.read(0xb3, 1)).toBe(0x5a);
  });

  it('raises the SCI for the power button and GPE events when enabled', () => {
    const m = pc();
    m.biosSetup();
    m.pm.powerButton();
    expect(m.irq9.level).toBe(false);
    m.ports.write(PM_BASE + 2, 2, 0x0100); // PWRBTN_EN
    m.pm.powerButton();
    expect(m.irq9.level).toBe(true);
    m.ports.write(PM_BASE, 2, 0x0100);
    expect(m.irq9.level).toBe(false);
    m.ports.write(0xafe2, 1, 0x02); // GPE0_EN bit 1
    m.pm.acpi.raiseGpe(1);
    expect(m.irq9.level).toBe(true);
    expect(m.ports.read(0xafe0, 1)).toBe(0x02);
    m.ports.write(0xafe0, 1, 0x02); // write 1 to clear
    expect(m.irq9.level).toBe(false);
  });
});

describe('PIIX4 SMBus', () => {
  it('answers DEV_ERR for every address on an empty bus, as a driver probing sees', () => {
    const m = pc();
    m.biosSetup();
    m.ports.write(SMB_BASE + 0x00, 1, 0xff); // clear status
    m.ports.write(SMB_BASE + 0x04, 1, (0x50 << 1) | 1); // read from an SPD EEPROM address
    m.ports.write(SMB_BASE + 0x03, 1, 0x00);
    m.ports.write(SMB_BASE + 0x02, 1, 0x40 | (2 << 2)); // START, byte data
    expect(m.ports.read(SMB_BASE + 0x00, 1) & 0x04).toBe(0x04);
  });

  it('runs byte and word transactions against an attached device', () => {
    const memory = pc();
    const m = memory;
    m.biosSetup();
    const regs = new Map<number, number>([[0x02, 0x0c]]);
    m.pm.smbus.attach({
      address: 0x50,
      readByte: (cmd) => regs.get(cmd) ?? 0xff,
      writeWord: (cmd, v) => regs.set(cmd, v),
    });
    m.ports.write(SMB_BASE + 0x04, 1, (0x50 << 1) | 1);
    m.ports.write(SMB_BASE + 0x03, 1, 0x02);
    m.ports.write(SMB_BASE + 0x02, 1, 0x40 | (2 << 2));
    expect(m.ports.read(SMB_BASE + 0x00, 1)).toBe(0x02);
    expect(m.ports.read(SMB_BASE + 0x05, 1)).toBe(0x0c);
    m.ports.write(SMB_BASE + 0x00, 1, 0xff);
    m.ports.write(SMB_BASE + 0x04, 1, 0x50 << 1);
    m.ports.write(SMB_BASE + 0x03, 1, 0x10);
    m.ports.write(SMB_BASE + 0x05, 1, 0x34);
    m.ports.write(SMB_BASE + 0x06, 1, 0x12);
    m.ports.write(SMB_BASE + 0x02, 1, 0x40 | (3 << 2));
    expect(regs.get(0x10)).toBe(0x1234);
  });

  it('moves with SMBBA and disappears without SMB_HST_EN', () => {
    const m = pc();
    expect(m.pm.smbusIoBase).toBe(SMB_BASE); // QEMU's pc machine enables it at 0xb100
    m.writeb(0xd2, 0x08);
    m.ports.write(SMB_BASE + 0x03, 1, 0x77);
    expect(m.ports.read(SMB_BASE + 0x03, 1)).toBe(0xff);
    m.writel(0x90, 0xc001);
    m.writeb(0xd2, 0x09);
    m.ports.write(0xc003, 1, 0x77);
    expect(m.ports.read(0xc003, 1)).toBe(0x77);
  });
});

describe('PIIX4 PM reset and state', () => {
  it("has QEMU's identity and marks SMM as set up (APMC_EN)", () => {
    const m = pc();
    expect(m.readl(0x00)).toBe(0x71138086);
    expect(m.readl(0x08) & 0xff).toBe(0x03);
    expect(m.readl(0x58) >>> 24).toBe(0x02);
    expect((m.readl(0x3c) >>> 8) & 0xff).toBe(1); // INTA#
  });

  it('disables the PM block and clears its registers on reset', () => {
    const m = pc();
    m.biosSetup();
    m.ports.write(PM_BASE + 2, 2, 0x0100);
    m.ports.write(0xb2, 1, 0xf1);
    m.pm.reset();
    expect(m.readl(0x40)).toBe(1);
    expect(m.ports.read(PM_BASE + 2, 2)).toBe(0xffff);
    m.biosSetup();
    expect(m.ports.read(PM_BASE + 2, 2)).toBe(0);
    expect(m.ports.read(PM_BASE + 4, 2)).toBe(0);
  });

  it('saves and restores the ACPI registers, the PM block mapping and the SCI', () => {
    const m = pc();
    m.biosSetup();
    m.ports.write(PM_BASE + 2, 2, 0x0100);
    m.pm.powerButton();
    const saved = JSON.parse(JSON.stringify(saveDeviceState(m.pm)));
    m.pm.reset();
    expect(m.irq9.level).toBe(false);
    unwrap(loadDeviceState(m.pm, saved));
    expect(m.irq9.level).toBe(true);
    expect(m.ports.read(PM_BASE, 2) & 0x0100).toBe(0x0100);
  });

  it('describes the sleep states QEMU publishes in etc/system-states', () => {
    const m = pc();
    expect([...m.pm.systemStatesFile()]).toEqual([128, 0, 0, 129, 130, 128]);
  });
});
