// Rebuilds the root BENCHMARKS.md from each package's bench/RESULTS*.md.
// Every package's benchmark script writes its own figures, with the command and the
// date that produced them, next to the script; this page gathers them in one place.
// Run: node tools/workspace/collect-benchmarks.mjs
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const sections = [];
for (const parent of ['packages', 'apps', 'tools']) {
  const parentDir = join(root, parent);
  const dirs =
    parent === 'tools'
      ? [parentDir]
      : readdirSync(parentDir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(parentDir, entry.name));
  for (const dir of dirs.sort()) {
    const benchDir = join(dir, 'bench');
    if (!existsSync(benchDir)) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const file of readdirSync(benchDir)
      .filter((f) => /^RESULTS.*\.md$/.test(f))
      .sort()) {
      const path = join(benchDir, file);
      // Demote the file's headings by two levels so each sits under its package.
      const body = readFileSync(path, 'utf8')
        .replace(/^(#+) /gm, '##$1 ')
        .trim();
      sections.push(
        `## ${manifest.name} — [${relative(root, path)}](${relative(root, path)})\n\n${body}\n`,
      );
    }
  }
}

const header = `# Benchmarks

Figures from each package's benchmark script (never from timed tests), gathered by
\`node tools/workspace/collect-benchmarks.mjs\` from the packages' \`bench/RESULTS*.md\`.
Run every benchmark with \`pnpm bench\`, or one package's with \`pnpm --filter <package> bench\`.
Each section names the command, the date and the machine's load when it was measured: the
machine is a shared 2-core host, so compare figures only within one run.
`;
writeFileSync(join(root, 'BENCHMARKS.md'), `${header}\n${sections.join('\n')}`);
console.log(`BENCHMARKS.md: ${sections.length} sections`);
