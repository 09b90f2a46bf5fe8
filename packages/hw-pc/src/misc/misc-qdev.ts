import type { MemoryRegion } from '@tsemu/memory';
import { defineDevice, defineState, prop, type Result, vmstate } from '@tsemu/qom';
import { type CharBackend, NULL_CHAR_BACKEND } from '../char/char-backend.js';
import { ISA_DEVICE, IsaDevice } from '../isa/isa-device.js';
import { DEBUG_EXIT_IOBASE, DEBUG_EXIT_IOSIZE, DebugExit } from './debug-exit.js';
import { DEBUGCON_IOBASE, DEBUGCON_READBACK, Debugcon } from './debugcon.js';
import { PORT92_IOBASE, Port92, type Port92State } from './port92.js';

const port92Description = defineState<Port92State>({
  name: 'port92-core',
  fields: { value: vmstate.uint8() },
});

/**
 * QEMU's `port92`: system control port A at 0x92. Outputs `a20` (bit 1, the fast A20 gate)
 * and `reset` (pulsed when bit 0 goes from 0 to 1); the machine connects both.
 */
export class IsaPort92 extends IsaDevice {
  readonly a20 = this.outputLine('a20');
  readonly resetRequest = this.outputLine('reset');
  #core: Port92 | undefined;
  ioRegion: MemoryRegion | undefined;

  /** The device core (after realize). */
  get port92(): Port92 {
    if (!this.#core) throw new Error('port92: not realized');
    return this.#core;
  }

  get core(): Port92State {
    return this.port92.state();
  }

  set core(state: Port92State) {
    this.port92.loadState(state);
  }

  protected override isaRealize(): Result<void> | undefined {
    const core = new Port92({ a20: this.a20, resetRequest: () => this.resetRequest.pulse() });
    this.#core = core;
    this.ioRegion = this.isaEnvironment.memory.io('port92', 1, {
      read: () => core.read(),
      write: (_offset, value) => core.write(0, value),
      valid: { minAccessSize: 1, maxAccessSize: 1 },
    });
    this.registerIoPort(PORT92_IOBASE, this.ioRegion);
    return undefined;
  }

  protected override isaUnrealize(): void {
    this.#core = undefined;
  }

  protected override resetHold(): void {
    this.#core?.reset();
  }
}

export const PORT92 = defineDevice({
  name: 'port92',
  parent: ISA_DEVICE,
  instance: IsaPort92,
  desc: 'System control port A (fast A20 and reset)',
  categories: ['misc'],
  userCreatable: false,
  state: { fields: { core: vmstate.struct(port92Description) } },
});

const debugconProps = {
  iobase: prop.uint32({ default: DEBUGCON_IOBASE, max: 0xffff, description: 'I/O port' }),
  readback: prop.uint32({ default: DEBUGCON_READBACK, description: 'what reads return' }),
};

/**
 * QEMU's `isa-debugcon`: a write-only console port (0xE9 by default) whose bytes go to a
 * chardev. qom has no chardev property kind, so the machine hands it over with
 * {@link setChardev} (`-debugcon stdio`); it may come after realize (a `-device isa-debugcon`
 * gets its chardev once created). Until then written bytes are dropped. Stateless.
 */
export class IsaDebugcon extends IsaDevice<typeof debugconProps> {
  #chardev: CharBackend = NULL_CHAR_BACKEND;
  ioRegion: MemoryRegion | undefined;

  /** Where written bytes go. */
  setChardev(chardev: CharBackend): void {
    this.#chardev = chardev;
  }

  protected override isaRealize(): Result<void> | undefined {
    // The core keeps the backend it is given; this one forwards to the current chardev.
    const chardev: CharBackend = {
      setHandlers: (handlers) => this.#chardev.setHandlers(handlers),
      write: (data) => this.#chardev.write(data),
      acceptInput: () => this.#chardev.acceptInput(),
    };
    const core = new Debugcon({ chardev, readback: this.props.readback });
    this.ioRegion = this.isaEnvironment.memory.io('isa-debugcon', 1, {
      read: (_offset, size) => core.read(0, size),
      write: (_offset, value) => core.write(0, value),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
    });
    this.registerIoPort(this.props.iobase, this.ioRegion);
    return undefined;
  }
}

export const ISA_DEBUGCON = defineDevice({
  name: 'isa-debugcon',
  parent: ISA_DEVICE,
  instance: IsaDebugcon,
  props: debugconProps,
  desc: 'Bochs-style debug console port (0xE9)',
  categories: ['misc'],
  userCreatable: true,
});

const debugExitProps = {
  iobase: prop.uint32({ default: DEBUG_EXIT_IOBASE, max: 0xffff, description: 'I/O port' }),
  iosize: prop.uint32({ default: DEBUG_EXIT_IOSIZE, min: 1, max: 4, description: 'ports decoded' }),
};

/**
 * QEMU's `isa-debug-exit`: writing N to its port ends the emulator with status (N << 1) | 1.
 * The machine gives the exit callback with {@link setExitRequest}, before or after realize (a
 * `-device isa-debug-exit` is created by deviceAdd, then handed the callback). A write with
 * no callback set is logged as a guest error and otherwise ignored. Stateless.
 */
export class IsaDebugExit extends IsaDevice<typeof debugExitProps> {
  #exitRequest: ((status: number) => void) | undefined;
  ioRegion: MemoryRegion | undefined;

  /** Called with the exit status when the guest writes the port. */
  setExitRequest(exitRequest: (status: number) => void): void {
    this.#exitRequest = exitRequest;
  }

  protected override isaRealize(): Result<void> | undefined {
    const core = new DebugExit({
      exitRequest: (status) => {
        if (this.#exitRequest) this.#exitRequest(status);
        else if (this.log.enabled('guest_errors')) {
          this.log.write('guest_errors', `isa-debug-exit: exit ${status} requested, no handler\n`);
        }
      },
    });
    this.ioRegion = this.isaEnvironment.memory.io('isa-debug-exit', this.props.iosize, {
      read: (offset, size) => core.read(offset, size),
      write: (offset, value, size) => core.write(offset, value, size),
      valid: { minAccessSize: 1, maxAccessSize: 4 },
    });
    this.registerIoPort(this.props.iobase, this.ioRegion);
    return undefined;
  }
}

export const ISA_DEBUG_EXIT = defineDevice({
  name: 'isa-debug-exit',
  parent: ISA_DEVICE,
  instance: IsaDebugExit,
  props: debugExitProps,
  desc: 'Exit the emulator with a status the guest writes',
  categories: ['misc'],
  userCreatable: true,
});
