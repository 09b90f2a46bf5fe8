import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type Result, unwrap } from '../errors.js';
import { QomObject } from '../object/object.js';
import { TypeRegistry } from '../object/registry.js';
import { createRoot } from '../object/tree.js';
import type { TypeInfo } from '../object/type-info.js';
import { prop } from './kinds.js';
import { accessorProperty } from './object-property.js';

const gadgetProps = {
  enabled: prop.bool({ default: true, description: 'power on' }),
  level: prop.int8({ description: 'signed level' }),
  count: prop.uint8({ default: 4 }),
  port: prop.uint16({ default: 0x3f8, description: 'I/O base port' }),
  irq: prop.uint32({ default: 4, min: 0, max: 15, description: 'ISA IRQ number' }),
  offset: prop.int64(),
  address: prop.uint64(),
  ram: prop.size({ default: 1 << 20 }),
  label: prop.string({ description: 'a name' }),
  policy: prop.enum(['discard', 'delay', 'slew'], { default: 'delay', typeName: 'LostTickPolicy' }),
  wire: prop.link('wire'),
};

class Gadget extends QomObject<typeof gadgetProps> {}

const GADGET: TypeInfo<Gadget> = {
  name: 'gadget',
  parent: 'object',
  instance: Gadget,
  props: gadgetProps,
};
const WIRE: TypeInfo = { name: 'wire', parent: 'object' };
const COPPER_WIRE: TypeInfo = { name: 'copper-wire', parent: 'wire' };
const STRING: TypeInfo = { name: 'string', parent: 'object' };

function setup() {
  const registry = new TypeRegistry();
  registry.registerAll([GADGET, WIRE, COPPER_WIRE, STRING]);
  const root = createRoot(registry);
  const gadget = root.newChild('gadget', GADGET);
  return { registry, root, gadget };
}

function message(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.message;
}

describe('typed property values', () => {
  test('a new object holds the defaults, readable through props', () => {
    const { gadget } = setup();
    expect({ ...gadget.props }).toEqual({
      enabled: true,
      level: 0,
      count: 4,
      port: 0x3f8,
      irq: 4,
      offset: 0,
      address: 0,
      ram: 1048576,
      label: '',
      policy: 'delay',
      wire: undefined,
    });
  });

  test('writes through props are checked and throw on a bad value', () => {
    const { gadget } = setup();
    gadget.props.port = 0x2f8;
    expect(gadget.props.port).toBe(0x2f8);
    expect(() => {
      gadget.props.count = 256;
    }).toThrow(
      "Property 'gadget.count' does not accept value 256: expected an integer from 0 to 255 (uint8)",
    );
    expect(gadget.props.count).toBe(4);
  });

  test('setProperty returns an error value naming the property, value and expectation', () => {
    const { gadget } = setup();
    expect(message(gadget.setProperty('irq', 16))).toBe(
      "Property 'gadget.irq' does not accept value 16: expected an integer from 0 to 15 (uint32)",
    );
    expect(message(gadget.setProperty('enabled', 'yes'))).toBe(
      "Property 'gadget.enabled' does not accept value 'yes': expected 'on' or 'off' (bool)",
    );
    expect(message(gadget.setProperty('count', 1.5))).toContain(
      'expected an integer from 0 to 255',
    );
    expect(message(gadget.setProperty('label', 7))).toBe(
      "Property 'gadget.label' does not accept value 7: expected a string (str)",
    );
    expect(gadget.setProperty('irq', 15).ok).toBe(true);
    expect(unwrap(gadget.getProperty('irq'))).toBe(15);
  });
});

describe('setting from strings, as -device does', () => {
  test('bool accepts on/off, yes/no, true/false, y/n', () => {
    const { gadget } = setup();
    for (const [text, value] of [
      ['off', false],
      ['on', true],
      ['no', false],
      ['yes', true],
      ['false', false],
      ['true', true],
      ['n', false],
      ['y', true],
    ] as const) {
      unwrap(gadget.setPropertyFromString('enabled', text));
      expect(gadget.props.enabled).toBe(value);
    }
    expect(message(gadget.setPropertyFromString('enabled', 'On'))).toBe(
      "Property 'gadget.enabled' does not accept value 'On': expected 'on' or 'off' (bool)",
    );
  });

  test('integers use C syntax: decimal, 0x hex, leading-zero octal', () => {
    const { gadget } = setup();
    unwrap(gadget.setPropertyFromString('port', '0x2F8'));
    expect(gadget.props.port).toBe(0x2f8);
    unwrap(gadget.setPropertyFromString('port', '1016'));
    expect(gadget.props.port).toBe(1016);
    unwrap(gadget.setPropertyFromString('irq', '010'));
    expect(gadget.props.irq).toBe(8);
    unwrap(gadget.setPropertyFromString('level', '-128'));
    expect(gadget.props.level).toBe(-128);
    for (const bad of ['', '08', '12abc', ' 1', '0x', '1e3', '+']) {
      expect(message(gadget.setPropertyFromString('port', bad))).toBe(
        `Property 'gadget.port' does not accept value '${bad}': expected an integer from 0 to 65535 (uint16)`,
      );
    }
  });

  test('integer ranges are checked exactly, for declared and C-type limits', () => {
    const { gadget } = setup();
    expect(message(gadget.setPropertyFromString('count', '256'))).toContain(
      'expected an integer from 0 to 255 (uint8)',
    );
    expect(message(gadget.setPropertyFromString('count', '-1'))).toContain('(uint8)');
    expect(message(gadget.setPropertyFromString('level', '128'))).toContain(
      'from -128 to 127 (int8)',
    );
    expect(message(gadget.setPropertyFromString('irq', '16'))).toBe(
      "Property 'gadget.irq' does not accept value '16': expected an integer from 0 to 15 (uint32)",
    );
    expect(gadget.setPropertyFromString('irq', '15').ok).toBe(true);
  });

  test('64-bit integers are numbers limited to 2^53 - 1', () => {
    const { gadget } = setup();
    unwrap(gadget.setPropertyFromString('address', '9007199254740991'));
    expect(gadget.props.address).toBe(Number.MAX_SAFE_INTEGER);
    expect(message(gadget.setPropertyFromString('address', '9007199254740992'))).toContain(
      'expected an integer from 0 to 9007199254740991 (uint64)',
    );
    expect(message(gadget.setPropertyFromString('address', '0xffffffffffffffff'))).toContain(
      '(uint64)',
    );
    unwrap(gadget.setPropertyFromString('offset', '-9007199254740991'));
    expect(gadget.props.offset).toBe(-Number.MAX_SAFE_INTEGER);
  });

  test('sizes take binary suffixes', () => {
    const { gadget } = setup();
    const cases: Array<[string, number]> = [
      ['4096', 4096],
      ['0x1000', 4096],
      ['64k', 65536],
      ['64M', 64 * 1024 * 1024],
      ['1.5G', 1.5 * 1024 ** 3],
      ['2T', 2 * 1024 ** 4],
      ['512B', 512],
    ];
    for (const [text, bytes] of cases) {
      unwrap(gadget.setPropertyFromString('ram', text));
      expect(gadget.props.ram).toBe(bytes);
    }
    for (const bad of ['1.5', '12Q', 'M', '-1M']) {
      expect(message(gadget.setPropertyFromString('ram', bad))).toContain(
        'expected a size in bytes',
      );
    }
  });

  test('strings are taken verbatim; enums must be one of their values', () => {
    const { gadget } = setup();
    unwrap(gadget.setPropertyFromString('label', 'com1, the first'));
    expect(gadget.props.label).toBe('com1, the first');
    unwrap(gadget.setPropertyFromString('policy', 'slew'));
    expect(gadget.props.policy).toBe('slew');
    expect(message(gadget.setPropertyFromString('policy', 'fast'))).toBe(
      "Property 'gadget.policy' does not accept value 'fast': expected one of 'discard', 'delay', 'slew' (LostTickPolicy)",
    );
  });

  test('an unknown property is an error naming type and property', () => {
    const { gadget } = setup();
    expect(message(gadget.setPropertyFromString('speed', '9600'))).toBe(
      "Property 'gadget.speed' not found",
    );
    expect(message(gadget.getProperty('speed'))).toBe("Property 'gadget.speed' not found");
  });

  test('values print back as text', () => {
    const { gadget } = setup();
    expect(unwrap(gadget.getPropertyAsString('port'))).toBe('1016');
    expect(unwrap(gadget.getPropertyAsString('enabled'))).toBe('true');
    expect(unwrap(gadget.getPropertyAsString('policy'))).toBe('delay');
    expect(unwrap(gadget.getPropertyAsString('type'))).toBe('gadget');
  });
});

describe('link properties', () => {
  test('a link is set from a path and resolves to its target', () => {
    const { root, gadget, registry } = setup();
    const cable = root.newChild('cable', COPPER_WIRE);
    unwrap(gadget.setPropertyFromString('wire', '/cable'));
    expect(gadget.props.wire).toBe(cable);
    expect(unwrap(gadget.getPropertyAsString('wire'))).toBe('/cable');
    expect(gadget.resolvePathComponent('wire')).toBe(cable);
    unwrap(gadget.setPropertyFromString('wire', ''));
    expect(gadget.props.wire).toBeUndefined();
    unwrap(gadget.setPropertyFromString('wire', 'cable'));
    expect(gadget.props.wire).toBe(cable);
    gadget.props.wire = registry.objectNew(WIRE);
    expect(gadget.props.wire?.typeName).toBe('wire');
  });

  test('a link refuses an object of the wrong type', () => {
    const { root, gadget, registry } = setup();
    root.newChild('twine', STRING);
    expect(message(gadget.setPropertyFromString('wire', '/twine'))).toBe(
      "Property 'gadget.wire' does not accept value '/twine': the object there has type 'string', expected 'wire'",
    );
    expect(message(gadget.setProperty('wire', registry.objectNew(STRING)))).toBe(
      "Property 'gadget.wire' does not accept value object '<unattached string>' of type 'string': expected an object of type 'wire', got one of type 'string'",
    );
    expect(message(gadget.setProperty('wire', 42))).toContain("expected an object of type 'wire'");
  });

  test('a link path that is missing or ambiguous is refused', () => {
    const { root, gadget } = setup();
    expect(message(gadget.setPropertyFromString('wire', '/nowhere'))).toBe(
      "Property 'gadget.wire' does not accept value '/nowhere': no object of type 'wire' found at that path",
    );
    root.newChild('a', STRING).newChild('cable', WIRE);
    root.newChild('b', STRING).newChild('cable', WIRE);
    expect(message(gadget.setPropertyFromString('wire', 'cable'))).toBe(
      "Property 'gadget.wire' does not accept value 'cable': the path matches more than one object of type 'wire'",
    );
    unwrap(gadget.setPropertyFromString('wire', 'a/cable'));
    expect(gadget.props.wire?.canonicalPath).toBe('/a/cable');
  });
});

describe('instance and accessor properties', () => {
  test('instance properties belong to one object only', () => {
    const { registry, gadget } = setup();
    gadget.addProperty('extra', prop.uint8({ default: 7 }));
    expect(unwrap(gadget.getProperty('extra'))).toBe(7);
    unwrap(gadget.setPropertyFromString('extra', '9'));
    expect(unwrap(gadget.getProperty('extra'))).toBe(9);
    expect(registry.objectNew(GADGET).findProperty('extra')).toBeUndefined();
    expect(() => gadget.addProperty('port', prop.uint8())).toThrow(
      "Attempt to add duplicate property 'port' to object of type 'gadget'",
    );
    gadget.removeProperty('extra');
    expect(gadget.findProperty('extra')).toBeUndefined();
  });

  test('a read-only accessor property cannot be set', () => {
    const { gadget } = setup();
    gadget.addObjectProperty(accessorProperty('answer', { type: 'int', get: () => 42 }));
    expect(unwrap(gadget.getProperty('answer'))).toBe(42);
    expect(message(gadget.setPropertyFromString('answer', '1'))).toBe(
      "Property 'gadget.answer' cannot be set",
    );
    expect(message(gadget.setPropertyFromString('type', 'x'))).toBe(
      "Property 'gadget.type' cannot be set",
    );
  });

  test('listing shows class then instance properties with types and descriptions', () => {
    const { gadget, root } = setup();
    gadget.addChild('part', root.registry.objectNew(WIRE));
    const listed = gadget.listProperties().map((p) => `${p.name}:${p.type}`);
    expect(listed).toEqual([
      'type:string',
      'enabled:bool',
      'level:int8',
      'count:uint8',
      'port:uint16',
      'irq:uint32',
      'offset:int64',
      'address:uint64',
      'ram:size',
      'label:str',
      'policy:LostTickPolicy',
      'wire:link<wire>',
      'part:child<wire>',
    ]);
    expect(gadget.findProperty('port')?.description).toBe('I/O base port');
  });
});

describe('property definitions are checked', () => {
  test('bad ranges and defaults throw when defined', () => {
    expect(() => prop.uint8({ max: 256 })).toThrow(
      'uint8 property range 0..256 is not within 0..255',
    );
    expect(() => prop.uint8({ min: 5, max: 4 })).toThrow('is not within');
    expect(() => prop.uint32({ default: 20, max: 15 })).toThrow('default 20 of a uint32 property');
    expect(() => prop.enum(['a', 'b'], { default: 'c' as 'a' })).toThrow("default 'c' of enum");
  });

  test('a range with a positive minimum defaults to the minimum', () => {
    expect(prop.uint32({ min: 1 }).defaultValue).toBe(1);
  });
});

describe('user input never throws', () => {
  test('any text for any property gives a result, never an exception', () => {
    const { gadget, root } = setup();
    root.newChild('cable', COPPER_WIRE);
    const names = gadget.listProperties().map((p) => p.name);
    fc.assert(
      fc.property(fc.constantFrom(...names, 'nope', '__proto__'), fc.string(), (name, text) => {
        const result = gadget.setPropertyFromString(name, text);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});
