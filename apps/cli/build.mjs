// Bundles the command into one runnable file, dist/tsemu.mjs, with esbuild.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/tsemu.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  conditions: ['@tsemu/source'],
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
