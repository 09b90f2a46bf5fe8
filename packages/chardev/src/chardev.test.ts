import { describe, expect, it } from 'vitest';
import type { CharEvent } from './char-backend.js';
import { MemoryChardev } from './memory.js';
import { NullChardev } from './null.js';

/** A frontend with a fixed amount of room, like a UART FIFO the guest drains on demand. */
function boundedFrontend(room: number) {
  const received: number[] = [];
  const events: CharEvent[] = [];
  let space = room;
  return {
    received,
    events,
    handlers: {
      canReceive: () => space,
      receive: (data: Uint8Array) => {
        received.push(...data);
        space -= data.length;
      },
      event: (event: CharEvent) => events.push(event),
    },
    drain(count: number) {
      space += count;
    },
  };
}

describe('Chardev input', () => {
  it('passes the frontend no more bytes than it says it can take', () => {
    const chardev = new MemoryChardev();
    const frontend = boundedFrontend(3);
    chardev.setHandlers(frontend.handlers);
    chardev.type('abcdef');
    expect(Buffer.from(frontend.received).toString()).toBe('abc');
    expect(chardev.pendingInput).toBe(3);
  });

  it('delivers the waiting bytes, in order, when the frontend accepts input again', () => {
    const chardev = new MemoryChardev();
    const frontend = boundedFrontend(2);
    chardev.setHandlers(frontend.handlers);
    chardev.type('hello');
    chardev.type(' world');
    while (chardev.pendingInput > 0) {
      frontend.drain(2);
      chardev.acceptInput();
    }
    expect(Buffer.from(frontend.received).toString()).toBe('hello world');
  });

  it('pauses its source while input waits and resumes it once everything is delivered', () => {
    const chardev = new MemoryChardev();
    const frontend = boundedFrontend(1);
    chardev.setHandlers(frontend.handlers);
    chardev.type('xyz');
    expect([chardev.pauses, chardev.resumes]).toEqual([1, 0]);
    frontend.drain(5);
    chardev.acceptInput();
    expect([chardev.pauses, chardev.resumes]).toEqual([1, 1]);
  });

  it('keeps input that arrives before any frontend is attached', () => {
    const chardev = new MemoryChardev();
    chardev.type('early');
    const frontend = boundedFrontend(100);
    chardev.setHandlers(frontend.handlers);
    expect(Buffer.from(frontend.received).toString()).toBe('early');
  });

  it('survives a frontend that accepts more input from inside receive()', () => {
    const chardev = new MemoryChardev();
    const received: number[] = [];
    chardev.setHandlers({
      canReceive: () => 1,
      receive: (data) => {
        received.push(...data);
        chardev.acceptInput();
      },
    });
    chardev.type('0123456789');
    expect(Buffer.from(received).toString()).toBe('0123456789');
  });

  it('tells a frontend attaching to an open backend that it is open', () => {
    const chardev = new NullChardev();
    const frontend = boundedFrontend(1);
    chardev.setHandlers(frontend.handlers);
    expect(frontend.events).toEqual(['opened']);
  });

  it('ignores writes once it is closed', async () => {
    const chardev = new MemoryChardev();
    await chardev.close();
    expect(chardev.write(Uint8Array.of(1, 2))).toBe(2);
    expect(chardev.takeOutput()).toEqual(new Uint8Array());
    expect(chardev.isClosed).toBe(true);
  });
});
