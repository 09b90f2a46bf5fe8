import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { busyVcpu, deadVcpu, until } from '../../test/helpers.js';
import { System } from '../system.js';
import { SyntheticVcpu } from '../testing/synthetic-vcpu.js';
import { BottomHalfQueue } from './bottom-half.js';
import { defaultHostScheduler, type HostScheduler } from './host-scheduler.js';

describe('bottom halves', () => {
  it('run once, in scheduling order; one scheduled from a bottom half runs at the next poll', () => {
    const queue = new BottomHalfQueue();
    const calls: string[] = [];
    const b = queue.newBh(() => calls.push('b'), 'b');
    const c = queue.newBh(() => calls.push('c'), 'c');
    const a = queue.newBh(() => {
      calls.push('a');
      c.schedule();
    }, 'a');
    a.schedule();
    b.schedule();
    b.schedule(); // already scheduled: still runs once
    expect(queue.pending).toBe(true);
    queue.poll();
    expect(calls).toEqual(['a', 'b']);
    expect(queue.pending).toBe(true);
    queue.poll();
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(queue.poll()).toBe(false);
  });

  it('can be cancelled, and refuse to be scheduled once deleted', () => {
    const queue = new BottomHalfQueue();
    let runs = 0;
    const bh = queue.newBh(() => runs++, 'uart-tx');
    bh.schedule();
    bh.cancel();
    queue.poll();
    expect(runs).toBe(0);
    bh.schedule();
    bh.cancel();
    bh.schedule();
    queue.poll();
    expect(runs).toBe(1);
    bh.delete();
    expect(() => bh.schedule()).toThrow("bottom half 'uart-tx' was deleted");
  });

  it('are run by the main loop, which wakes up for them', async () => {
    const system = new System({ reportError: () => {} });
    system.addVcpu(deadVcpu());
    system.vmStart();
    const run = system.mainLoop.run();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the loop is asleep now
    const calls: string[] = [];
    system.mainLoop.newBh(() => calls.push('bh')).schedule();
    system.mainLoop.scheduleOneshot(() => {
      calls.push('oneshot');
      system.requests.shutdown('host-qmp-quit');
    });
    await run;
    expect(calls).toEqual(['bh', 'oneshot']);
  });
});

describe('the main loop and Node', () => {
  it('lets a halted guest sleep: near-zero CPU for a second of idle guest time', async () => {
    const system = new System({ reportError: () => {} });
    const cpu = deadVcpu(); // HLT with interrupts disabled
    system.addVcpu(cpu);
    system.clocks
      .newTimer('virtual', () => system.requests.shutdown('guest-shutdown'))
      .modNs(1_000_000_000);
    system.vmStart();
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    await system.mainLoop.run();
    const used = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    const cpuMs = (used.user + used.system) / 1000;
    expect(wallMs).toBeGreaterThanOrEqual(990);
    expect(wallMs).toBeLessThan(2000);
    expect(cpuMs).toBeLessThan(50); // measured ~5 ms on the reference machine
    expect(system.mainLoop.passes).toBeLessThan(20);
    expect(cpu.instructionsExecuted).toBe(1);
  });

  it('never holds the Node event loop for more than a few ms while the guest computes', async () => {
    // Each loop task is timed in process CPU time, which host preemption does not inflate.
    const base = defaultHostScheduler();
    const taskCpuMs: number[] = [];
    const timed = (callback: () => void) => () => {
      const before = process.cpuUsage();
      callback();
      const used = process.cpuUsage(before);
      taskCpuMs.push((used.user + used.system) / 1000);
    };
    const scheduler: HostScheduler = {
      ...base,
      setImmediate: (callback) => base.setImmediate(timed(callback)),
      setTimeout: (callback, ms) => base.setTimeout(timed(callback), ms),
    };
    const system = new System({ scheduler, reportError: () => {} });
    const cpu = busyVcpu();
    system.addVcpu(cpu);
    system.clocks
      .newTimer('realtime', () => system.requests.shutdown('host-qmp-quit'))
      .modNs(system.clocks.now('realtime') + 300_000_000);
    system.vmStart();
    let intervalTicks = 0;
    const probe = setInterval(() => intervalTicks++, 1);
    await system.mainLoop.run();
    clearInterval(probe);
    expect(cpu.instructionsExecuted).toBeGreaterThan(100_000);
    // Other callbacks kept running (without yielding there would be none in 300 ms) ...
    expect(intervalTicks).toBeGreaterThan(20);
    // ... because each loop task lasts about one 4 ms slice.
    taskCpuMs.sort((a, b) => a - b);
    expect(taskCpuMs.length).toBeGreaterThan(30);
    expect(taskCpuMs[Math.floor(taskCpuMs.length * 0.9)]).toBeLessThan(7);
    expect(taskCpuMs[taskCpuMs.length - 1]).toBeLessThan(25);
  });

  it('fires a host timer on time while a vCPU computes', async () => {
    const system = new System({ reportError: () => {} });
    system.addVcpu(busyVcpu());
    const due = system.clocks.now('realtime') + 20_000_000;
    let lateMs = -1;
    system.clocks
      .newTimer('realtime', () => {
        lateMs = (system.clocks.now('realtime') - due) / 1e6;
        system.requests.shutdown('host-qmp-quit');
      })
      .modNs(due);
    system.vmStart();
    await system.mainLoop.run();
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(50); // about one run (1 ms) when the host is not loaded
  });

  it('wakes on socket input: the handler raises an interrupt and the halted vCPU runs', async () => {
    const system = new System({ reportError: () => {} });
    let interruptAt = 0;
    const cpu = new SyntheticVcpu(
      'cpu0',
      (self) => self.hlt(),
      () => {
        interruptAt = performance.now();
      },
    );
    system.addVcpu(cpu);
    system.vmStart();

    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const accepted = once(server, 'connection');
    const client = connect(address.port, '127.0.0.1');
    const [serverSide] = (await accepted) as [Socket];
    const received: string[] = [];
    const handler = system.mainLoop.addEventHandler(serverSide, 'data', (chunk: Buffer) => {
      received.push(chunk.toString());
      cpu.raiseInterrupt();
    });

    const run = system.mainLoop.run();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const passesWhileIdle = system.mainLoop.passes;
    expect(passesWhileIdle).toBeLessThan(5); // asleep, not polling
    const sentAt = performance.now();
    client.write('key');
    await until(() => interruptAt > 0);
    expect(received).toEqual(['key']);
    expect(interruptAt - sentAt).toBeLessThan(200); // not the 1 s idle wake-up
    expect(cpu.instructionsExecuted).toBe(2); // HLT, interrupt, HLT again

    handler.remove();
    system.requests.shutdown('host-qmp-quit');
    await run;
    client.destroy();
    serverSide.destroy();
    server.close();
  });

  it('stops with the error when a timer callback throws (a host-side bug)', async () => {
    const system = new System({ reportError: () => {} });
    system.clocks
      .newTimer('realtime', () => {
        throw new Error('device model bug');
      })
      .modNs(0);
    await expect(system.mainLoop.run()).rejects.toThrow('device model bug');
    expect(system.mainLoop.running).toBe(false);
  });

  it('refuses to run twice at once and can run again after it exited', async () => {
    const system = new System({ reportError: () => {} });
    const first = system.mainLoop.run();
    await expect(system.mainLoop.run()).rejects.toThrow('already running');
    system.requests.shutdown('host-qmp-quit');
    await expect(first).resolves.toBe(0);
    const second = system.mainLoop.run();
    system.requests.shutdown('host-qmp-quit', 4);
    await expect(second).resolves.toBe(4);
  });

  it('runs several vCPUs in turn', async () => {
    const system = new System({ icount: 'shift=0,sleep=off', reportError: () => {} });
    const cpus = [busyVcpu('cpu0'), busyVcpu('cpu1')];
    for (const cpu of cpus) system.addVcpu(cpu);
    system.clocks
      .newTimer('virtual', () => system.requests.shutdown('host-qmp-quit'))
      .modNs(1_000_000);
    system.vmStart();
    await system.mainLoop.run();
    // Virtual time counts the instructions of both vCPUs.
    expect(cpus[0].instructionsExecuted + cpus[1].instructionsExecuted).toBe(1_000_000);
    expect(cpus[0].instructionsExecuted).toBeGreaterThan(100_000);
    expect(cpus[1].instructionsExecuted).toBeGreaterThan(100_000);
  });
});
