/**
 * `-snapshot` (QEMU's BDRV_O_SNAPSHOT): the guest writes to a temporary qcow2 overlay whose
 * backing image is the real one, opened read-only, so the image file is never modified.
 * The overlay's file is the caller's choice: the Node opener uses a temporary file that is
 * unlinked at once (it vanishes however the process ends); a browser can use memory.
 *
 * ```ts
 * const base = new RawDriver(new MemoryImageFile('disk.img', bytes, true));
 * const disk = await createSnapshotOverlay(base, new MemoryImageFile('overlay'));
 * ```
 */
import type { BlockDriver } from './block-driver.js';
import type { ImageFile } from './image-file.js';
import { createQcow2 } from './qcow2/create.js';
import { Qcow2Driver } from './qcow2/qcow2-driver.js';

export async function createSnapshotOverlay(
  base: BlockDriver,
  overlay: ImageFile,
): Promise<Qcow2Driver> {
  // The names are recorded for anyone inspecting the overlay; the backing used is `base`.
  await createQcow2(overlay, {
    size: base.size,
    backingFile: base.filename,
    backingFormat: base.format,
  });
  return Qcow2Driver.open(overlay, { backing: base });
}
