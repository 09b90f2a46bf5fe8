import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { I8042, type I8042Env } from './i8042.js';
import {
  I8042_CMD_AUX_DISABLE,
  I8042_CMD_AUX_ENABLE,
  I8042_CMD_AUX_LOOP,
  I8042_CMD_AUX_SEND,
  I8042_CMD_CTL_RCTR,
  I8042_CMD_CTL_TEST,
  I8042_CMD_CTL_WCTR,
  I8042_CMD_KBD_DISABLE,
  I8042_CMD_KBD_ENABLE,
  I8042_CMD_KBD_TEST,
  I8042_CMD_READ_OUTPUT,
  I8042_CMD_WRITE_OUTPUT,
  I8042_COMMAND,
  I8042_CTR_AUXDIS,
  I8042_CTR_AUXINT,
  I8042_CTR_KBDDIS,
  I8042_CTR_KBDINT,
  I8042_CTR_XLATE,
  I8042_DATA,
  I8042_STATUS,
  I8042_STR_AUXDATA,
  I8042_STR_IBF,
  I8042_STR_OBF,
} from './i8042-registers.js';
import { MOUSE_BUTTON_LEFT } from './ps2-mouse.js';

function setup(env: Partial<I8042Env> = {}) {
  const kbdIrq = new IrqRecorder();
  const mouseIrq = new IrqRecorder();
  const a20 = new IrqRecorder();
  const resets: string[] = [];
  const kbc = new I8042({
    kbdIrq,
    mouseIrq,
    a20,
    resetRequest: () => resets.push('reset'),
    ...env,
  });
  return { kbc, kbdIrq, mouseIrq, a20, resets, io: new PortIo(kbc) };
}

/** Port-level helpers written the way firmware and kernels talk to the controller (with polling timeouts). */
class PortIo {
  constructor(private readonly kbc: I8042) {}

  status(): number {
    return this.kbc.read(I8042_STATUS);
  }

  /** Wait until the controller can take a byte (i8042_wait_write). */
  waitWrite(): void {
    for (let i = 0; i < 100; i++) if (!(this.status() & I8042_STR_IBF)) return;
    throw new Error('i8042 input buffer stuck full');
  }

  /** Wait for a byte and read it (i8042_wait_read + inb(0x60)). */
  readByte(): { byte: number; aux: boolean } {
    for (let i = 0; i < 100; i++) {
      const status = this.status();
      if (status & I8042_STR_OBF) {
        return { byte: this.kbc.read(I8042_DATA), aux: (status & I8042_STR_AUXDATA) !== 0 };
      }
    }
    throw new Error('timeout waiting for i8042 output');
  }

  /** Read until the output buffer is empty (i8042_flush); returns what was thrown away. */
  flush(): number[] {
    const flushed: number[] = [];
    while (this.status() & I8042_STR_OBF) flushed.push(this.kbc.read(I8042_DATA));
    return flushed;
  }

  /** A controller command with parameters and `receive` reply bytes (i8042_command). */
  command(command: number, params: number[] = [], receive = 0): number[] {
    this.waitWrite();
    this.kbc.write(I8042_COMMAND, command);
    for (const param of params) {
      this.waitWrite();
      this.kbc.write(I8042_DATA, param);
    }
    return Array.from({ length: receive }, () => this.readByte().byte);
  }

  /** Send a byte to the keyboard and return its reply bytes. */
  keyboard(byte: number, replies: number): number[] {
    this.waitWrite();
    this.kbc.write(I8042_DATA, byte);
    return Array.from({ length: replies }, () => {
      const { byte: reply, aux } = this.readByte();
      expect(aux).toBe(false);
      return reply;
    });
  }

  /** Send a byte to the mouse (0xD4 prefix) and return its reply bytes. */
  mouse(byte: number, replies: number): number[] {
    this.command(I8042_CMD_AUX_SEND, [byte]);
    return Array.from({ length: replies }, () => {
      const { byte: reply, aux } = this.readByte();
      expect(aux).toBe(true);
      return reply;
    });
  }
}

describe('i8042 bring-up as SeaBIOS does it (ps2port.c)', () => {
  it('self-tests, tests the keyboard port, resets the keyboard and enables it with translation', () => {
    const { kbc, io, kbdIrq } = setup();
    io.flush();
    expect(io.command(I8042_CMD_CTL_TEST, [], 1)).toEqual([0x55]);
    expect(io.command(I8042_CMD_KBD_TEST, [], 1)).toEqual([0x00]);
    // __ps2_command: interrupts and ports off, then only the keyboard port on, around each keyboard command.
    const quiet = I8042_CTR_KBDDIS | I8042_CTR_AUXDIS;
    const keyboardCommand = (byte: number, params: number[], replies: number) => {
      io.command(I8042_CMD_CTL_WCTR, [quiet]);
      io.command(I8042_CMD_CTL_WCTR, [quiet & ~I8042_CTR_KBDDIS]);
      const answer = io.keyboard(byte, 1 + replies);
      for (const param of params) answer.push(...io.keyboard(param, 1));
      return answer;
    };
    expect(keyboardCommand(0xff, [], 1)).toEqual([0xfa, 0xaa]); // reset: ACK, BAT passed
    expect(keyboardCommand(0xf5, [], 0)).toEqual([0xfa]); // default and disable
    expect(keyboardCommand(0xf0, [0x02], 0)).toEqual([0xfa, 0xfa]); // scancode set 2
    const ctr = I8042_CTR_AUXDIS | I8042_CTR_XLATE | I8042_CTR_KBDINT;
    io.command(I8042_CMD_CTL_WCTR, [quiet]);
    io.command(I8042_CMD_CTL_WCTR, [quiet & ~I8042_CTR_KBDDIS]);
    expect(io.keyboard(0xf4, 1)).toEqual([0xfa]); // enable
    io.command(I8042_CMD_CTL_WCTR, [ctr]);
    expect(kbc.commandByte).toBe(ctr);
    // INT 09h: a key press raises IRQ 1 and reads as a set 1 code.
    kbc.keyboard.keyDown('a');
    expect(kbdIrq.level).toBe(true);
    expect(io.readByte()).toEqual({ byte: 0x1e, aux: false });
    expect(kbdIrq.level).toBe(false);
  });
});

describe('i8042 bring-up as Linux does it (i8042.c, atkbd.c)', () => {
  it('passes the controller checks, the AUX loop and IRQ tests, and probes the keyboard', () => {
    const { kbc, io, kbdIrq, mouseIrq } = setup();
    io.flush();
    expect(io.command(I8042_CMD_CTL_TEST, [], 1)).toEqual([0x55]);
    // i8042_controller_init: read CTR until two reads agree, keyboard off and quiet, write it back.
    const [ctr1] = io.command(I8042_CMD_CTL_RCTR, [], 1);
    const [ctr2] = io.command(I8042_CMD_CTL_RCTR, [], 1);
    expect(ctr1).toBe(ctr2);
    let ctr = (ctr1 | I8042_CTR_KBDDIS) & ~I8042_CTR_KBDINT;
    io.command(I8042_CMD_CTL_WCTR, [ctr]);
    // i8042_check_aux: the loopback command echoes through the AUX side of the output buffer.
    io.command(I8042_CMD_AUX_LOOP, [0x5a]);
    expect(io.readByte()).toEqual({ byte: 0x5a, aux: true });
    io.command(I8042_CMD_AUX_DISABLE);
    expect(io.command(I8042_CMD_CTL_RCTR, [], 1)[0] & I8042_CTR_AUXDIS).toBe(I8042_CTR_AUXDIS);
    io.command(I8042_CMD_AUX_ENABLE);
    expect(io.command(I8042_CMD_CTL_RCTR, [], 1)[0] & I8042_CTR_AUXDIS).toBe(0);
    // The AUX IRQ test: port enabled with its interrupt, loop a byte, IRQ 12 must fire.
    ctr = (ctr & ~I8042_CTR_AUXDIS) | I8042_CTR_AUXINT;
    io.command(I8042_CMD_CTL_WCTR, [ctr]);
    const edges = mouseIrq.risingEdges;
    io.command(I8042_CMD_AUX_LOOP, [0xa5]);
    expect(mouseIrq.risingEdges).toBe(edges + 1);
    expect(io.readByte()).toEqual({ byte: 0xa5, aux: true });
    // i8042_enable_kbd_port, then atkbd_probe / atkbd_activate with translation on.
    ctr = (ctr & ~I8042_CTR_KBDDIS) | I8042_CTR_KBDINT | I8042_CTR_XLATE;
    io.command(I8042_CMD_CTL_WCTR, [ctr]);
    const kbdEdges = kbdIrq.risingEdges;
    expect(io.keyboard(0xf2, 3)).toEqual([0xfa, 0xab, 0x41]); // identify, as a translating controller shows it
    expect(io.keyboard(0xed, 1)).toEqual([0xfa]);
    expect(io.keyboard(0x00, 1)).toEqual([0xfa]); // LEDs off
    expect(io.keyboard(0xf3, 1)).toEqual([0xfa]);
    expect(io.keyboard(0x00, 1)).toEqual([0xfa]); // fastest repeat
    expect(io.keyboard(0xf4, 1)).toEqual([0xfa]); // enable
    expect(kbdIrq.risingEdges - kbdEdges).toBe(8); // one interrupt per reply byte
    expect(kbc.keyboard.leds).toBe(0);
  });
});

describe('i8042 keyboard data', () => {
  it('translates set 2 to set 1, folding the F0 release prefix into bit 7', () => {
    const { kbc, io } = setup();
    io.command(I8042_CMD_CTL_WCTR, [I8042_CTR_KBDINT | I8042_CTR_XLATE]);
    for (const key of ['a', 'up'] as const) {
      kbc.keyboard.keyDown(key);
      kbc.keyboard.keyUp(key);
    }
    kbc.keyboard.keyDown('pause');
    const bytes = [];
    while (io.status() & I8042_STR_OBF) bytes.push(io.readByte().byte);
    expect(bytes).toEqual([0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
  });

  it('passes set 2 through untranslated when command byte bit 6 is clear', () => {
    const { kbc, io } = setup();
    io.command(I8042_CMD_CTL_WCTR, [I8042_CTR_KBDINT]);
    kbc.keyboard.keyDown('a');
    kbc.keyboard.keyUp('a');
    expect([io.readByte().byte, io.readByte().byte, io.readByte().byte]).toEqual([
      0x1c, 0xf0, 0x1c,
    ]);
  });

  it('holds keyboard data while the keyboard interface is disabled', () => {
    const { kbc, io, kbdIrq } = setup();
    io.command(I8042_CMD_KBD_DISABLE);
    kbc.keyboard.keyDown('esc');
    expect(io.status() & I8042_STR_OBF).toBe(0);
    expect(kbdIrq.level).toBe(false);
    io.command(I8042_CMD_KBD_ENABLE);
    expect(kbdIrq.level).toBe(true);
    expect(io.readByte().byte).toBe(0x76); // Esc in set 2: translation is off after reset
  });

  it('answers a controller command before keyboard data already waiting', () => {
    const { kbc, io } = setup();
    io.command(I8042_CMD_CTL_WCTR, [I8042_CTR_KBDDIS]);
    kbc.keyboard.keyDown('a');
    expect(io.command(I8042_CMD_CTL_RCTR, [], 1)).toEqual([I8042_CTR_KBDDIS]);
  });

  it('returns the last byte again when the data port is read with nothing new', () => {
    const { kbc, io } = setup();
    kbc.keyboard.keyDown('a');
    expect(io.readByte().byte).toBe(0x1c);
    expect(kbc.read(I8042_DATA)).toBe(0x1c);
  });
});

describe('i8042 mouse', () => {
  it('enables the mouse and delivers movement packets on IRQ 12', () => {
    const { kbc, io, mouseIrq, kbdIrq } = setup();
    expect(io.mouse(0xff, 3)).toEqual([0xfa, 0xaa, 0x00]);
    expect(io.mouse(0xf4, 1)).toEqual([0xfa]);
    kbc.mouse.mouseEvent(5, 3, 0, MOUSE_BUTTON_LEFT);
    expect(mouseIrq.level).toBe(true);
    expect(kbdIrq.level).toBe(false);
    // Left button, y up on screen is positive on PS/2: dy = -3.
    expect([io.readByte(), io.readByte(), io.readByte()].map((r) => r.byte)).toEqual([
      0x29, 0x05, 0xfd,
    ]);
  });

  it('becomes a wheel mouse after the 200-100-80 knock and sends four-byte packets', () => {
    const { kbc, io } = setup();
    for (const rate of [200, 100, 80]) {
      expect(io.mouse(0xf3, 1)).toEqual([0xfa]);
      expect(io.mouse(rate, 1)).toEqual([0xfa]);
    }
    expect(io.mouse(0xf2, 2)).toEqual([0xfa, 0x03]);
    io.mouse(0xf4, 1);
    kbc.mouse.mouseEvent(0, 0, -2, 0);
    expect([io.readByte(), io.readByte(), io.readByte(), io.readByte()].map((r) => r.byte)).toEqual(
      [0x08, 0x00, 0x00, 0xfe],
    );
  });

  it('becomes a five-button mouse after 200-100-80 then 200-200-80', () => {
    const { io } = setup();
    for (const rate of [200, 100, 80, 200, 200, 80]) {
      io.mouse(0xf3, 1);
      io.mouse(rate, 1);
    }
    expect(io.mouse(0xf2, 2)).toEqual([0xfa, 0x04]);
  });

  it('splits a large move into several packets', () => {
    const { kbc, io } = setup();
    io.mouse(0xf4, 1);
    kbc.mouse.mouseEvent(300, 0, 0, 0);
    const packets = [0, 1, 2, 3, 4, 5].map(() => io.readByte().byte);
    expect(packets).toEqual([0x08, 0xff, 0x00, 0x08, 0x2d, 0x00]);
  });

  it('reports movement only on request in remote mode', () => {
    const { kbc, io } = setup();
    io.mouse(0xf4, 1);
    io.mouse(0xf0, 1);
    kbc.mouse.mouseEvent(-4, 0, 0, 0);
    expect(io.status() & I8042_STR_OBF).toBe(0);
    expect(io.mouse(0xeb, 4)).toEqual([0xfa, 0x18, 0xfc, 0x00]);
  });

  it('answers a status request with mode, resolution and sample rate', () => {
    const { io } = setup();
    io.mouse(0xf4, 1);
    io.mouse(0xe7, 1); // scaling 2:1
    io.mouse(0xe8, 1);
    io.mouse(0x03, 1); // 8 counts/mm
    expect(io.mouse(0xe9, 4)).toEqual([0xfa, 0x30, 0x03, 100]);
  });

  it('echoes bytes in wrap mode until told to stop', () => {
    const { io } = setup();
    io.mouse(0xee, 1);
    expect(io.mouse(0x42, 1)).toEqual([0x42]);
    expect(io.mouse(0xec, 1)).toEqual([0xfa]);
  });
});

describe('i8042 output port: A20 and reset', () => {
  it('drives A20 from output port bit 1 (command 0xD1)', () => {
    const { io, a20, resets } = setup();
    io.command(I8042_CMD_WRITE_OUTPUT, [0xdd]);
    expect(a20.level).toBe(false);
    io.command(I8042_CMD_WRITE_OUTPUT, [0xdf]);
    expect(a20.level).toBe(true);
    expect(resets).toEqual([]);
    expect(io.command(I8042_CMD_READ_OUTPUT, [], 1)[0] & 0x03).toBe(0x03);
  });

  it('requests a reset when output port bit 0 is written low', () => {
    const { io, resets } = setup();
    io.command(I8042_CMD_WRITE_OUTPUT, [0xde]);
    expect(resets).toEqual(['reset']);
  });

  it('requests a reset on the 0xFE pulse command, and not on 0xFF', () => {
    const { io, resets } = setup();
    io.command(0xff);
    expect(resets).toEqual([]);
    io.command(0xfe);
    expect(resets).toEqual(['reset']);
  });

  it('switches A20 with the 0xDD and 0xDF commands', () => {
    const { io, a20 } = setup();
    io.command(0xdd);
    expect(a20.level).toBe(false);
    io.command(0xdf);
    expect(a20.level).toBe(true);
  });
});

describe('i8042 snapshots and bad input', () => {
  it('restores the buffer, the queues and the IRQ line', () => {
    const first = setup();
    first.io.command(I8042_CMD_CTL_WCTR, [I8042_CTR_KBDINT | I8042_CTR_XLATE]);
    first.kbc.keyboard.keyDown('shift');
    first.kbc.keyboard.keyDown('b');
    const saved = first.kbc.state();
    const kbdIrq = new IrqRecorder();
    const restored = I8042.fromState(saved, { kbdIrq });
    expect(kbdIrq.level).toBe(true);
    expect(restored.state()).toEqual(saved);
    expect([restored.read(I8042_DATA), restored.read(I8042_DATA)]).toEqual([0x2a, 0x30]);
  });

  it('logs an unsupported controller command as a guest error and carries on', () => {
    const messages: string[] = [];
    const { io } = setup({ log: { enabled: () => true, write: (_, text) => messages.push(text) } });
    io.command(0xc8);
    expect(messages).toEqual(['i8042: unsupported controller command 0xc8\n']);
    expect(io.command(I8042_CMD_CTL_TEST, [], 1)).toEqual([0x55]);
  });
});
