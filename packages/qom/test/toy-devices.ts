// Small devices and buses for qdev tests: each records its hooks into a shared log.
import {
  Bus,
  createRoot,
  Device,
  defineBus,
  defineDevice,
  defineMachine,
  err,
  prop,
  type ResetType,
  TypeRegistry,
} from '@tsemu/qom';

/** Hooks run, in order: `realize toy0`, `reset-enter(cold) toy0`, ... */
export type HookLog = string[];

// Each test builds its own registry; the log belongs to the registry.
const logs = new WeakMap<TypeRegistry, HookLog>();

function logOf(obj: Device | Bus): HookLog {
  const log = logs.get(obj.registry);
  if (log === undefined) {
    throw new Error('toy registry has no log attached');
  }
  return log;
}

function label(obj: Device | Bus): string {
  return obj instanceof Bus ? obj.name : (obj.id ?? obj.typeName);
}

export class ToyBus extends Bus {
  protected override resetEnter(type: ResetType) {
    logOf(this).push(`enter(${type}) ${label(this)}`);
  }
  protected override resetHold(type: ResetType) {
    logOf(this).push(`hold(${type}) ${label(this)}`);
  }
  protected override resetExit(type: ResetType) {
    logOf(this).push(`exit(${type}) ${label(this)}`);
  }
}

export const TOY_BUS = defineBus({ name: 'toy-bus', instance: ToyBus });
export const SMALL_TOY_BUS = defineBus({ name: 'small-toy-bus', parent: TOY_BUS, maxDevices: 1 });
export const OTHER_BUS = defineBus({ name: 'other-bus' });

const toyProps = {
  size: prop.uint32({ default: 8, description: 'bytes of registers' }),
  fail: prop.bool({ description: 'refuse to realize' }),
};

/** A device recording its life into the log. */
export class ToyDevice extends Device<typeof toyProps> {
  readonly irq = this.outputLine('irq');
  resets = 0;

  protected override onRealize() {
    if (this.props.fail) {
      return err(`${label(this)}: told to fail`);
    }
    logOf(this).push(`realize ${label(this)}`);
  }
  protected override onUnrealize() {
    logOf(this).push(`unrealize ${label(this)}`);
  }
  protected override resetEnter(type: ResetType) {
    logOf(this).push(`enter(${type}) ${label(this)}`);
  }
  protected override resetHold(type: ResetType) {
    this.resets++;
    logOf(this).push(`hold(${type}) ${label(this)}`);
  }
  protected override resetExit(type: ResetType) {
    logOf(this).push(`exit(${type}) ${label(this)}`);
  }
}

/** A device that plugs into nothing and provides a toy bus. */
export const TOY_BRIDGE = defineDevice({
  name: 'toy-bridge',
  instance: ToyDevice,
  props: toyProps,
  desc: 'provides a toy bus',
  categories: ['bridge'],
  userCreatable: false,
});

/** A device for the toy bus. */
export const TOY_DEV = defineDevice({
  name: 'toy-dev',
  instance: ToyDevice,
  props: toyProps,
  busType: 'toy-bus',
  desc: 'a device on a toy bus',
  categories: ['misc'],
});

/** A device on the toy bus that provides its own toy bus. */
export const TOY_SUB_BRIDGE = defineDevice({
  name: 'toy-sub-bridge',
  parent: TOY_DEV,
  categories: ['bridge'],
});

export const TOY_MACHINE = defineMachine({ name: 'toy', desc: 'a machine for tests' });

export function toyRegistry(log: HookLog): TypeRegistry {
  const registry = new TypeRegistry();
  registry.registerAll([
    TOY_BUS,
    SMALL_TOY_BUS,
    OTHER_BUS,
    TOY_BRIDGE,
    TOY_DEV,
    TOY_SUB_BRIDGE,
    TOY_MACHINE,
  ]);
  logs.set(registry, log);
  return registry;
}

/**
 * /machine (toy-machine)
 *   /bridge (toy-bridge)            provides toy.0
 *     /toy.0 (toy-bus): devA, sub, devB
 *   sub provides sub.0: devC
 */
export function toyTree(log: HookLog = []) {
  const registry = toyRegistry(log);
  const root = createRoot(registry);
  const machine = root.newChild('machine', TOY_MACHINE);
  const bridge = machine.newChild('bridge', TOY_BRIDGE);
  bridge.id = 'bridge';
  const bus = bridge.createBus(TOY_BUS, 'toy.0');
  const devA = registry.objectNew(TOY_DEV);
  devA.id = 'devA';
  const sub = registry.objectNew(TOY_SUB_BRIDGE);
  sub.id = 'sub';
  const devB = registry.objectNew(TOY_DEV);
  devB.id = 'devB';
  const devC = registry.objectNew(TOY_DEV);
  devC.id = 'devC';
  return { registry, root, machine, bridge, bus, devA, sub, devB, devC, log };
}
