import { type LogSink, SILENT_LOG } from '../device-env.js';

/** Port 0x80: the POST diagnostic port. */
export const POST_CODE_IOBASE = 0x80;
/** The `-d` item POST codes are logged under (tsemu's own: QEMU has no log for this port). */
export const POST_CODE_LOG_ITEM = 'post_codes';

export interface PostCodePortEnv {
  /** Each code written, for a display that shows it like a POST card. */
  onPostCode?: (code: number) => void;
  /** Codes are logged as "POST code 0xNN" under `post_codes`. */
  log?: LogSink;
}

/** The port's state: the last code written (what a POST card shows). */
export interface PostCodePortState {
  lastCode: number;
}

/**
 * Port 0x80 (QEMU's ioport80): firmware writes progress codes here during
 * POST, and Linux writes it as a short I/O delay. Writes are recorded and
 * logged; reads return 0xFF as on QEMU (nothing answers the read on a PC).
 */
export class PostCodePort {
  private code = 0;
  private readonly onPostCode: (code: number) => void;
  private readonly log: LogSink;

  constructor(env: PostCodePortEnv = {}) {
    this.onPostCode = env.onPostCode ?? (() => {});
    this.log = env.log ?? SILENT_LOG;
  }

  /** The last code written. */
  get lastCode(): number {
    return this.code;
  }

  read(_offset = 0): number {
    return 0xff;
  }

  write(_offset: number, value: number): void {
    this.code = value & 0xff;
    if (this.log.enabled(POST_CODE_LOG_ITEM)) {
      this.log.write(
        POST_CODE_LOG_ITEM,
        `POST code 0x${this.code.toString(16).padStart(2, '0')}\n`,
      );
    }
    this.onPostCode(this.code);
  }

  state(): PostCodePortState {
    return { lastCode: this.code };
  }

  loadState(state: PostCodePortState): void {
    if (!Number.isInteger(state.lastCode) || state.lastCode < 0 || state.lastCode > 0xff) {
      throw new RangeError(`port80 state: lastCode must be a byte, not ${state.lastCode}`);
    }
    this.code = state.lastCode;
  }
}
