import { describe, expect, it } from 'vitest';
import { busyVcpu, deadVcpu, until } from '../test/helpers.js';
import type { RunState } from './runstate/runstate.js';
import type { ShutdownCause } from './runstate/shutdown-cause.js';
import { System, type SystemOptions } from './system.js';
import { SyntheticVcpu } from './testing/synthetic-vcpu.js';
import { FakeHostTime } from './timer/clock.js';

/** A system in deterministic icount mode that never waits for host time. */
function fastSystem(options: SystemOptions = {}): System {
  return new System({ icount: 'shift=0,sleep=off', reportError: () => {}, ...options });
}

/** A vCPU that runs `n` no-ops, then exits with `reason` once, then halts for good. */
function vcpuThatExits(n: number, reason: 'reset-request' | 'shutdown-request' | 'debug') {
  let exited = false;
  const cpu = new SyntheticVcpu('cpu0', (self) => {
    if (self.instructionsExecuted === n && !exited) {
      exited = true;
      return reason;
    }
    return undefined;
  });
  return cpu;
}

describe('vmStart / vmStop', () => {
  it('calls change-state handlers in priority order on start and reverse order on stop', () => {
    const system = new System({ hostTime: new FakeHostTime() });
    const calls: string[] = [];
    system.vmChangeState.add((running, state) => calls.push(`ide ${running} ${state}`));
    system.vmChangeState.add((running, state) => calls.push(`vga ${running} ${state}`), {
      priority: 1,
    });
    system.vmStart();
    system.vmStart(); // already running: nothing happens
    system.vmStop('paused');
    system.vmStop('debug'); // already stopped: nothing happens
    expect(calls).toEqual([
      'ide true running',
      'vga true running',
      'vga false paused',
      'ide false paused',
    ]);
    expect(system.runstate.get()).toBe('paused');
  });

  it('forces a state on a stopped VM with vmStopForceState', () => {
    const system = new System({ hostTime: new FakeHostTime() });
    system.vmStart();
    system.vmStop('paused');
    system.vmStopForceState('finish-migrate');
    expect(system.runstate.get()).toBe('finish-migrate');
  });

  it('turns a vmStop from device code inside a vCPU run into a request handled after it', async () => {
    const system = fastSystem();
    let stoppedAt = -1;
    const cpu = busyVcpu('cpu0', (self) => {
      if (self.instructionsExecuted === 100) {
        system.vmStop('paused');
        // Still running: the stop happens when the vCPU has returned.
        expect(system.runstate.get()).toBe('running');
      }
      return undefined;
    });
    system.addVcpu(cpu);
    system.vmChangeState.add((running) => {
      if (!running) stoppedAt = cpu.instructionsExecuted;
    });
    system.vmStart();
    const run = system.mainLoop.run();
    await until(() => system.runstate.check('paused'));
    expect(stoppedAt).toBe(100);
    system.requests.shutdown('host-qmp-quit');
    await expect(run).resolves.toBe(0);
  });
});

describe('reset', () => {
  it('runs device handlers in registration order, then CPU handlers, then reset notifiers', () => {
    const system = new System();
    const calls: string[] = [];
    system.resetHandlers.addCpuReset((cause) => calls.push(`cpu0 ${cause}`));
    system.resetHandlers.addDeviceReset(() => calls.push('device tree'));
    system.resetHandlers.addDeviceReset(() => calls.push('legacy handler'));
    const removed = system.resetHandlers.addDeviceReset(() => calls.push('removed'));
    system.resetHandlers.addCpuReset(() => calls.push('cpu1'));
    system.notifiers.reset.add((cause) => calls.push(`notified ${cause}`));
    removed.remove();
    system.systemReset('guest-reset');
    expect(calls).toEqual([
      'device tree',
      'legacy handler',
      'cpu0 guest-reset',
      'cpu1',
      'notified guest-reset',
    ]);
  });
});

describe('requests handled by the main loop', () => {
  it('resets on a guest reset (triple fault) and keeps running', async () => {
    const system = fastSystem();
    const calls: string[] = [];
    system.resetHandlers.addDeviceReset((cause) => calls.push(`devices ${cause}`));
    system.resetHandlers.addCpuReset(() => calls.push('cpu'));
    system.addVcpu(vcpuThatExits(1000, 'reset-request'));
    system.vmStart();
    const run = system.mainLoop.run();
    await until(() => calls.length === 2);
    expect(calls).toEqual(['devices guest-reset', 'cpu']);
    expect(system.runstate.get()).toBe('running');
    system.requests.shutdown('host-qmp-quit');
    await expect(run).resolves.toBe(0);
  });

  it('with -no-reboot turns a guest reset into a shutdown with the same cause', async () => {
    const system = fastSystem({ noReboot: true });
    const causes: ShutdownCause[] = [];
    let resets = 0;
    system.resetHandlers.addDeviceReset(() => resets++);
    system.notifiers.shutdown.add((cause) => causes.push(cause));
    system.addVcpu(vcpuThatExits(1000, 'reset-request'));
    system.vmStart();
    await expect(system.mainLoop.run()).resolves.toBe(0);
    expect(causes).toEqual(['guest-reset']);
    expect(resets).toBe(0);
    expect(system.runstate.get()).toBe('shutdown');
  });

  it('exits on a guest shutdown, and vm_shutdown notifies the change-state handlers', async () => {
    const system = fastSystem();
    const states: RunState[] = [];
    system.vmChangeState.add((_running, state) => states.push(state));
    system.addVcpu(vcpuThatExits(500, 'shutdown-request'));
    system.vmStart();
    await expect(system.mainLoop.run()).resolves.toBe(0);
    expect(states).toEqual(['running', 'shutdown']);
  });

  it('with -no-shutdown pauses in the shutdown state; a reset then leads to prelaunch', async () => {
    const reported: string[] = [];
    const sys = fastSystem({ noShutdown: true, reportError: (m) => reported.push(m) });
    expect(sys.actions.shutdown).toBe('pause');
    sys.addVcpu(vcpuThatExits(500, 'shutdown-request'));
    sys.vmStart();
    const run = sys.mainLoop.run();
    await until(() => sys.runstate.check('shutdown'));
    expect(sys.mainLoop.running).toBe(true);
    expect(sys.runstate.needsReset()).toBe(true);
    sys.requests.reset(); // QMP system_reset
    await until(() => sys.runstate.check('prelaunch'));
    sys.vmStart(); // QMP cont
    expect(sys.runstate.get()).toBe('running');
    // A signal ends the process even under -no-shutdown.
    sys.requests.killed(15);
    await expect(run).resolves.toBe(0);
    expect(reported).toEqual(['terminating on signal 15']);
  });

  it('exits with the status a shutdown request carries', async () => {
    const system = fastSystem();
    system.addVcpu(deadVcpu());
    system.vmStart();
    const run = system.mainLoop.run();
    system.requests.shutdown('guest-shutdown', 3);
    await expect(run).resolves.toBe(3);
  });

  it('tells powerdown notifiers and leaves the guest running', async () => {
    const system = fastSystem();
    let powerdowns = 0;
    system.notifiers.powerdown.add(() => powerdowns++);
    system.addVcpu(deadVcpu());
    system.vmStart();
    const run = system.mainLoop.run();
    system.requests.powerdown();
    await until(() => powerdowns === 1);
    expect(system.runstate.get()).toBe('running');
    system.requests.shutdown('host-qmp-quit');
    await run;
  });

  it('suspends (the vCPUs stop, the clock keeps no timers) and wakes up', async () => {
    const system = fastSystem();
    const events: string[] = [];
    system.notifiers.suspend.add(() => events.push('suspend'));
    system.notifiers.wakeup.add((reason) => events.push(`wakeup ${reason}`));
    const cpu = busyVcpu('cpu0', (self) => {
      if (self.instructionsExecuted === 200) system.requests.suspend();
      return undefined;
    });
    system.addVcpu(cpu);
    system.vmStart();
    const run = system.mainLoop.run();
    await until(() => system.runstate.check('suspended'));
    const frozen = cpu.instructionsExecuted;
    expect(frozen).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cpu.instructionsExecuted).toBe(frozen);
    system.requests.wakeup('rtc');
    expect(system.runstate.get()).toBe('running');
    await until(() => cpu.instructionsExecuted > frozen && events.length === 2);
    expect(events).toEqual(['suspend', 'wakeup rtc']);
    expect(() => system.requests.wakeup()).toThrow(
      'Unable to wake up: guest is not in suspended state',
    );
    system.requests.shutdown('host-qmp-quit');
    await run;
  });

  it('stops in the debug state on a debug exit and resumes on vmStart', async () => {
    const system = fastSystem();
    const cpu = vcpuThatExits(300, 'debug');
    system.addVcpu(cpu);
    system.vmStart();
    const run = system.mainLoop.run();
    await until(() => system.runstate.check('debug'));
    expect(cpu.instructionsExecuted).toBe(300);
    system.vmStart();
    await until(() => cpu.instructionsExecuted > 300);
    system.requests.shutdown('host-qmp-quit');
    await run;
  });

  it('moves to internal-error with a CPU dump when a vCPU throws, and keeps the loop alive', async () => {
    const reported: string[] = [];
    const system = fastSystem({ reportError: (m) => reported.push(m) });
    system.addVcpu(
      busyVcpu('cpu0', (self) => {
        if (self.instructionsExecuted === 50) throw new Error('unhandled opcode in translator');
        return undefined;
      }),
    );
    system.vmStart();
    const run = system.mainLoop.run();
    await until(() => system.runstate.check('internal-error'));
    expect(reported[0]).toMatch(/^emulator bug in cpu0: Error: unhandled opcode in translator/);
    expect(reported[1]).toBe('cpu0: instructions=50 halted=false if=true');
    expect(system.mainLoop.running).toBe(true);
    system.requests.shutdown('host-qmp-quit');
    await expect(run).resolves.toBe(0);
  });

  it('applies the panic action on a guest panic', async () => {
    const system = fastSystem({ actions: { panic: 'exit-failure' } });
    const cpu = busyVcpu('cpu0', (self) => {
      if (self.instructionsExecuted === 10) system.guestPanicked();
      return undefined;
    });
    system.addVcpu(cpu);
    system.vmStart();
    const states: RunState[] = [];
    system.runstate.onChange((state) => states.push(state));
    await expect(system.mainLoop.run()).resolves.toBe(1);
    expect(cpu.instructionsExecuted).toBe(10);
    // The shutdown request is handled first; the VM then stops for good, as in QEMU.
    expect(states).toEqual(['shutdown']);

    const paused = fastSystem({ actions: { panic: 'pause' } });
    paused.addVcpu(deadVcpu());
    paused.vmStart();
    const run = paused.mainLoop.run();
    paused.guestPanicked();
    expect(paused.runstate.get()).toBe('guest-panicked');
    paused.requests.shutdown('host-qmp-quit');
    await expect(run).resolves.toBe(0);
  });

  it('runs a request filed while the loop sleeps without waiting for a timer', async () => {
    const system = new System({ reportError: () => {} });
    system.addVcpu(deadVcpu());
    system.vmStart();
    const run = system.mainLoop.run();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const asked = performance.now();
    system.requests.shutdown('host-ui');
    await run;
    expect(performance.now() - asked).toBeLessThan(300); // not the 1 s idle wake-up
  });
});

describe('machine-init-done notifiers', () => {
  it('run once when the machine is built, and at once when added later', () => {
    const system = new System();
    const calls: string[] = [];
    system.onMachineInitDone(() => calls.push('early'));
    system.machineInitDone();
    system.onMachineInitDone(() => calls.push('late'));
    expect(calls).toEqual(['early', 'late']);
    expect(() => system.machineInitDone()).toThrow(/already/);
  });
});

describe('exit notifiers', () => {
  it('run once however often they are asked to', () => {
    const system = new System();
    let runs = 0;
    system.notifiers.exit.add(() => runs++);
    system.runExitNotifiers();
    system.runExitNotifiers();
    expect(runs).toBe(1);
  });
});
