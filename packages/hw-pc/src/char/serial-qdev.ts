import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, err, prop, type Result, vmstate } from '@tsemu/qom';
import { ISA_DEVICE, IsaDevice } from '../isa/isa-device.js';
import { type CharBackend, NULL_CHAR_BACKEND } from './char-backend.js';
import { Serial, type SerialState } from './serial.js';
import { UART_FIFO_LENGTH } from './serial-registers.js';

const serialProps = {
  iobase: prop.uint32({ default: 0x3f8, max: 0xffff, description: 'first of the 8 ports' }),
  irq: prop.uint32({ default: 4, max: 15, description: 'ISA IRQ' }),
  index: prop.uint32({ default: 0, max: 3, description: 'COM port number - 1 (names the region)' }),
};

/**
 * A UART's state in fixed-size fields (vmstate arrays have a fixed length): each FIFO as
 * 16 bytes and a count, the receive timeout as a flag and a deadline.
 */
export interface SerialSavedState {
  divider: number;
  rbr: number;
  thr: number;
  tsr: number;
  ier: number;
  iir: number;
  lcr: number;
  mcr: number;
  lsr: number;
  msr: number;
  scr: number;
  fcr: number;
  recvFifo: number[];
  recvFifoCount: number;
  xmitFifo: number[];
  xmitFifoCount: number;
  thrIpending: boolean;
  timeoutIpending: boolean;
  fifoTimeoutArmed: boolean;
  fifoTimeoutNs: number;
}

const fifo = () => vmstate.array(vmstate.uint8(), UART_FIFO_LENGTH);

const serialDescription = defineState<SerialSavedState>({
  name: 'serial-core',
  fields: {
    divider: vmstate.uint16(),
    rbr: vmstate.uint8(),
    thr: vmstate.uint8(),
    tsr: vmstate.uint8(),
    ier: vmstate.uint8(),
    iir: vmstate.uint8(),
    lcr: vmstate.uint8(),
    mcr: vmstate.uint8(),
    lsr: vmstate.uint8(),
    msr: vmstate.uint8(),
    scr: vmstate.uint8(),
    fcr: vmstate.uint8(),
    recvFifo: fifo(),
    recvFifoCount: vmstate.uint8(),
    xmitFifo: fifo(),
    xmitFifoCount: vmstate.uint8(),
    thrIpending: vmstate.bool(),
    timeoutIpending: vmstate.bool(),
    fifoTimeoutArmed: vmstate.bool(),
    fifoTimeoutNs: vmstate.float64(),
  },
});

function padFifo(bytes: readonly number[]): number[] {
  const padded = new Array<number>(UART_FIFO_LENGTH).fill(0);
  bytes.slice(0, UART_FIFO_LENGTH).forEach((byte, i) => {
    padded[i] = byte;
  });
  return padded;
}

function unpadFifo(bytes: readonly number[], count: number): number[] {
  if (count > UART_FIFO_LENGTH) {
    throw new RangeError(`isa-serial state: a FIFO holds at most ${UART_FIFO_LENGTH} bytes`);
  }
  return bytes.slice(0, count);
}

function toSaved(s: SerialState): SerialSavedState {
  const { recvFifo, xmitFifo, fifoTimeoutNs, ...registers } = s;
  return {
    ...registers,
    recvFifo: padFifo(recvFifo),
    recvFifoCount: recvFifo.length,
    xmitFifo: padFifo(xmitFifo),
    xmitFifoCount: xmitFifo.length,
    fifoTimeoutArmed: fifoTimeoutNs !== null,
    fifoTimeoutNs: fifoTimeoutNs ?? 0,
  };
}

function fromSaved(s: SerialSavedState): SerialState {
  const { recvFifoCount, xmitFifoCount, fifoTimeoutArmed, ...rest } = s;
  return {
    ...rest,
    recvFifo: unpadFifo(s.recvFifo, recvFifoCount),
    xmitFifo: unpadFifo(s.xmitFifo, xmitFifoCount),
    fifoTimeoutNs: fifoTimeoutArmed ? s.fifoTimeoutNs : null,
  };
}

/**
 * QEMU's `isa-serial`: a 16550A UART ({@link Serial}) at `iobase` (8 ports), its interrupt on
 * ISA IRQ `irq`. qom has no chardev property kind, so the machine hands the chardev over with
 * {@link setChardev} before realize (`-serial stdio`); without one the UART talks to nothing.
 */
export class IsaSerial extends IsaDevice<typeof serialProps> {
  readonly irq = this.outputLine('irq');
  #chardev: CharBackend = NULL_CHAR_BACKEND;
  #core: Serial | undefined;
  ioRegion: MemoryRegion | undefined;

  /** The chardev the UART sends to and receives from; set before realize. */
  setChardev(chardev: CharBackend): void {
    if (this.realized) throw new Error('isa-serial: the chardev is set before realize');
    this.#chardev = chardev;
  }

  /** The device core (after realize). */
  get serial(): Serial {
    if (!this.#core) throw new Error('isa-serial: not realized');
    return this.#core;
  }

  get core(): SerialSavedState {
    return toSaved(this.serial.state());
  }

  set core(state: SerialSavedState) {
    this.serial.loadState(fromSaved(state));
  }

  protected override isaRealize(): Result<void> | undefined {
    const { memory, time, log } = this.isaEnvironment;
    if (!time) return err(`isa-serial: ISA bus '${this.isaBus.name}' has no clock`);
    const core = new Serial({ time, irq: this.irq, chardev: this.#chardev, log });
    this.#core = core;
    this.ioRegion = memory.io(`serial${this.props.index}`, 8, {
      read: (offset) => core.read(offset),
      write: (offset, value) => core.write(offset, value),
      valid: { minAccessSize: 1, maxAccessSize: 1 },
    });
    this.registerIoPort(this.props.iobase, this.ioRegion);
    this.connectIsaIrq(this.irq, this.props.irq);
    return undefined;
  }

  protected override isaUnrealize(): void {
    this.#core?.detach();
    this.#core = undefined;
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const ISA_SERIAL = defineDevice({
  name: 'isa-serial',
  parent: ISA_DEVICE,
  instance: IsaSerial,
  props: serialProps,
  desc: '16550A UART (COM port)',
  categories: ['input'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(serialDescription) } },
});
