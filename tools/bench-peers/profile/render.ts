/** A profile summary as Markdown: categories, top functions, helpers by name. */
import { markdownTable } from '../table.js';
import type { ProfileSummary } from './summarize.js';

export function renderProfileSummary(
  summary: ProfileSummary,
  options: { top?: number } = {},
): string {
  const top = options.top ?? 25;
  const sampled = summary.categories.reduce((sum, c) => sum + c.selfMs, 0);
  const share = (ms: number) => (sampled === 0 ? '–' : `${((ms / sampled) * 100).toFixed(1)} %`);
  const ms = (value: number) => value.toFixed(0);
  const out: string[] = [];
  out.push(
    `Samples cover ${(sampled / 1000).toFixed(2)} s of a ${(summary.totalMs / 1000).toFixed(2)} s profile (self time: time spent in the function itself, not in what it calls).`,
    '',
  );
  out.push(
    markdownTable(
      ['category', 'self ms', 'share'],
      summary.categories.map((c) => [c.name, ms(c.selfMs), share(c.selfMs)]),
    ),
    '',
  );
  out.push(`Top ${top} functions by self time:`, '');
  out.push(
    markdownTable(
      ['function', 'where', 'category', 'self ms', 'share'],
      summary.functions
        .slice(0, top)
        .map((f) => [`\`${f.name}\``, f.where, f.category, ms(f.selfMs), share(f.selfMs)]),
      3,
    ),
    '',
  );
  const helpers = summary.functions.filter((f) => f.category === 'helpers').slice(0, 15);
  if (helpers.length > 0) {
    out.push('Helpers by name:', '');
    out.push(
      markdownTable(
        ['helper', 'where', 'self ms', 'share'],
        helpers.map((f) => [`\`${f.name}\``, f.where, ms(f.selfMs), share(f.selfMs)]),
        2,
      ),
      '',
    );
  }
  return out.join('\n');
}
