/**
 * ISO 9660 interchange level 1 names (ECMA-119 7.5, 7.6 and 10.1): a file is NAME.EXT with up
 * to 8 and 3 d-characters (A-Z, 0-9, _), a directory is up to 8 d-characters, and the tree is
 * at most 8 levels deep. Level 1 is what every reader accepts, isolinux and SeaBIOS included.
 */

const DIRECTORY_NAME = /^[A-Z0-9_]{1,8}$/;
const FILE_NAME = /^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{0,3})?$/;
export const MAX_DIRECTORY_DEPTH = 8;

export function checkDirectoryName(name: string, path: string): void {
  if (!DIRECTORY_NAME.test(name)) {
    throw new Error(
      `ISO 9660: directory "${name}" in ${path} must be 1-8 characters of A-Z 0-9 _ (level 1)`,
    );
  }
}

export function checkFileName(name: string, path: string): void {
  if (!FILE_NAME.test(name)) {
    throw new Error(
      `ISO 9660: file name "${name}" in ${path} must be NAME.EXT with 1-8 and 0-3 characters of A-Z 0-9 _ (level 1)`,
    );
  }
}

/** The file identifier recorded on the disc: the name, a dot, and version 1 (";1"). */
export function fileIdentifier(name: string): string {
  return `${name.includes('.') ? name : `${name}.`};1`;
}

/**
 * 9.3: records in a directory are ordered by name then extension, each compared as if the
 * shorter were padded with spaces. Directories have no extension.
 */
export function compareIsoNames(a: string, b: string): number {
  const [aName, aExt = ''] = a.split('.');
  const [bName, bExt = ''] = b.split('.');
  return comparePadded(aName, bName) || comparePadded(aExt, bExt);
}

function comparePadded(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.padEnd(width, ' ');
  const pb = b.padEnd(width, ' ');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}
