// Rebuilds the root BENCHMARKS.md from each package's bench/RESULTS*.md.
// Every package's benchmark script writes its own figures, with the command and the
// date that produced them, next to the script; this page gathers them in one place.
// The side-by-side comparison with QEMU and v86 (tools/bench-peers, issue 12) comes first,
// between the same markers its harness writes it between.
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

// tools/bench-peers/RESULTS.md, then PROFILE.md if there is one, headings demoted one level:
// what tools/bench-peers/report.ts (benchmarksSection) puts there.
const peersDir = join(root, 'tools/bench-peers');
let peersSection = '';
if (existsSync(join(peersDir, 'RESULTS.md'))) {
  const parts = ['RESULTS.md', 'PROFILE.md']
    .map((file) => join(peersDir, file))
    .filter((path) => existsSync(path))
    .map((path) =>
      readFileSync(path, 'utf8')
        .replace(/^(#+) /gm, '#$1 ')
        .trim(),
    );
  peersSection = `<!-- peers:start -->\n${parts.join('\n\n')}\n<!-- peers:end -->\n`;
}

const header = `# Benchmarks

Figures from each package's benchmark script (never from timed tests), gathered by
\`node tools/workspace/collect-benchmarks.mjs\` from the packages' \`bench/RESULTS*.md\`.
Run every benchmark with \`pnpm bench\`, or one package's with \`pnpm --filter <package> bench\`.
Each section names the command, the date and the machine's load when it was measured: the
machine is a shared 2-core host, so compare figures only within one run.
`;
const peers = peersSection === '' ? '' : `${peersSection}\n`;
writeFileSync(join(root, 'BENCHMARKS.md'), `${header}\n${peers}${sections.join('\n')}`);
console.log(`BENCHMARKS.md: ${sections.length} sections`);
