import {
  Device,
  defineDevice,
  err,
  IrqLine,
  prop,
  TypeRegistry,
  unwrap,
  vmstate,
} from '@tsemu/qom';

// Typed properties with defaults, ranges and descriptions.
const toyTimerProps = {
  period: prop.uint32({ default: 100, min: 1, description: 'ticks between interrupts' }),
  mode: prop.enum(['periodic', 'oneshot'], { default: 'periodic', typeName: 'ToyTimerMode' }),
};

// The device: an IRQ output, state as public fields, realize and reset hooks.
class ToyTimer extends Device<typeof toyTimerProps> {
  readonly irq = this.outputLine('irq');
  ticks = 0;

  tick(): void {
    this.ticks++;
    if (this.ticks % this.props.period === 0) {
      this.irq.pulse();
    }
  }

  protected override onRealize() {
    if (this.props.mode === 'oneshot' && this.props.period > 1000) {
      return err('toy-timer: a one-shot period must be at most 1000 ticks');
    }
  }

  protected override resetHold(): void {
    this.ticks = 0;
    this.irq.lower();
  }
}

const TOY_TIMER = defineDevice({
  name: 'toy-timer',
  instance: ToyTimer,
  props: toyTimerProps,
  desc: 'a timer that pulses its IRQ every period ticks',
  state: { version: 1, fields: { ticks: vmstate.uint32() } },
});

const registry = new TypeRegistry();
registry.register(TOY_TIMER);

const timer = registry.objectNew(TOY_TIMER);
unwrap(timer.setPropertyFromString('period', '0x3')); // as `-device toy-timer,period=0x3`
let pulses = 0;
timer.irq.connect(new IrqLine((level) => (pulses += level)));
unwrap(timer.realize());
timer.reset();
for (let i = 0; i < 9; i++) {
  timer.tick();
}

console.log(timer.props.period);
console.log(unwrap(timer.getPropertyAsString('mode')));
console.log(pulses);
const late = timer.setPropertyFromString('period', '5');
console.log(late.ok ? 'set' : late.error.message);
