/**
 * The composition tree: its root, containers, walking it, and `info qom-tree`.
 */
import { QomError } from '../errors.js';
import { MARK_ROOT, type QomObject } from './object.js';
import type { TypeRegistry } from './registry.js';
import { TYPE_CONTAINER } from './type-names.js';

/**
 * A new tree root: a container whose canonical path is `/` (QEMU's
 * object_get_root, but one per machine instead of one per process).
 */
export function createRoot(registry: TypeRegistry): QomObject {
  const root = registry.objectNew(TYPE_CONTAINER);
  root[MARK_ROOT]();
  return root;
}

/**
 * The object at `path` below `from`, creating containers for missing
 * components (QEMU's container_get). `path` is relative to `from`; a leading
 * `/` is allowed. Throws if a component exists but is reached through a link.
 */
export function getOrCreateContainer(from: QomObject, path: string): QomObject {
  let node = from;
  for (const name of path.split('/')) {
    if (name === '') {
      continue;
    }
    const existing = node.getChild(name);
    if (existing !== undefined) {
      node = existing;
      continue;
    }
    if (node.findProperty(name) !== undefined) {
      throw new QomError(
        `Cannot create container '${name}': '${node.typeName}' has a property of that name`,
      );
    }
    const container = node.registry.objectNew(TYPE_CONTAINER);
    node.addChild(name, container);
    node = container;
  }
  return node;
}

/** Visit `obj` and its descendants depth-first, parents before children, in insertion order. */
export function walkTree(
  obj: QomObject,
  visit: (node: QomObject, depth: number) => void,
  depth = 0,
): void {
  visit(obj, depth);
  for (const child of obj.childObjects()) {
    walkTree(child, visit, depth + 1);
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The text of HMP's `info qom-tree`: one line per object, `/name (type)`,
 * indented two spaces per level, children sorted by name (byte order, as QEMU's
 * strcmp). The root prints as `/`.
 */
export function formatQomTree(obj: QomObject): string {
  const lines: string[] = [];
  const print = (node: QomObject, indent: number): void => {
    const name = node.isRoot ? '' : (node.canonicalPathComponent ?? '');
    lines.push(`${' '.repeat(indent)}/${name} (${node.typeName})`);
    const children = node
      .childObjects()
      .sort((a, b) =>
        compareCodeUnits(a.canonicalPathComponent ?? '', b.canonicalPathComponent ?? ''),
      );
    for (const child of children) {
      print(child, indent + 2);
    }
  };
  print(obj, 0);
  return `${lines.join('\n')}\n`;
}
