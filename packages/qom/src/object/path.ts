/**
 * QOM paths: `/machine/i440fx/pci.0` (absolute, from the tree's root) or
 * `i440fx/pci.0` (partial: matches wherever in the tree that path leads to an
 * object; more than one match is ambiguous). Absolute paths follow child and
 * link properties; the search for partial paths descends through children only.
 *
 * With a type name, only objects of that type count as matches; so the empty
 * partial path with a type finds "the one object of that type" (QEMU idiom).
 */
import { err, ok, type Result } from '../errors.js';
import type { QomObject } from './object.js';

export interface PathLookup {
  /** The object found, if exactly one matched. */
  readonly object: QomObject | undefined;
  /** True when a partial path matched more than one object. */
  readonly ambiguous: boolean;
}

/** The topmost ancestor of `obj` (the object itself when it has no parent). */
export function treeRoot(obj: QomObject): QomObject {
  let node = obj;
  while (node.parent !== undefined) {
    node = node.parent;
  }
  return node;
}

function resolveAbsolute(
  start: QomObject,
  parts: readonly string[],
  typeName: string | undefined,
): QomObject | undefined {
  let node: QomObject | undefined = start;
  for (const part of parts) {
    if (part === '') {
      continue;
    }
    node = node.resolvePathComponent(part);
    if (node === undefined) {
      return undefined;
    }
  }
  return typeName === undefined || node.isA(typeName) ? node : undefined;
}

function resolvePartial(
  node: QomObject,
  parts: readonly string[],
  typeName: string | undefined,
  state: { ambiguous: boolean },
): QomObject | undefined {
  let found = resolveAbsolute(node, parts, typeName);
  for (const child of node.childObjects()) {
    const match = resolvePartial(child, parts, typeName, state);
    if (state.ambiguous) {
      return undefined;
    }
    if (match !== undefined) {
      if (found !== undefined) {
        state.ambiguous = true;
        return undefined;
      }
      found = match;
    }
  }
  return found;
}

/** Look a path up in the tree `from` belongs to (QEMU's object_resolve_path_type). */
export function lookupPath(from: QomObject, path: string, typeName?: string): PathLookup {
  const root = treeRoot(from);
  const parts = path === '' ? [] : path.split('/');
  if (parts[0] === '') {
    return { object: resolveAbsolute(root, parts.slice(1), typeName), ambiguous: false };
  }
  const state = { ambiguous: false };
  const object = resolvePartial(root, parts, typeName, state);
  return { object: state.ambiguous ? undefined : object, ambiguous: state.ambiguous };
}

/**
 * Resolve a path in the tree `from` belongs to; a missing object and an
 * ambiguous partial path are errors.
 */
export function resolvePath(from: QomObject, path: string, typeName?: string): Result<QomObject> {
  const { object, ambiguous } = lookupPath(from, path, typeName);
  if (ambiguous) {
    return err(`Path '${path}' is ambiguous`);
  }
  if (object === undefined) {
    const what = typeName === undefined ? '' : ` to an object of type '${typeName}'`;
    return err(`Path '${path}' could not be resolved${what}`, { errorClass: 'DeviceNotFound' });
  }
  return ok(object);
}
