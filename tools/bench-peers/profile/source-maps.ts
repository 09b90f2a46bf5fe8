/**
 * Maps profile frames of a bundled file (apps/cli/dist/tsemu.mjs) back to the workspace
 * sources through the bundle's source map (`tsemu.mjs.map`, which esbuild writes), with
 * Node's own source map reader. Frames of unbundled files keep their own path (and, for
 * TypeScript run through tsx, no line: the profile has the transformed code's lines).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallFrame, Locate } from './summarize.js';

export function sourceMapLocator(repoRoot: string): Locate {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (path: string): SourceMap | null => {
    let map = maps.get(path);
    if (map === undefined) {
      const mapPath = `${path}.map`;
      map = existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))) : null;
      maps.set(path, map);
    }
    return map;
  };
  return (frame: CallFrame) => {
    if (!frame.url.startsWith('file:')) return undefined;
    const path = fileURLToPath(frame.url);
    const map = mapFor(path);
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      const original = entry.originalSource.startsWith('file:')
        ? fileURLToPath(entry.originalSource)
        : resolve(dirname(path), entry.originalSource);
      return { source: relative(repoRoot, original), line: entry.originalLine + 1 };
    }
    // TypeScript run through tsx: the profile's lines are those of tsx's transformed code,
    // not of the file, so only the file is known.
    if (/\.[cm]?tsx?$/.test(path)) return { source: relative(repoRoot, path) };
    return { source: relative(repoRoot, path), line: frame.lineNumber + 1 };
  };
}
