import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, prop, type Result, vmstate } from '@tsemu/qom';
import { ISA_DEVICE, IsaDevice } from '../isa/isa-device.js';
import { I8042, type I8042State } from './i8042.js';
import { I8042_COMMAND, I8042_DATA, I8042_RAM_SIZE } from './i8042-registers.js';
import { PS2_QUEUE_SIZE, PS2_REPLY_LIMIT, type Ps2OutputState } from './ps2-device.js';
import { PS2Keyboard, type PS2KeyboardState } from './ps2-keyboard.js';
import type { PS2MouseState } from './ps2-mouse.js';
import { isQKeyCode, QKEYCODES } from './qkeycode.js';

const i8042Props = {
  'kbd-irq': prop.uint32({ default: 1, max: 15, description: 'ISA IRQ of the keyboard' }),
  'mouse-irq': prop.uint32({ default: 12, max: 15, description: 'ISA IRQ of the mouse' }),
};

/** The controller's own reply queue holds at most this many bytes (as the core's limit). */
const CONTROLLER_QUEUE_SAVED = 16;

/** A variable-length list in fixed-size vmstate fields: the items, padded, and a count. */
interface Padded {
  items: number[];
  count: number;
}

function pad(list: readonly number[], capacity: number, what: string): Padded {
  if (list.length > capacity) {
    throw new RangeError(`i8042 state: ${what} holds ${list.length} items, more than ${capacity}`);
  }
  const items = new Array<number>(capacity).fill(0);
  list.forEach((item, i) => {
    items[i] = item;
  });
  return { items, count: list.length };
}

function unpad(padded: Padded, what: string): number[] {
  if (padded.count > padded.items.length) {
    throw new RangeError(`i8042 state: ${what} count ${padded.count} is over its capacity`);
  }
  return padded.items.slice(0, padded.count);
}

const paddedDescription = (name: string, capacity: number, element = vmstate.uint8()) =>
  defineState<Padded>({
    name,
    fields: { items: vmstate.array(element, capacity), count: vmstate.uint16() },
  });

const replies = paddedDescription('ps2-replies', PS2_REPLY_LIMIT);
const queue = paddedDescription('ps2-queue', PS2_QUEUE_SIZE);

interface SavedOutput {
  replies: Padded;
  queue: Padded;
  lastSent: number;
}

const outputFields = {
  replies: vmstate.struct(replies),
  queue: vmstate.struct(queue),
  lastSent: vmstate.uint8(),
};

/** The keyboard's state; held keys as indices into QKEYCODES, in the order pressed. */
interface SavedKeyboard extends SavedOutput {
  scanning: boolean;
  scancodeSet: number;
  leds: number;
  typematic: number;
  pendingCommand: number;
  pressed: Padded;
  repeatArmed: boolean;
  repeatAtNs: number;
}

const keyboardDescription = defineState<SavedKeyboard>({
  name: 'ps2kbd-core',
  fields: {
    ...outputFields,
    scanning: vmstate.bool(),
    scancodeSet: vmstate.uint8(),
    leds: vmstate.uint8(),
    typematic: vmstate.uint8(),
    pendingCommand: vmstate.uint8(),
    pressed: vmstate.struct(
      paddedDescription('ps2kbd-pressed', QKEYCODES.length, vmstate.uint16()),
    ),
    repeatArmed: vmstate.bool(),
    repeatAtNs: vmstate.float64(),
  },
});

interface SavedMouse extends SavedOutput {
  status: number;
  resolution: number;
  sampleRate: number;
  wrap: boolean;
  type: number;
  detectState: number;
  pendingCommand: number;
  dx: number;
  dy: number;
  dz: number;
  buttons: number;
}

const mouseDescription = defineState<SavedMouse>({
  name: 'ps2mouse-core',
  fields: {
    ...outputFields,
    status: vmstate.uint8(),
    resolution: vmstate.uint8(),
    sampleRate: vmstate.uint8(),
    wrap: vmstate.bool(),
    type: vmstate.uint8(),
    detectState: vmstate.uint8(),
    pendingCommand: vmstate.uint8(),
    dx: vmstate.int32(),
    dy: vmstate.int32(),
    dz: vmstate.int32(),
    buttons: vmstate.uint8(),
  },
});

/** The controller's state; the controller queue as bytes plus an aux bit per byte. */
export interface I8042SavedState {
  status: number;
  ram: number[];
  outport: number;
  outputBuffer: number;
  outputFull: boolean;
  outputFromAux: boolean;
  pendingCommand: number;
  controllerBytes: Padded;
  controllerAux: Padded;
  translatePrefix: boolean;
  keyboard: SavedKeyboard;
  mouse: SavedMouse;
}

const controllerQueue = paddedDescription('i8042-queue', CONTROLLER_QUEUE_SAVED);

const i8042Description = defineState<I8042SavedState>({
  name: 'i8042-core',
  fields: {
    status: vmstate.uint8(),
    ram: vmstate.array(vmstate.uint8(), I8042_RAM_SIZE),
    outport: vmstate.uint8(),
    outputBuffer: vmstate.uint8(),
    outputFull: vmstate.bool(),
    outputFromAux: vmstate.bool(),
    pendingCommand: vmstate.uint8(),
    controllerBytes: vmstate.struct(controllerQueue),
    controllerAux: vmstate.struct(controllerQueue),
    translatePrefix: vmstate.bool(),
    keyboard: vmstate.struct(keyboardDescription),
    mouse: vmstate.struct(mouseDescription),
  },
});

function saveOutput(s: Ps2OutputState): SavedOutput {
  return {
    replies: pad(s.replies, PS2_REPLY_LIMIT, 'replies'),
    queue: pad(s.queue, PS2_QUEUE_SIZE, 'queue'),
    lastSent: s.lastSent,
  };
}

function loadOutput(s: SavedOutput): Ps2OutputState {
  return {
    replies: unpad(s.replies, 'replies'),
    queue: unpad(s.queue, 'queue'),
    lastSent: s.lastSent,
  };
}

function toSaved(s: I8042State): I8042SavedState {
  const { controllerQueue: entries, keyboard: kbd, mouse, ...rest } = s;
  const { pressed, repeatAtNs, ...kbdRest } = kbd;
  return {
    ...rest,
    controllerBytes: pad(
      entries.map((e) => e.byte),
      CONTROLLER_QUEUE_SAVED,
      'controller queue',
    ),
    controllerAux: pad(
      entries.map((e) => (e.aux ? 1 : 0)),
      CONTROLLER_QUEUE_SAVED,
      'controller queue',
    ),
    keyboard: {
      ...kbdRest,
      ...saveOutput(kbd),
      pressed: pad(
        pressed.map((key) => QKEYCODES.indexOf(key as (typeof QKEYCODES)[number])),
        QKEYCODES.length,
        'pressed keys',
      ),
      repeatArmed: repeatAtNs !== null,
      repeatAtNs: repeatAtNs ?? 0,
    },
    mouse: { ...mouse, ...saveOutput(mouse) },
  };
}

function fromSaved(s: I8042SavedState): I8042State {
  const { controllerBytes, controllerAux, keyboard: kbd, mouse, ...rest } = s;
  const aux = unpad(controllerAux, 'controller queue');
  const { pressed, repeatArmed, repeatAtNs, ...kbdRest } = kbd;
  const keyboard: PS2KeyboardState = {
    ...kbdRest,
    ...loadOutput(kbd),
    scancodeSet: kbd.scancodeSet as 1 | 2,
    pressed: unpad(pressed, 'pressed keys').map((index) => {
      const key = QKEYCODES[index];
      if (key === undefined || !isQKeyCode(key)) {
        throw new RangeError(`i8042 state: no key number ${index}`);
      }
      return key;
    }),
    repeatAtNs: repeatArmed ? repeatAtNs : null,
  };
  const savedMouse: PS2MouseState = { ...mouse, ...loadOutput(mouse) };
  return {
    ...rest,
    controllerQueue: unpad(controllerBytes, 'controller queue').map((byte, i) => ({
      byte,
      aux: aux[i] === 1,
    })),
    keyboard,
    mouse: savedMouse,
  };
}

/**
 * QEMU's `i8042`: the keyboard controller ({@link I8042}) with its PS/2 keyboard and mouse,
 * at ports 0x60 (data) and 0x64 (status/command). Outputs: `kbd-irq` (ISA IRQ 1) and
 * `mouse-irq` (ISA IRQ 12), wired by realize; `a20` (output port bit 1, for the machine's A20
 * gate) and `reset` (pulsed high then low when the guest resets the CPU, command 0xFE),
 * which the machine connects.
 */
export class IsaI8042 extends IsaDevice<typeof i8042Props> {
  readonly kbdIrq = this.outputLine('kbd-irq');
  readonly mouseIrq = this.outputLine('mouse-irq');
  readonly a20 = this.outputLine('a20');
  readonly resetRequest = this.outputLine('reset');
  #core: I8042 | undefined;
  dataRegion: MemoryRegion | undefined;
  commandRegion: MemoryRegion | undefined;

  /** The device core (after realize): its `keyboard` and `mouse` take host input. */
  get controller(): I8042 {
    if (!this.#core) throw new Error('i8042: not realized');
    return this.#core;
  }

  get core(): I8042SavedState {
    return toSaved(this.controller.state());
  }

  set core(state: I8042SavedState) {
    this.controller.loadState(fromSaved(state));
  }

  protected override isaRealize(): Result<void> | undefined {
    const { memory, log } = this.isaEnvironment;
    const core = new I8042({
      kbdIrq: this.kbdIrq,
      mouseIrq: this.mouseIrq,
      a20: this.a20,
      resetRequest: () => this.resetRequest.pulse(),
      log,
      // No typematic clock: the host's UI already repeats held keys.
      keyboard: new PS2Keyboard({ log }),
    });
    this.#core = core;
    const port = (name: string, offset: number) =>
      memory.io(name, 1, {
        read: () => core.read(offset),
        write: (_offset, value) => core.write(offset, value),
        valid: { minAccessSize: 1, maxAccessSize: 1 },
      });
    this.dataRegion = port('i8042-data', I8042_DATA);
    this.commandRegion = port('i8042-cmd', I8042_COMMAND);
    this.registerIoPort(0x60, this.dataRegion);
    this.registerIoPort(0x64, this.commandRegion);
    this.connectIsaIrq(this.kbdIrq, this.props['kbd-irq']);
    this.connectIsaIrq(this.mouseIrq, this.props['mouse-irq']);
    return undefined;
  }

  protected override isaUnrealize(): void {
    this.#core = undefined;
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const I8042_DEVICE = defineDevice({
  name: 'i8042',
  parent: ISA_DEVICE,
  instance: IsaI8042,
  props: i8042Props,
  desc: 'PS/2 keyboard and mouse controller',
  categories: ['input'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(i8042Description) } },
});
