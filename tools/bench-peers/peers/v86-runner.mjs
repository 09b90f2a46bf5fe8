// Runs v86 headless in Node, as one peer of tools/bench-peers: the guest's first serial port
// on standard output, standard input typed into it. v86 has no power-off of its own, so the
// process exits once the kernel prints its last line ("reboot: Power down" or, without ACPI,
// "reboot: System halted").
//
//   node v86-runner.mjs --v86 DIR --bios FILE --vgabios FILE --kernel FILE --initrd FILE
//                       --append "console=ttyS0" --memory 256
//
// Plain JavaScript (not TypeScript through tsx) so that starting it costs what starting
// any Node program costs: its start-up is part of the measured time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    v86: { type: 'string' },
    bios: { type: 'string' },
    vgabios: { type: 'string' },
    kernel: { type: 'string' },
    initrd: { type: 'string' },
    append: { type: 'string', default: '' },
    memory: { type: 'string', default: '256' },
  },
});
for (const name of ['v86', 'bios', 'vgabios', 'kernel', 'initrd']) {
  if (values[name] === undefined) {
    process.stderr.write(`v86-runner: missing --${name}\n`);
    process.exit(1);
  }
}

// v86's own messages go to standard error: standard output is the guest's serial port.
console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`);

function image(path) {
  const bytes = readFileSync(path);
  return { buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
}

const { V86 } = await import(pathToFileURL(join(values.v86, 'build/libv86.mjs')).href);
const emulator = new V86({
  wasm_path: join(values.v86, 'build/v86.wasm'),
  memory_size: Number(values.memory) * 1024 * 1024,
  vga_memory_size: 8 * 1024 * 1024,
  bios: image(values.bios),
  vga_bios: image(values.vgabios),
  bzimage: image(values.kernel),
  initrd: image(values.initrd),
  cmdline: values.append,
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
});

// Bytes are passed on a line at a time (or at the next turn of the event loop for a
// partial line), not one write per byte.
let pending = [];
let flushQueued = false;
let recent = '';
function flush() {
  flushQueued = false;
  if (pending.length === 0) return;
  process.stdout.write(Buffer.from(pending));
  pending = [];
}

emulator.add_listener('serial0-output-byte', (byte) => {
  pending.push(byte);
  recent = (recent + String.fromCharCode(byte)).slice(-64);
  if (byte === 0x0a) {
    flush();
    if (/reboot: (Power down|System halted)/.test(recent)) {
      emulator.stop();
      process.exit(0);
    }
  } else if (!flushQueued) {
    flushQueued = true;
    setImmediate(flush);
  }
});

process.stdin.on('data', (chunk) => emulator.serial0_send(chunk.toString('latin1')));
// The harness may close standard input; that is not the end of the run.
process.stdin.on('error', () => {});
