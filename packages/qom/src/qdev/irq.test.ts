import { describe, expect, test } from 'vitest';
import { toyTree } from '../../test/toy-devices.js';
import { type Result, unwrap } from '../errors.js';
import { TypeRegistry } from '../object/registry.js';
import { defineDevice } from './define.js';
import { Device } from './device.js';
import { IrqLine, OutputLine, splitIrq } from './irq.js';
import { MAX_SPLIT_LINES, type SplitIrq } from './split-irq.js';
import { TYPE_SPLIT_IRQ } from './type-names.js';

function message(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.message;
}

/** An input line that records every level it receives. */
function recorder(): { line: IrqLine; levels: number[] } {
  const levels: number[] = [];
  return { line: new IrqLine((level) => levels.push(level)), levels };
}

describe('input lines', () => {
  test('raise, lower, pulse and set deliver 0/1 levels to the handler', () => {
    const { line, levels } = recorder();
    line.raise();
    line.lower();
    line.pulse();
    line.set(true);
    line.set(false);
    line.set(7);
    expect(levels).toEqual([1, 0, 1, 0, 1, 0, 1]);
    expect(line.level).toBe(1);
  });
});

describe('output lines', () => {
  test('an unconnected output does nothing; a connected one drives its input', () => {
    const out = new OutputLine('irq', 0);
    out.raise();
    expect(out.level).toBe(1);
    const { line, levels } = recorder();
    out.connect(line);
    out.lower();
    out.pulse();
    expect(levels).toEqual([0, 1, 0]);
    expect(out.connected).toBe(true);
  });

  test('an output drives one input: a second connect is refused', () => {
    const out = new OutputLine('irq', 2, () => "device '/machine/pit'");
    out.connect(recorder().line);
    expect(() => out.connect(recorder().line)).toThrow(
      "Output line 'irq[2]' of device '/machine/pit' is already connected; use splitIrq or a split-irq device to drive several inputs",
    );
    out.disconnect();
    expect(() => out.connect(recorder().line)).not.toThrow();
  });

  test('splitIrq fans one output out to several inputs', () => {
    const a = recorder();
    const b = recorder();
    const c = recorder();
    const out = new OutputLine('irq', 0);
    out.connect(splitIrq([a.line, b.line, c.line]));
    out.raise();
    out.pulse();
    out.lower();
    for (const r of [a, b, c]) {
      expect(r.levels).toEqual([1, 1, 0, 0]);
    }
  });
});

describe('device GPIO lines', () => {
  class Pic extends Device {
    readonly received: string[] = [];
    readonly inputs = this.inputLines('irq', 8, (n, level) => this.received.push(`${n}=${level}`));
    readonly resetPin = this.inputLine('reset', (level) => this.received.push(`reset=${level}`));
    readonly intr = this.outputLine('intr');
  }
  const PIC = defineDevice({ name: 'toy-pic', instance: Pic });

  test('named input lines carry their index to the handler', () => {
    const registry = new TypeRegistry();
    registry.register(PIC);
    const pic = registry.objectNew(PIC);
    pic.getGpioIn('irq', 4).raise();
    pic.getGpioIn('irq', 4).lower();
    pic.getGpioIn('reset').pulse();
    expect(pic.received).toEqual(['4=1', '4=0', 'reset=1', 'reset=0']);
    expect([...pic.gpioInputs().keys()]).toEqual(['irq', 'reset']);
    expect(pic.gpioInputs().get('irq')?.length).toBe(8);
    expect(pic.getGpioIn('irq', 7).name).toBe('irq[7]');
  });

  test('a device output connects to another device input', () => {
    const registry = new TypeRegistry();
    registry.register(PIC);
    const master = registry.objectNew(PIC);
    const slave = registry.objectNew(PIC);
    slave.connectGpioOut('intr', 0, master.getGpioIn('irq', 2));
    slave.intr.raise();
    expect(master.received).toEqual(['2=1']);
    expect(slave.getGpioOut('intr')).toBe(slave.intr);
  });

  test('asking for a missing line throws with the lines there are', () => {
    const registry = new TypeRegistry();
    registry.register(PIC);
    const pic = registry.objectNew(PIC);
    let error: unknown;
    try {
      pic.getGpioIn('irq', 8);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      message: "Device '<unattached toy-pic>' has no input line 'irq[8]'",
      hint: 'Its input lines: irq[0..7], reset[0..0]',
    });
    expect(() => pic.getGpioOut('nmi')).toThrow("has no output line 'nmi[0]'");
  });

  test('an output from a toy device reaches several devices through a split-irq device', () => {
    const { registry, bus, bridge, devA } = toyTree();
    unwrap(bridge.realize());
    unwrap(devA.realize(bus));
    const a = recorder();
    const b = recorder();
    const c = recorder();
    const splitter = registry.objectNew(TYPE_SPLIT_IRQ) as SplitIrq;
    unwrap(splitter.setPropertyFromString('num-lines', '3'));
    unwrap(splitter.realize());
    splitter.connectGpioOut('out', 0, a.line);
    splitter.connectGpioOut('out', 1, b.line);
    splitter.connectGpioOut('out', 2, c.line);
    devA.irq.connect(splitter.getGpioIn('in'));
    devA.irq.raise();
    devA.irq.lower();
    devA.irq.pulse();
    for (const r of [a, b, c]) {
      expect(r.levels).toEqual([1, 0, 1, 0]);
    }
    expect(splitter.outputs.length).toBe(3);
  });

  test('split-irq refuses zero or too many lines', () => {
    const registry = new TypeRegistry();
    const splitter = registry.objectNew(TYPE_SPLIT_IRQ) as SplitIrq;
    expect(message(splitter.realize())).toBe(
      'IRQ splitter number of lines 0 is not between 1 and 16',
    );
    expect(
      message(splitter.setPropertyFromString('num-lines', String(MAX_SPLIT_LINES + 1))),
    ).toContain('expected an integer from 0 to 16 (uint16)');
  });
});
