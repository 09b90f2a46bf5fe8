import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CharRecorder } from '../char/char-recorder.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { DebugExit } from './debug-exit.js';
import { Debugcon } from './debugcon.js';
import { Port92 } from './port92.js';
import { POST_CODE_LOG_ITEM, PostCodePort } from './post-code-port.js';

describe('port 0x92', () => {
  it('opens and closes A20 with bit 1', () => {
    const a20 = new IrqRecorder();
    const port = new Port92({ a20 });
    port.write(0, 0x02);
    expect(a20.level).toBe(true);
    expect(port.read()).toBe(0x02);
    port.write(0, 0x00);
    expect(a20.level).toBe(false);
  });

  it('resets the machine when bit 0 goes from 0 to 1, once', () => {
    let resets = 0;
    const port = new Port92({ resetRequest: () => resets++ });
    port.write(0, 0x03);
    port.write(0, 0x03);
    expect(resets).toBe(1);
    port.reset();
    expect(port.read()).toBe(0x02);
    port.write(0, 0x03);
    expect(resets).toBe(2);
  });

  it('restores its value and the A20 line from a snapshot, without resetting', () => {
    const a20 = new IrqRecorder();
    let resets = 0;
    Port92.fromState({ value: 0x03 }, { a20, resetRequest: () => resets++ });
    expect(a20.level).toBe(true);
    expect(resets).toBe(0);
  });
});

describe('port 0x80 (POST codes)', () => {
  it('records and logs each code, and reads as 0xFF', () => {
    const codes: number[] = [];
    const lines: string[] = [];
    const port = new PostCodePort({
      onPostCode: (code) => codes.push(code),
      log: { enabled: (item) => item === POST_CODE_LOG_ITEM, write: (_, text) => lines.push(text) },
    });
    port.write(0, 0x1a);
    port.write(0, 0x1ff);
    expect(codes).toEqual([0x1a, 0xff]);
    expect(port.lastCode).toBe(0xff);
    expect(lines).toEqual(['POST code 0x1a\n', 'POST code 0xff\n']);
    expect(port.read()).toBe(0xff);
  });
});

describe('isa-debugcon', () => {
  it('sends each byte written to the chardev', () => {
    const chardev = new CharRecorder();
    const debugcon = new Debugcon({ chardev });
    for (const byte of Buffer.from('SeaBIOS (version 1.16.2)\n')) debugcon.write(0, byte);
    expect(chardev.takeText()).toBe('SeaBIOS (version 1.16.2)\n');
  });

  it('reads back 0xE9 so a guest can find it, or the configured value', () => {
    expect(new Debugcon().read()).toBe(0xe9);
    expect(new Debugcon({ readback: 0x1234 }).read(0, 2)).toBe(0x1234);
  });

  it('never takes the input focus of its chardev', () => {
    const chardev = new CharRecorder();
    const debugcon = new Debugcon({ chardev });
    debugcon.write(0, 0x41);
    chardev.type('ignored');
    expect(chardev.pendingInput).toBe(7);
  });
});

describe('isa-debug-exit', () => {
  it('asks to exit with status (N << 1) | 1', () => {
    const statuses: number[] = [];
    const device = new DebugExit({ exitRequest: (status) => statuses.push(status) });
    device.write(0, 0x00);
    device.write(0, 0x10);
    device.write(0, 0x31);
    expect(statuses).toEqual([1, 0x21, 0x63]);
  });

  it('takes as many bytes of the value as the access is wide', () => {
    const statuses: number[] = [];
    const device = new DebugExit({ exitRequest: (status) => statuses.push(status) });
    device.write(0, 0x1234, 1);
    device.write(0, 0x1234, 2);
    device.write(0, 0xffffffff, 4);
    expect(statuses).toEqual([0x69, 0x2469, 0x1ffffffff]);
  });

  it('reads as zero', () => {
    expect(new DebugExit({ exitRequest: () => {} }).read()).toBe(0);
  });
});

describe('misc ports under random traffic', () => {
  it('never throw and read back bytes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(1, 2, 4)),
          {
            maxLength: 50,
          },
        ),
        (accesses) => {
          const devices = [
            new Port92(),
            new PostCodePort(),
            new Debugcon({ chardev: new CharRecorder() }),
            new DebugExit({ exitRequest: (status) => expect(status % 2).toBe(1) }),
          ];
          for (const [isWrite, value, size] of accesses) {
            for (const device of devices) {
              if (isWrite) device.write(0, value, size);
              else expect(device.read(0, size)).toBeLessThanOrEqual(0xffffffff);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
