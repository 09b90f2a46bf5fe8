import { describe, expect, test } from 'vitest';
import { type Result, unwrap } from '../errors.js';
import { prop } from '../property/kinds.js';
import type { QomObject } from './object.js';
import { lookupPath, resolvePath } from './path.js';
import { TypeRegistry } from './registry.js';
import { createRoot, formatQomTree, getOrCreateContainer, walkTree } from './tree.js';

function message(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.message;
}

/**
 * /machine (board)
 *   /i440fx (host)
 *     /pci.0 (pci)
 *   /unattached (container)
 *     /device[0] (serial)   link 'bus' -> /machine/i440fx/pci.0
 *     /device[1] (serial)
 *   /peripheral (container)
 *     /com2 (serial)
 */
function buildTree() {
  const registry = new TypeRegistry();
  registry.registerAll([
    { name: 'board', parent: 'container' },
    { name: 'host', parent: 'object' },
    { name: 'pci', parent: 'object' },
    { name: 'serial', parent: 'object' },
  ]);
  const root = createRoot(registry);
  const machine = root.newChild('machine', 'board');
  const host = machine.newChild('i440fx', 'host');
  const pci = host.newChild('pci.0', 'pci');
  const unattached = getOrCreateContainer(root, '/machine/unattached');
  const serial0 = registry.objectNew('serial');
  const serial1 = registry.objectNew('serial');
  expect(unattached.addChild('device[*]', serial0)).toBe('device[0]');
  expect(unattached.addChild('device[*]', serial1)).toBe('device[1]');
  serial0.addProperty('bus', prop.link('pci'));
  unwrap(serial0.setProperty('bus', pci));
  const com2 = getOrCreateContainer(machine, 'peripheral').newChild('com2', 'serial');
  return { registry, root, machine, host, pci, unattached, serial0, serial1, com2 };
}

describe('canonical paths', () => {
  test('paths are built from child property names up to the root', () => {
    const { root, machine, pci, serial1, com2 } = buildTree();
    expect(root.canonicalPath).toBe('/');
    expect(machine.canonicalPath).toBe('/machine');
    expect(pci.canonicalPath).toBe('/machine/i440fx/pci.0');
    expect(serial1.canonicalPath).toBe('/machine/unattached/device[1]');
    expect(com2.canonicalPath).toBe('/machine/peripheral/com2');
    expect(pci.canonicalPathComponent).toBe('pci.0');
    expect(pci.parent?.typeName).toBe('host');
  });

  test('an object outside a rooted tree has no canonical path', () => {
    const { registry } = buildTree();
    const loose = registry.objectNew('host');
    const inner = loose.newChild('inner', 'pci');
    expect(loose.canonicalPath).toBeUndefined();
    expect(inner.canonicalPath).toBeUndefined();
  });

  test('[*] takes the first free index', () => {
    const { unattached, serial0, registry } = buildTree();
    serial0.unparent();
    expect(unattached.addChild('device[*]', registry.objectNew('serial'))).toBe('device[0]');
    expect(unattached.addChild('device[*]', registry.objectNew('serial'))).toBe('device[2]');
  });
});

describe('resolving paths', () => {
  test('absolute paths follow child and link properties', () => {
    const { root, pci, serial0 } = buildTree();
    expect(unwrap(resolvePath(root, '/machine/i440fx/pci.0'))).toBe(pci);
    expect(unwrap(resolvePath(root, '/machine/unattached/device[0]/bus'))).toBe(pci);
    expect(unwrap(resolvePath(root, '/'))).toBe(root);
    expect(unwrap(resolvePath(root, '//machine//i440fx/'))).toBe(pci.parent);
    // Any object of the tree can be the starting point of an absolute path.
    expect(unwrap(resolvePath(serial0, '/machine/i440fx'))).toBe(pci.parent);
  });

  test('a missing absolute path is an error', () => {
    const { root } = buildTree();
    expect(message(resolvePath(root, '/machine/i440fx/isa.0'))).toBe(
      "Path '/machine/i440fx/isa.0' could not be resolved",
    );
    const missing = resolvePath(root, '/nope');
    expect(!missing.ok && missing.error.errorClass).toBe('DeviceNotFound');
  });

  test('partial paths match anywhere in the tree', () => {
    const { root, host, pci, com2 } = buildTree();
    expect(unwrap(resolvePath(root, 'i440fx'))).toBe(host);
    expect(unwrap(resolvePath(root, 'i440fx/pci.0'))).toBe(pci);
    expect(unwrap(resolvePath(root, 'pci.0'))).toBe(pci);
    expect(unwrap(resolvePath(root, 'com2'))).toBe(com2);
    expect(unwrap(resolvePath(root, 'peripheral/com2'))).toBe(com2);
  });

  test('a partial path matching more than one object is ambiguous', () => {
    const { root } = buildTree();
    expect(message(resolvePath(root, 'device[0]'))).toBe('ok');
    root.newChild('spare', 'host').newChild('device[0]', 'serial');
    expect(message(resolvePath(root, 'device[0]'))).toBe("Path 'device[0]' is ambiguous");
    expect(lookupPath(root, 'device[0]')).toEqual({ object: undefined, ambiguous: true });
    // Qualifying the path removes the ambiguity.
    expect(message(resolvePath(root, 'unattached/device[0]'))).toBe('ok');
  });

  test('reaching the same object through a child and a link is also ambiguous', () => {
    const { root } = buildTree();
    expect(message(resolvePath(root, 'pci.0'))).toBe('ok');
    // device[0]/bus is a link to pci.0, so the partial path "bus" leads there from one place only.
    expect(message(resolvePath(root, 'bus'))).toBe('ok');
    root.newChild('other-bus-holder', 'serial').addProperty('bus', prop.link('pci'));
    const holder = unwrap(resolvePath(root, '/other-bus-holder'));
    unwrap(holder.setPropertyFromString('bus', '/machine/i440fx/pci.0'));
    expect(message(resolvePath(root, 'bus'))).toBe("Path 'bus' is ambiguous");
  });

  test('a type filter counts only matches of that type', () => {
    const { root, com2, pci } = buildTree();
    expect(message(resolvePath(root, 'com2', 'pci'))).toBe(
      "Path 'com2' could not be resolved to an object of type 'pci'",
    );
    expect(unwrap(resolvePath(root, 'com2', 'serial'))).toBe(com2);
    // The empty partial path with a type finds the only object of that type.
    expect(unwrap(resolvePath(root, '', 'pci'))).toBe(pci);
    expect(message(resolvePath(root, '', 'serial'))).toBe("Path '' is ambiguous");
  });
});

describe('tree shape', () => {
  test('an object has at most one parent', () => {
    const { machine, host, registry } = buildTree();
    expect(() => machine.addChild('again', host)).toThrow(
      "Object '/machine/i440fx' of type 'host' already has a parent",
    );
    const orphan = registry.objectNew('host');
    const child = orphan.newChild('c', 'pci');
    expect(() => child.addChild('loop', orphan)).toThrow('a child of its own descendant');
    expect(() => machine.addChild('a/b', registry.objectNew('host'))).toThrow(
      "must not contain '/'",
    );
    expect(() => machine.addChild('i440fx', registry.objectNew('host'))).toThrow(
      "Attempt to add duplicate property 'i440fx'",
    );
  });

  test('unparent removes a subtree; the child property disappears', () => {
    const { machine, host, pci, root } = buildTree();
    host.unparent();
    expect(machine.getChild('i440fx')).toBeUndefined();
    expect(machine.findProperty('i440fx')).toBeUndefined();
    expect(pci.finalized).toBe(true);
    expect(message(resolvePath(root, 'pci.0'))).toBe("Path 'pci.0' could not be resolved");
  });

  test('walkTree visits parents before children in insertion order', () => {
    const { machine } = buildTree();
    const seen: string[] = [];
    walkTree(machine, (node: QomObject, depth) =>
      seen.push(`${depth}:${node.canonicalPathComponent}`),
    );
    expect(seen).toEqual([
      '0:machine',
      '1:i440fx',
      '2:pci.0',
      '1:unattached',
      '2:device[0]',
      '2:device[1]',
      '1:peripheral',
      '2:com2',
    ]);
  });

  test('info qom-tree text: sorted children, two spaces per level', () => {
    const { root, machine, registry } = buildTree();
    machine.newChild('fw_cfg', 'host');
    for (let i = 2; i <= 10; i++) {
      getOrCreateContainer(root, '/machine/unattached').addChild(
        'device[*]',
        registry.objectNew('serial'),
      );
    }
    const tree = formatQomTree(machine).split('\n');
    expect(tree.slice(0, 9)).toEqual([
      '/machine (board)',
      '  /fw_cfg (host)',
      '  /i440fx (host)',
      '    /pci.0 (pci)',
      '  /peripheral (container)',
      '    /com2 (serial)',
      '  /unattached (container)',
      '    /device[0] (serial)',
      // strcmp order, as QEMU prints it.
      '    /device[10] (serial)',
    ]);
    expect(formatQomTree(root).startsWith('/ (container)\n  /machine (board)\n')).toBe(true);
    expect(formatQomTree(registry.objectNew('pci'))).toBe('/ (pci)\n');
  });
});
