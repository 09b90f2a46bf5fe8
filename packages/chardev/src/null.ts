import { Chardev } from './chardev.js';

/** `-chardev null`: output is discarded, input never arrives (QEMU's null backend). */
export class NullChardev extends Chardev {
  constructor(id = 'null') {
    super(id);
    this.sendEvent('opened');
  }

  get filename(): string {
    return 'null';
  }

  protected writeOut(data: Uint8Array): number {
    return data.length;
  }

  protected async closeBackend(): Promise<void> {}
}
