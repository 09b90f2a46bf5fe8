import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { err, type Result, unwrap } from '../errors.js';
import { TypeRegistry } from '../object/registry.js';
import { defineDevice } from '../qdev/define.js';
import { Device } from '../qdev/device.js';
import { IrqLine } from '../qdev/irq.js';
import { deviceStateDescription, loadDeviceState, saveDeviceState } from './device-state.js';
import { defineState, loadState, type SavedState, saveState, vmstate } from './state.js';

function message(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.message;
}

interface Channel {
  count: number;
  mode: number;
  gate: boolean;
}

const channelState = defineState<Channel>({
  name: 'toy-channel',
  fields: { count: vmstate.uint16(), mode: vmstate.uint8(), gate: vmstate.bool() },
});

/** A device whose state exercises every field kind, with an IRQ its state implies. */
class Widget extends Device {
  readonly irq = this.outputLine('irq');
  enabled = false;
  status = 0;
  counter = 0;
  delta = 0;
  big = 0;
  ratio = 0.5;
  regs = new Uint8Array(4);
  words = new Uint16Array(2);
  samples = new Float64Array(2);
  signed = new Int32Array(2);
  history = [0, 0, 0];
  channels: Channel[] = [
    { count: 0, mode: 0, gate: false },
    { count: 0, mode: 0, gate: false },
  ];
  latch: Channel = { count: 0, mode: 0, gate: false };
  /** Added in version 2 of the state. */
  extra = 0;
  postLoads = 0;

  get irqPending(): boolean {
    return (this.status & 1) !== 0;
  }
}

const WIDGET = defineDevice({
  name: 'widget',
  instance: Widget,
  state: {
    version: 2,
    minimumVersion: 1,
    fields: {
      enabled: vmstate.bool(),
      status: vmstate.uint8(),
      counter: vmstate.uint32(),
      delta: vmstate.int32(),
      big: vmstate.uint64(),
      ratio: vmstate.float64(),
      regs: vmstate.uint8Array(4),
      words: vmstate.uint16Array(2),
      samples: vmstate.float64Array(2),
      signed: vmstate.int32Array(2),
      history: vmstate.array(vmstate.uint8(), 3),
      channels: vmstate.array(vmstate.struct(channelState), 2),
      latch: vmstate.struct(channelState),
      extra: vmstate.uint16({ since: 2 }),
    },
    postLoad(widget) {
      widget.postLoads++;
      // Restoring state re-raises the interrupt the state implies.
      widget.irq.set(widget.irqPending);
      if (widget.counter === 0xdead) {
        return err('widget: counter 0xdead is not a state real hardware can be in');
      }
    },
  },
});

function widgets() {
  const registry = new TypeRegistry();
  registry.register(WIDGET);
  return () => registry.objectNew(WIDGET);
}

function busyWidget(make: () => Widget): Widget {
  const w = make();
  w.enabled = true;
  w.status = 0x81;
  w.counter = 0xfffffffe;
  w.delta = -5;
  w.big = 2 ** 40 + 3;
  w.ratio = Number.NaN;
  w.regs.set([1, 2, 3, 255]);
  w.words.set([0xbeef, 7]);
  w.samples.set([Number.NEGATIVE_INFINITY, 1.25]);
  w.signed.set([-1, 2 ** 31 - 1]);
  w.history = [9, 8, 7];
  w.channels[1] = { count: 0xffff, mode: 3, gate: true };
  w.latch.count = 42;
  w.extra = 17;
  return w;
}

describe('save and load', () => {
  test('a round trip through JSON text restores every field', () => {
    const make = widgets();
    const source = busyWidget(make);
    const saved = saveDeviceState(source);
    const text = JSON.stringify(saved);
    const target = make();
    const regs = target.regs;
    const inputLevels: number[] = [];
    target.irq.connect(new IrqLine((level) => inputLevels.push(level)));
    unwrap(loadDeviceState(target, JSON.parse(text)));
    expect(saveDeviceState(target)).toEqual(saved);
    expect(target.ratio).toBeNaN();
    expect(target.samples[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(target.channels[1]).toEqual({ count: 0xffff, mode: 3, gate: true });
    expect(target.big).toBe(2 ** 40 + 3);
    // Typed arrays are loaded in place.
    expect(target.regs).toBe(regs);
    expect(Array.from(target.regs)).toEqual([1, 2, 3, 255]);
    // postLoad ran and re-raised the IRQ.
    expect(target.postLoads).toBe(1);
    expect(inputLevels).toEqual([1]);
  });

  test('saved state is plain JSON with the name and version', () => {
    const saved = saveDeviceState(widgets()());
    expect(saved.name).toBe('widget');
    expect(saved.version).toBe(2);
    expect(saved.fields.regs).toEqual([0, 0, 0, 0]);
    expect(saved.fields.latch).toEqual({ count: 0, mode: 0, gate: false });
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
  });

  test('state of an older supported version loads; newer fields keep their values', () => {
    const make = widgets();
    const saved = saveDeviceState(busyWidget(make));
    const { extra: _dropped, ...v1Fields } = saved.fields;
    const target = make();
    target.extra = 99;
    unwrap(loadDeviceState(target, { name: 'widget', version: 1, fields: v1Fields }));
    expect(target.extra).toBe(99);
    expect(target.counter).toBe(0xfffffffe);
  });
});

describe('bad data is refused and changes nothing', () => {
  const make = widgets();
  const good = saveDeviceState(busyWidget(make));
  const withField = (name: string, value: unknown): SavedState =>
    ({ ...good, fields: { ...good.fields, [name]: value } }) as SavedState;

  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'hello', "expected an object with name, version and fields, got 'hello'"],
    ['another device', { ...good, name: 'gadget' }, "the data is state 'gadget'"],
    ['a newer version', { ...good, version: 3 }, 'version 3 is newer than the supported version 2'],
    [
      'a too old version',
      { ...good, version: 0 },
      'version 0 is older than the oldest supported version 1',
    ],
    ['a non-integer version', { ...good, version: '2' }, "version must be an integer, got '2'"],
    [
      'missing fields object',
      { name: 'widget', version: 2 },
      'widget: expected an object of fields, got undefined',
    ],
    ['out of range', withField('status', 256), 'widget.status: expected uint8 (0 to 255), got 256'],
    [
      'negative unsigned',
      withField('counter', -1),
      'widget.counter: expected uint32 (0 to 4294967295), got -1',
    ],
    [
      'fraction',
      withField('delta', 1.5),
      'widget.delta: expected int32 (-2147483648 to 2147483647), got 1.5',
    ],
    ['wrong type', withField('enabled', 1), 'widget.enabled: expected bool, got 1'],
    ['bad float', withField('ratio', 'lots'), "widget.ratio: expected float64, got 'lots'"],
    [
      'inherited name as float',
      withField('ratio', 'toString'),
      "widget.ratio: expected float64, got 'toString'",
    ],
    [
      'short array',
      withField('regs', [1, 2, 3]),
      'widget.regs: expected uint8[4], got an array of length 3',
    ],
    [
      'bad element',
      withField('words', [1, 70000]),
      'widget.words[1]: expected uint16 (0 to 65535), got 70000',
    ],
    [
      'bad struct field',
      withField('channels', [
        { count: 1, mode: 0, gate: false },
        { count: 1, mode: 0, gate: 'yes' },
      ]),
      "widget.channels[1].gate: expected bool, got 'yes'",
    ],
    [
      'missing struct field',
      withField('latch', { count: 1, mode: 0 }),
      'widget.latch.gate: missing',
    ],
    ['unknown field', withField('bogus', 1), "widget: unknown field 'bogus' for version 2"],
    [
      'a __proto__ key from JSON',
      JSON.parse(
        `{"name":"widget","version":2,"fields":${JSON.stringify(good.fields).replace('{', '{"__proto__":1,')}}`,
      ),
      "widget: unknown field '__proto__' for version 2",
    ],
    [
      'a field too new for its version',
      { ...good, version: 1 },
      "widget: unknown field 'extra' for version 1",
    ],
  ];

  test.each(cases)('%s', (_what, data, problem) => {
    const target = make();
    const before = saveDeviceState(target);
    expect(message(loadDeviceState(target, data))).toBe(`Cannot load state 'widget': ${problem}`);
    expect(saveDeviceState(target)).toEqual(before);
    expect(target.postLoads).toBe(0);
  });

  test('a missing field is named', () => {
    const { counter: _c, ...fields } = good.fields;
    expect(message(loadDeviceState(make(), { ...good, fields }))).toBe(
      "Cannot load state 'widget': widget.counter: missing",
    );
  });

  test('postLoad can refuse a state it cannot be in', () => {
    const target = make();
    expect(message(loadDeviceState(target, withField('counter', 0xdead)))).toBe(
      'widget: counter 0xdead is not a state real hardware can be in',
    );
  });
});

describe('descriptions', () => {
  test('a device without a state description cannot be saved', () => {
    class Plain extends Device {}
    const registry = new TypeRegistry();
    registry.register(defineDevice({ name: 'plain', instance: Plain }));
    const plain = registry.objectNew('plain') as Plain;
    expect(deviceStateDescription(plain)).toBeUndefined();
    expect(() => saveDeviceState(plain)).toThrow(
      "Device type 'plain' declares no state description",
    );
  });

  test('versions are checked when a description is defined', () => {
    expect(() => defineState({ name: 'x', version: 0, fields: {} })).toThrow(
      "'x' version must be a positive integer",
    );
    expect(() => defineState({ name: 'x', version: 1, minimumVersion: 2, fields: {} })).toThrow(
      'minimumVersion 2 is above version 1',
    );
    expect(() =>
      defineState<{ a: number }>({
        name: 'x',
        version: 1,
        fields: { a: vmstate.uint8({ since: 2 }) },
      }),
    ).toThrow("field 'a' has since 2 outside 1..1");
  });

  test('a field that does not hold what the description says is a device bug', () => {
    const desc = defineState<{ regs: Uint8Array }>({
      name: 'bad',
      fields: { regs: vmstate.uint8Array(4) },
    });
    const obj = { regs: new Uint8Array(2) };
    expect(() => loadState(desc, obj, saveState(desc, { regs: new Uint8Array(4) }))).toThrow(
      'State field bad.regs should hold a Uint8Array of length 4, but holds',
    );
  });

  test('plain objects can use state descriptions too', () => {
    const counter = { value: 5 };
    const desc = defineState<typeof counter>({
      name: 'counter',
      fields: { value: vmstate.uint32() },
    });
    const saved = saveState(desc, counter);
    const copy = { value: 0 };
    unwrap(loadState(desc, copy, saved));
    expect(copy.value).toBe(5);
  });
});

describe('typing of state fields', () => {
  test('field kinds must match the types of the fields they describe', () => {
    const typed = defineState<Widget>({
      name: 'typed',
      fields: {
        counter: vmstate.uint32(),
        regs: vmstate.uint8Array(4),
        // @ts-expect-error a number field cannot be described as bool
        status: vmstate.bool(),
        // @ts-expect-error a Uint8Array field cannot be described as a number
        words: vmstate.uint16(),
      },
    });
    expect(Object.keys(typed.fields)).toEqual(['counter', 'regs', 'status', 'words']);
    defineState<Widget>({
      name: 'typo',
      // @ts-expect-error a misspelt field name is not a field of the device
      fields: { countr: vmstate.uint32() },
    });
  });
});

test('any JSON value given to loadDeviceState gives a result, never an exception', () => {
  const make = widgets();
  const target = make();
  const good = saveDeviceState(busyWidget(make));
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(...Object.keys(good.fields)), (junk, field) => {
      expect(typeof loadDeviceState(target, junk).ok).toBe('boolean');
      const oneBadField = { ...good, fields: { ...good.fields, [field]: junk } };
      expect(typeof loadDeviceState(target, oneBadField).ok).toBe('boolean');
    }),
  );
});
