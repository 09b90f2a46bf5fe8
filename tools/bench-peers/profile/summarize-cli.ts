/**
 * Summarizes any .cpuprofile (from `node --cpu-prof`) by tsemu's categories.
 *
 *   node --import tsx tools/bench-peers/profile/summarize-cli.ts FILE.cpuprofile [--top N]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../src/paths.js';
import { parseOrExplain } from '../../src/util/args.js';
import { runCli } from '../../src/util/cli.js';
import { ToolError } from '../../src/util/tool-error.js';
import { renderProfileSummary } from './render.js';
import { sourceMapLocator } from './source-maps.js';
import { type CpuProfile, summarizeProfile } from './summarize.js';

runCli('profile:summarize', async () => {
  const { values, positionals } = parseOrExplain(() =>
    parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { top: { type: 'string', default: '25' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help || positionals.length !== 1) {
    process.stdout.write('usage: profile:summarize FILE.cpuprofile [--top N]\n');
    if (!values.help) process.exitCode = 1;
    return;
  }
  let profile: CpuProfile;
  try {
    profile = JSON.parse(await readFile(positionals[0], 'utf8'));
  } catch (error) {
    throw new ToolError(`cannot read ${positionals[0]}: ${(error as Error).message}`);
  }
  if (!Array.isArray(profile.nodes)) throw new ToolError(`${positionals[0]} is not a CPU profile`);
  const summary = summarizeProfile(profile, { locate: sourceMapLocator(REPO_ROOT) });
  process.stdout.write(renderProfileSummary(summary, { top: Number(values.top) }));
});
