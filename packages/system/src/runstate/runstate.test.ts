import { describe, expect, it } from 'vitest';
import {
  InvalidRunstateTransitionError,
  isValidRunstateTransition,
  RUN_STATES,
  RUNSTATE_TRANSITIONS,
  type RunState,
  Runstate,
} from './runstate.js';

describe('Runstate', () => {
  it('starts in prelaunch', () => {
    expect(new Runstate().get()).toBe('prelaunch');
  });

  it('has every state the issue and QEMU list', () => {
    expect([...RUN_STATES].sort()).toEqual(
      [
        'debug',
        'inmigrate',
        'internal-error',
        'io-error',
        'paused',
        'postmigrate',
        'prelaunch',
        'finish-migrate',
        'restore-vm',
        'running',
        'save-vm',
        'shutdown',
        'suspended',
        'watchdog',
        'guest-panicked',
        'colo',
      ].sort(),
    );
  });

  it('has the 85 distinct transitions of QEMU table', () => {
    expect(RUNSTATE_TRANSITIONS.length).toBe(85);
    const keys = new Set(RUNSTATE_TRANSITIONS.map(([from, to]) => `${from}>${to}`));
    expect(keys.size).toBe(RUNSTATE_TRANSITIONS.length);
  });

  it.each(RUNSTATE_TRANSITIONS.map(([from, to]) => [from, to]))('allows %s -> %s', (from, to) => {
    const runstate = new Runstate(from);
    runstate.set(to);
    expect(runstate.get()).toBe(to);
  });

  it('rejects every transition outside the table, naming both states', () => {
    const allowed = new Set(RUNSTATE_TRANSITIONS.map(([from, to]) => `${from}>${to}`));
    let rejected = 0;
    for (const from of RUN_STATES) {
      for (const to of RUN_STATES) {
        if (from === to || allowed.has(`${from}>${to}`)) continue;
        const runstate = new Runstate(from);
        expect(() => runstate.set(to)).toThrow(`invalid runstate transition: '${from}' -> '${to}'`);
        expect(runstate.get()).toBe(from);
        expect(isValidRunstateTransition(from, to)).toBe(false);
        rejected++;
      }
    }
    expect(rejected).toBe(16 * 15 - 85);
  });

  it.each([
    ['prelaunch', 'paused'],
    ['running', 'prelaunch'],
    ['shutdown', 'running'],
    ['internal-error', 'running'],
    ['save-vm', 'paused'],
  ] as [RunState, RunState][])(
    'rejects %s -> %s with an InvalidRunstateTransitionError',
    (from, to) => {
      const error = (() => {
        try {
          new Runstate(from).set(to);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidRunstateTransitionError);
      expect(error).toMatchObject({ from, to });
    },
  );

  it('treats setting the current state as a no-op', () => {
    const runstate = new Runstate('paused');
    const seen: RunState[] = [];
    runstate.onChange((state) => seen.push(state));
    runstate.set('paused');
    runstate.set('running');
    expect(seen).toEqual(['running']);
  });

  it('answers the QEMU predicates', () => {
    expect(new Runstate('running').isRunning()).toBe(true);
    expect(new Runstate('suspended').isLive()).toBe(true);
    expect(new Runstate('paused').isLive()).toBe(false);
    expect(new Runstate('shutdown').needsReset()).toBe(true);
    expect(new Runstate('internal-error').needsReset()).toBe(true);
    expect(new Runstate('paused').needsReset()).toBe(false);
  });

  it('rejects a state name that does not exist', () => {
    expect(() => new Runstate('running').set('sleeping' as RunState)).toThrow(
      "unknown run state 'sleeping'",
    );
  });
});
