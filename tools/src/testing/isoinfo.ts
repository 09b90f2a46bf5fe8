import { writeFileSync } from 'node:fs';
import { runToolOk } from './run-tool.js';

const GENISOIMAGE = { debianPackage: 'genisoimage' };

/** One file or directory as `isoinfo -l` lists it. */
export interface IsoListing {
  path: string;
  size: number;
  extent: number;
  directory: boolean;
}

/** Parses `isoinfo -l`: "Directory listing of /X/" headers, then one line per record. */
export function isoinfoList(isoPath: string): IsoListing[] {
  const out = runToolOk('isoinfo', ['-l', '-i', isoPath], GENISOIMAGE).toString();
  const entries: IsoListing[] = [];
  let directory = '/';
  for (const line of out.split('\n')) {
    const header = /^Directory listing of (\S+)/.exec(line);
    if (header) {
      directory = header[1];
      continue;
    }
    const record = /^([d-])\S+\s+\d+\s+\d+\s+\d+\s+(\d+) .*\[\s*(\d+) \d+\]\s+(\S+)\s*$/.exec(line);
    if (!record) continue;
    const name = record[4];
    if (name === '.' || name === '..') continue;
    entries.push({
      path: `${directory}${name}`,
      size: Number(record[2]),
      extent: Number(record[3]),
      directory: record[1] === 'd',
    });
  }
  return entries;
}

/** `isoinfo -d`: the volume and El Torito summary. */
export function isoinfoDescribe(isoPath: string): string {
  return runToolOk('isoinfo', ['-d', '-i', isoPath], GENISOIMAGE).toString();
}

/** `isoinfo -x`: one file's bytes, by its ISO path with version ("/BOOT/VMLINUZ;1"). */
export function isoinfoExtract(isoPath: string, isoFilePath: string): Buffer {
  return runToolOk('isoinfo', ['-i', isoPath, '-x', isoFilePath], GENISOIMAGE);
}

/** `isovfy`: genisoimage's consistency checker; returns its report. */
export function isovfy(isoPath: string): string {
  return runToolOk('isovfy', [isoPath], GENISOIMAGE).toString();
}

/** Writes an image to a file for the tools above. */
export function saveImage(path: string, image: Uint8Array): string {
  writeFileSync(path, image);
  return path;
}
