// The README's main job: what `pnpm start` runs after installing everything.
// Until the pc machine can boot Linux, it shows that the tsemu command works.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const tsemu = resolve(import.meta.dirname, '../../apps/cli/dist/tsemu.mjs');
for (const args of [['-version'], ['-h']]) {
  const result = spawnSync(process.execPath, [tsemu, ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
