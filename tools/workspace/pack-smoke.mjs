// Publishability smoke test: packs every public package the way `pnpm publish`
// would, installs the tarballs into a fresh folder outside the workspace, and
// checks that each package's `exports` resolve for Node (import) and for
// TypeScript (types), and that publint finds nothing wrong.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const run = (cmd, args, cwd = root) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const packageDirs = ['packages', 'apps']
  .flatMap((parent) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(root, parent, entry.name)),
  )
  .filter((dir) => {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return !manifest.private;
    } catch {
      return false;
    }
  });
const names = packageDirs.map(
  (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name,
);

run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);

const work = mkdtempSync(join(tmpdir(), 'tsemu-pack-'));
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const dir of packageDirs) {
    run('pnpm', ['pack', '--pack-destination', tarballs], dir);
    run(join(root, 'node_modules/.bin/publint'), ['--strict'], dir);
  }
  const consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const files = readdirSync(tarballs).map((file) => join(tarballs, file));
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', ...files], consumer);

  // Node resolves each package's exports to real modules with named exports.
  const importCheck = names
    .map(
      (name) =>
        `{ const m = await import(${JSON.stringify(name)}); if (Object.keys(m).length === 0) throw new Error('${name} exports nothing'); }`,
    )
    .join('\n');
  writeFileSync(join(consumer, 'check.mjs'), `${importCheck}\nconsole.log('imports ok');\n`);
  run('node', ['check.mjs'], consumer);

  // TypeScript finds each package's declarations through the same exports map. Some
  // packages (chardev, block's file backend) are for Node, so the consumer has Node's types,
  // as any Node project would.
  const typeCheck = names
    .map((name, i) => `import * as m${i} from ${JSON.stringify(name)};\nvoid m${i};`)
    .join('\n');
  writeFileSync(join(consumer, 'check.ts'), `${typeCheck}\nexport {};\n`);
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        typeRoots: [join(root, 'node_modules/@types')],
        types: ['node'],
      },
      files: ['check.ts'],
    }),
  );
  run(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], consumer);
  console.log(
    `pack smoke: ${names.length} packages packed, installed, imported and typed: ${names.join(', ')}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
