/**
 * MANIFEST.json in the images folder: every file with its size and SHA-256, and where it came
 * from (a Debian package and version, or which fetched files it was built from).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileIfExists, sha256Hex } from '../util/files.js';

export const MANIFEST_FILE = 'MANIFEST.json';

export interface FetchedFileEntry {
  file: string;
  size: number;
  sha256: string;
  package: string;
  version: string;
  architecture: string;
  /** The file's path inside the package. */
  pathInPackage: string;
}

export interface BuiltFileEntry {
  file: string;
  size: number;
  sha256: string;
  /** The images it was built from. */
  builtFrom: string[];
  /** The tools source that builds it. */
  builder: string;
}

export type ManifestEntry = FetchedFileEntry | BuiltFileEntry;

export interface Manifest {
  /** A hash of what the tool fetches and builds; a changed recipe means a rebuild. */
  recipe: string;
  files: ManifestEntry[];
}

export function isFetched(entry: ManifestEntry): entry is FetchedFileEntry {
  return 'package' in entry;
}

export async function readManifest(imagesDir: string): Promise<Manifest | undefined> {
  const text = await readFileIfExists(join(imagesDir, MANIFEST_FILE));
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text.toString()) as Partial<Manifest>;
    if (typeof parsed.recipe !== 'string' || !Array.isArray(parsed.files)) return undefined;
    return parsed as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * Whether the images folder holds exactly what the manifest says, for this recipe: every file
 * present with its recorded size and hash. Reads the files (tens of MB: well under a second).
 */
export async function manifestIsCurrent(
  imagesDir: string,
  recipe: string,
  expectedFiles: readonly string[],
): Promise<Manifest | undefined> {
  const manifest = await readManifest(imagesDir);
  if (manifest === undefined || manifest.recipe !== recipe) return undefined;
  const listed = new Set(manifest.files.map((f) => f.file));
  if (expectedFiles.some((f) => !listed.has(f))) return undefined;
  for (const entry of manifest.files) {
    const data = await readFileIfExists(join(imagesDir, entry.file));
    if (data === undefined || data.length !== entry.size || sha256Hex(data) !== entry.sha256)
      return undefined;
  }
  return manifest;
}

/** Reads a file of the images folder and describes it for the manifest. */
export async function describeFile(
  imagesDir: string,
  file: string,
): Promise<{ file: string; size: number; sha256: string }> {
  const data = await readFile(join(imagesDir, file));
  return { file, size: data.length, sha256: sha256Hex(data) };
}
