/**
 * The raw format (QEMU's block/raw-format.c): the guest disk is the file, byte for byte.
 * Requests go straight to the file at the same offset, so images of any size work without
 * being loaded, and a sparse file stays sparse.
 */
import type { BlockDriver } from './block-driver.js';
import { BlockIoFailure } from './errors.js';
import { type ImageFile, readOrZero } from './image-file.js';
import { PROBE_BYTES, probeFormat } from './probe.js';

export interface RawDriverOptions {
  /**
   * The format was guessed, not given. As QEMU does, a write that would make sector 0 look
   * like another format (a guest writing a qcow2 header) is then refused, so a guest cannot
   * make the host open its disk as qcow2 next time (and reach host files as backing files).
   */
  probed?: boolean;
}

export class RawDriver implements BlockDriver {
  readonly format = 'raw';
  readonly backing = null;
  readonly size: number;
  private readonly probed: boolean;

  constructor(
    private readonly file: ImageFile,
    options: RawDriverOptions = {},
  ) {
    this.size = file.length();
    this.probed = options.probed ?? false;
  }

  get filename(): string {
    return this.file.name;
  }

  get readOnly(): boolean {
    return this.file.readOnly;
  }

  async read(offset: number, dest: Uint8Array): Promise<void> {
    // A size that is not a multiple of 512 is rounded up by the backend; the tail reads as zeros.
    await readOrZero(this.file, offset, dest);
  }

  async write(offset: number, src: Uint8Array): Promise<void> {
    if (this.probed && offset < PROBE_BYTES && src.length > 0) {
      await this.checkSectorZero(offset, src);
    }
    await this.file.write(offset, src);
  }

  async flush(): Promise<void> {
    await this.file.flush();
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  closeSync(): void {
    this.file.closeSync();
  }

  /** Refuses a write after which sector 0 would probe as something other than raw. */
  private async checkSectorZero(offset: number, src: Uint8Array): Promise<void> {
    const sector = new Uint8Array(PROBE_BYTES);
    await readOrZero(this.file, 0, sector);
    const end = Math.min(PROBE_BYTES, offset + src.length);
    sector.set(src.subarray(0, end - offset), offset);
    const probed = probeFormat(sector);
    if (probed.format !== 'raw') {
      const name = probed.format === 'unsupported' ? probed.name : probed.format;
      throw new BlockIoFailure(
        'permission-denied',
        `${this.file.name}: refused a write that makes sector 0 look like a ${name} image (the format was probed as raw)`,
      );
    }
  }
}
