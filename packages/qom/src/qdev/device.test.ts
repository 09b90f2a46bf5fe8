import { describe, expect, test } from 'vitest';
import {
  OTHER_BUS,
  SMALL_TOY_BUS,
  TOY_BRIDGE,
  TOY_BUS,
  toyRegistry,
  toyTree,
} from '../../test/toy-devices.js';
import { QomError, type Result, unwrap } from '../errors.js';
import { resolvePath } from '../object/path.js';
import { createBus } from './bus.js';
import { defineDevice } from './define.js';
import { Device } from './device.js';

function message(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.message;
}

/** The toy tree with everything realized in tree order; the log starts empty unless asked. */
function realizedTree(keepLog = false) {
  const tree = toyTree();
  const { bridge, bus, devA, sub, devB, devC, log } = tree;
  unwrap(bridge.realize());
  unwrap(devA.realize(bus));
  unwrap(sub.realize(bus));
  const subBus = sub.createBus(TOY_BUS, 'sub.0');
  unwrap(devC.realize(subBus));
  unwrap(devB.realize(bus));
  if (!keepLog) {
    log.length = 0;
  }
  return { ...tree, subBus };
}

describe('realize', () => {
  test('realize plugs devices into their bus in order and runs onRealize', () => {
    const { bridge, bus, devA, sub, devB, devC, subBus, log } = realizedTree(true);
    expect(log).toEqual([
      'realize bridge',
      'realize devA',
      'realize sub',
      'realize devC',
      'realize devB',
    ]);
    expect(bus.children).toEqual([devA, sub, devB]);
    expect(devA.parentBus).toBe(bus);
    expect(bus.parentDevice).toBe(bridge);
    expect(subBus.children).toEqual([devC]);
    expect(bridge.childBuses).toEqual([bus]);
    expect([bridge, devA, sub, devB, devC].every((d) => d.realized)).toBe(true);
    expect(unwrap(devA.getProperty('realized'))).toBe(true);
  });

  test('a device realized without a tree parent lands in /machine/unattached', () => {
    const { bus, devA, devB, bridge, root } = realizedTree();
    expect(bridge.canonicalPath).toBe('/machine/bridge');
    expect(devA.canonicalPath).toBe('/machine/unattached/device[0]');
    expect(devB.canonicalPath).toBe('/machine/unattached/device[3]');
    expect(unwrap(resolvePath(root, '/machine/bridge/toy.0/child[0]'))).toBe(devA);
    expect(unwrap(resolvePath(root, '/machine/unattached/device[0]/parent_bus'))).toBe(bus);
  });

  test('a device with a bus type needs a bus of that type', () => {
    const { registry, devA } = toyTree();
    expect(message(devA.realize())).toBe(
      "Device 'devA' of type 'toy-dev' needs a bus of type 'toy-bus'",
    );
    const other = createBus(registry, OTHER_BUS, 'other.0');
    expect(message(devA.realize(other))).toBe("Device 'toy-dev' can't go on other-bus bus");
    const bridgeDev = registry.objectNew(TOY_BRIDGE);
    expect(message(bridgeDev.realize(other))).toBe(
      "Device type 'toy-bridge' does not plug into a bus, but bus 'other.0' was given",
    );
    expect(devA.realized).toBe(false);
    expect(devA.parentBus).toBeUndefined();
  });

  test('a subtype of the bus type will do; a full bus refuses', () => {
    const { registry, devA, devB } = toyTree();
    const small = createBus(registry, SMALL_TOY_BUS, 'small.0');
    unwrap(devA.realize(small));
    expect(small.isFull).toBe(true);
    expect(message(devB.realize(small))).toBe("Bus 'small.0' is full");
  });

  test('a failing onRealize leaves the device unrealized and off the bus', () => {
    const { bus, devA, bridge } = toyTree();
    unwrap(bridge.realize());
    devA.props.fail = true;
    expect(message(devA.realize(bus))).toBe('devA: told to fail');
    expect(devA.realized).toBe(false);
    expect(bus.children).toEqual([]);
    expect(bus.findProperty('child[0]')).toBeUndefined();
    devA.props.fail = false;
    unwrap(devA.realize(bus));
    expect(bus.children).toEqual([devA]);
  });

  test('realizing twice is an error', () => {
    const { bridge } = toyTree();
    unwrap(bridge.realize());
    expect(message(bridge.realize())).toBe("Device 'bridge' is already realized");
  });
});

describe('typed properties of a device', () => {
  test('props are typed; a misspelt name throws instead of adding a key', () => {
    const { devA } = toyTree();
    devA.props.size = 12;
    expect(() => {
      // @ts-expect-error size is a number
      devA.props.size = 'big';
    }).toThrow("Property 'toy-dev.size' does not accept value 'big'");
    expect(() => {
      // @ts-expect-error there is no property 'sise'
      devA.props.sise = 3;
    }).toThrow(TypeError);
    expect(devA.props.size).toBe(12);
  });

  test('onRealize may also refuse by throwing a QomError', () => {
    class Picky extends Device {
      protected override onRealize() {
        throw new QomError('picky: not today');
      }
    }
    const registry = toyRegistry([]);
    registry.register(defineDevice({ name: 'picky', instance: Picky }));
    const picky = registry.objectNew('picky') as Picky;
    expect(message(picky.realize())).toBe('picky: not today');
    expect(picky.realized).toBe(false);
  });
});

describe('properties after realize', () => {
  test('qdev properties are frozen once realized, and writable again after unrealize', () => {
    const { devA } = realizedTree();
    expect(message(devA.setPropertyFromString('size', '16'))).toBe(
      "Attempt to set property 'size' on device 'devA' (type 'toy-dev') after it was realized",
    );
    expect(message(devA.setProperty('size', 16))).toContain('after it was realized');
    expect(() => {
      devA.props.size = 16;
    }).toThrow('after it was realized');
    expect(devA.props.size).toBe(8);
    devA.unrealize();
    unwrap(devA.setPropertyFromString('size', '16'));
    expect(devA.props.size).toBe(16);
  });

  test('instance properties added at runtime are not frozen', () => {
    const { devA, registry } = realizedTree();
    devA.addChild('note', registry.objectNew('container'));
    expect(devA.getChild('note')?.typeName).toBe('container');
  });
});

describe('reset', () => {
  test('each reset phase visits children before parents, buses after their devices', () => {
    const { bridge, log } = realizedTree();
    bridge.reset('cold');
    const order = ['devA', 'devC', 'sub.0', 'sub', 'devB', 'toy.0', 'bridge'];
    expect(log).toEqual([
      ...order.map((n) => `enter(cold) ${n}`),
      ...order.map((n) => `hold(cold) ${n}`),
      ...order.map((n) => `exit(cold) ${n}`),
    ]);
  });

  test('warm reset passes its type to every hook; a bus reset covers its devices only', () => {
    const { bus, log } = realizedTree();
    bus.reset('warm');
    expect(log.filter((l) => l.startsWith('hold'))).toEqual([
      'hold(warm) devA',
      'hold(warm) devC',
      'hold(warm) sub.0',
      'hold(warm) sub',
      'hold(warm) devB',
      'hold(warm) toy.0',
    ]);
  });

  test('nested resets: phases run once, exit when the last holder releases', () => {
    const { bridge, sub, devC, log } = realizedTree();
    sub.assertReset();
    expect(sub.inReset).toBe(true);
    expect(devC.inReset).toBe(true);
    bridge.assertReset();
    // sub and devC were already in reset: their enter and hold did not run again.
    expect(log.filter((l) => l.includes('devC'))).toEqual(['enter(cold) devC', 'hold(cold) devC']);
    bridge.releaseReset();
    expect(devC.inReset).toBe(true);
    expect(log.filter((l) => l.startsWith('exit'))).toEqual([
      'exit(cold) devA',
      'exit(cold) devB',
      'exit(cold) toy.0',
      'exit(cold) bridge',
    ]);
    sub.releaseReset();
    expect(devC.inReset).toBe(false);
    expect(log.slice(-3)).toEqual(['exit(cold) devC', 'exit(cold) sub.0', 'exit(cold) sub']);
    expect(() => sub.releaseReset()).toThrow('Cannot release a reset that was not asserted');
  });

  test('unrealized devices on a bus are walked but their hooks do not run', () => {
    const { bridge, bus, devA, devB, log } = toyTree();
    unwrap(bridge.realize());
    unwrap(devA.realize(bus));
    unwrap(devB.realize(bus));
    devB.unrealize();
    log.length = 0;
    bridge.reset();
    expect(log.filter((l) => l.startsWith('hold'))).toEqual([
      'hold(cold) devA',
      'hold(cold) toy.0',
      'hold(cold) bridge',
    ]);
  });
});

describe('unrealize and unparent', () => {
  test('unrealize takes down the devices on its buses first, last plugged first', () => {
    const { bridge, log, devA } = realizedTree();
    bridge.unrealize();
    expect(log).toEqual([
      'unrealize devB',
      'unrealize devC',
      'unrealize sub',
      'unrealize devA',
      'unrealize bridge',
    ]);
    // Unrealized devices stay on their bus and in the tree.
    expect(devA.parentBus?.name).toBe('toy.0');
    expect(devA.canonicalPath).toBe('/machine/unattached/device[0]');
  });

  test('unparenting a device with a bus destroys the devices on it', () => {
    const { bridge, devA, devC, sub, root, log } = realizedTree();
    sub.unparent();
    expect(log).toEqual(['unrealize devC', 'unrealize sub']);
    expect(devC.finalized).toBe(true);
    expect(bridge.childBuses[0]?.children).toEqual([devA, expect.objectContaining({ id: 'devB' })]);
    expect(resolvePath(root, '/machine/unattached/device[1]').ok).toBe(false);
    log.length = 0;
    bridge.unparent();
    expect(log).toEqual(['unrealize devB', 'unrealize devA', 'unrealize bridge']);
    expect(devA.finalized).toBe(true);
  });
});

describe('buses', () => {
  test('a default bus name comes from the id or the bus type', () => {
    const registry = toyRegistry([]);
    const anonymous = registry.objectNew(TOY_BRIDGE);
    expect(anonymous.createBus(TOY_BUS).name).toBe('toy-bus.0');
    expect(anonymous.createBus(TOY_BUS).name).toBe('toy-bus.1');
    const named = registry.objectNew(TOY_BRIDGE);
    named.id = 'Hub';
    expect(named.createBus(TOY_BUS).name).toBe('hub.0');
    expect(() => named.createBus('toy-dev')).toThrow("Type 'toy-dev' is not a bus type");
  });
});
