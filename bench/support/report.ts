import type { Figure } from './figure.js';

const round = (value: number) =>
  !Number.isFinite(value)
    ? String(value)
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : value.toFixed(value >= 10 ? 1 : 2);

/** One line per figure: median (min-max), the bound measured beside it and their ratio, the target. */
export function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.scenario,
    f.measure,
    `${round(f.median)} ${f.unit} (${round(f.min)}-${round(f.max)})`,
    f.bound ? `${round(f.bound.value)} ${f.unit} (${f.bound.label})` : '',
    f.bound && f.bound.value !== 0 ? `${(f.median / f.bound.value).toFixed(2)}x` : '',
    f.target ? `${f.target.text} ${f.target.met ? 'met' : 'MISSED'}` : '',
  ]);
  const header = ['scenario', 'measure', 'median (min-max)', 'bound', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
