import { describe, expect, it } from 'vitest';
import { type Notifier, NotifierList } from './notifier.js';
import { VmChangeStateHandlers } from './runstate/vm-change-state.js';

describe('NotifierList', () => {
  it('passes the data to every notifier, newest first (as QEMU)', () => {
    const list = new NotifierList<string>();
    const calls: string[] = [];
    list.add((d) => calls.push(`a:${d}`));
    list.add((d) => calls.push(`b:${d}`));
    list.notify('x');
    expect(calls).toEqual(['b:x', 'a:x']);
  });

  it('lets a notifier remove itself during the notification', () => {
    const list = new NotifierList();
    const calls: string[] = [];
    list.add(() => calls.push('first-added'));
    const self: Notifier = list.add(() => {
      calls.push('once');
      self.remove();
    });
    list.notify();
    list.notify();
    expect(calls).toEqual(['once', 'first-added', 'first-added']);
    expect(list.size).toBe(1);
  });

  it('skips a notifier removed by an earlier one in the same notification', () => {
    const list = new NotifierList();
    const calls: string[] = [];
    const victim = list.add(() => calls.push('victim'));
    list.add(() => {
      calls.push('remover');
      victim.remove();
    });
    list.notify();
    expect(calls).toEqual(['remover']);
  });

  it('survives removal of an already-called notifier and double removal', () => {
    const list = new NotifierList();
    const calls: string[] = [];
    let first: Notifier | undefined;
    list.add(() => {
      calls.push('older');
      first?.remove();
      first?.remove();
    });
    first = list.add(() => calls.push('newer'));
    list.notify();
    list.notify();
    expect(calls).toEqual(['newer', 'older', 'older']);
  });

  it('calls a notifier added during a notification only from the next one', () => {
    const list = new NotifierList();
    const calls: string[] = [];
    list.add(() => {
      calls.push('adder');
      if (calls.length === 1) list.add(() => calls.push('late'));
    });
    list.notify();
    list.notify();
    expect(calls).toEqual(['adder', 'late', 'adder']);
  });
});

describe('VmChangeStateHandlers', () => {
  it('runs handlers in ascending priority on start and in reverse on stop', () => {
    const handlers = new VmChangeStateHandlers();
    const calls: string[] = [];
    handlers.add((running) => calls.push(`disk:${running}`), { priority: 10 });
    handlers.add((running) => calls.push(`net:${running}`));
    handlers.add((running) => calls.push(`cpu:${running}`), { priority: -5 });
    handlers.add((running) => calls.push(`net2:${running}`));
    handlers.notify(true, 'running');
    expect(calls).toEqual(['cpu:true', 'net:true', 'net2:true', 'disk:true']);
    calls.length = 0;
    handlers.notify(false, 'paused');
    expect(calls).toEqual(['disk:false', 'net2:false', 'net:false', 'cpu:false']);
  });

  it('runs every prepare callback before any main callback', () => {
    const handlers = new VmChangeStateHandlers();
    const calls: string[] = [];
    handlers.add(() => calls.push('a'), { prepare: () => calls.push('prepare-a') });
    handlers.add(() => calls.push('b'), { priority: 1, prepare: () => calls.push('prepare-b') });
    handlers.notify(true, 'running');
    expect(calls).toEqual(['prepare-a', 'prepare-b', 'a', 'b']);
  });

  it('passes the new state and tolerates removal during notification', () => {
    const handlers = new VmChangeStateHandlers();
    const calls: string[] = [];
    let later: Notifier | undefined;
    const self = handlers.add((_running, state) => {
      calls.push(`first:${state}`);
      self.remove();
      later?.remove();
    });
    later = handlers.add(() => calls.push('later'), { priority: 1 });
    handlers.add((_running, state) => calls.push(`kept:${state}`));
    handlers.notify(true, 'running');
    handlers.notify(false, 'debug');
    expect(calls).toEqual(['first:running', 'kept:running', 'kept:debug']);
  });
});
