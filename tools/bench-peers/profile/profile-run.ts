/**
 * The profile issue 12 asks for: tsemu boots once (workload 1) under `node --cpu-prof`, and
 * the profile's self times are summarized by category into PROFILE.md. Node writes the
 * profile when the process exits by itself, so it exists only for a run that reached
 * poweroff (or otherwise exited).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runGuest } from '../guest-run.js';
import type { GuestSpec, PrepareContext } from '../peers/peer.js';
import { tsemuPeer } from '../peers/tsemu.js';
import { formatSeconds } from '../table.js';
import { BOOT_WORKLOAD, POWER_OFF_LINE } from '../workloads.js';
import { renderProfileSummary } from './render.js';
import { sourceMapLocator } from './source-maps.js';
import { type CpuProfile, summarizeProfile } from './summarize.js';

export interface ProfileRunOptions {
  context: PrepareContext;
  guest: GuestSpec;
  marker: string;
  timeoutMs: number;
  date: string;
}

/** Runs the profile and returns PROFILE.md's text (which says why when there is no profile). */
export async function profileTsemuBoot(options: ProfileRunOptions): Promise<string> {
  const { context } = options;
  const dir = join(context.peersDir, 'profiles');
  await mkdir(dir, { recursive: true });
  const name = `tsemu-boot-${options.date}-${process.pid}.cpuprofile`;
  const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', name];
  const out = ['# Profile of tsemu booting Linux (tools/bench-peers --profile)', ''];
  let setup: Awaited<ReturnType<ReturnType<typeof tsemuPeer>['prepare']>>;
  try {
    setup = await tsemuPeer({ nodeArgs }).prepare(context);
  } catch (error) {
    out.push(`Date: ${options.date}. No profile: tsemu is not available (${oneLine(error)}).`);
    return `${out.join('\n')}\n`;
  }
  const launch = setup.launch(options.guest);
  const shown = [
    'node',
    ...launch.args.map((a) => (a.startsWith('/') ? relative(context.repoRoot, a) : a)),
  ]
    .map((a) => (/^[\w,./=:@+-]+$/.test(a) ? a : `'${a}'`))
    .join(' ');
  context.log('profiling tsemu boot...');
  const trace = await runGuest(launch, {
    timeoutMs: options.timeoutMs,
    input: {
      after: (text) => text.includes(options.marker),
      text: BOOT_WORKLOAD.inputAfterMarker ?? '',
    },
    doneLine: (text) => POWER_OFF_LINE.test(text),
    // Writing a large profile at exit takes a while: do not cut it short.
    exitGraceMs: 60_000,
  });
  const figures = BOOT_WORKLOAD.interpret(trace, options.marker).figures;
  const outcome = figures
    .map(
      (f) =>
        `${f.row} ${'seconds' in f.value ? `${formatSeconds(f.value.seconds)} s` : f.value.failure}`,
    )
    .join(', ');
  out.push(
    `Command: \`${shown}\` (${setup.version}), then \`poweroff\` typed after the marker.`,
    '',
  );
  out.push(`Date: ${options.date}. The profiled run: ${outcome} (profiling slows it down).`, '');
  const path = join(dir, name);
  if (!figures.some((f) => f.row === 'to marker' && 'seconds' in f.value)) {
    // A profile of a run that never booted (an option error, a crash) says nothing about
    // where a boot's time goes.
    out.push('No profile summary: the profiled run did not reach the marker.');
    return `${out.join('\n')}\n`;
  }
  if (!existsSync(path)) {
    out.push('No profile was written: Node writes it only when the process exits by itself.');
    return `${out.join('\n')}\n`;
  }
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const summary = summarizeProfile(profile, { locate: sourceMapLocator(context.repoRoot) });
  out.push(
    `The profile is \`${relative(context.repoRoot, path)}\` (git ignores it; Chrome DevTools' ` +
      'Performance panel opens it).',
    '',
  );
  out.push(renderProfileSummary(summary));
  return `${out.join('\n').trimEnd()}\n`;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
