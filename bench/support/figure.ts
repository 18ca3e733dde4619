import { spread } from './stats.js';

/** One measured figure: several runs, summarised, with the bound it is read against and the target it aims at. */
export type Figure = {
  scenario: string;
  measure: string;
  unit: string;
  runs: number[];
  median: number;
  min: number;
  max: number;
  /** The physical limit or reference measured in the same run, e.g. the double read directly. */
  bound: { label: string; value: number } | null;
  /** The target, and whether the median meets it; null when the figure has no target. */
  target: { text: string; met: boolean } | null;
};

export type Target = { text: string; meets: (median: number) => boolean };

export function figure(
  scenario: string,
  measure: string,
  unit: string,
  runs: number[],
  bound: { label: string; runs: number[] } | null = null,
  target: Target | null = null,
): Figure {
  const summary = spread(runs);
  return {
    scenario,
    measure,
    unit,
    runs,
    ...summary,
    bound: bound && { label: bound.label, value: spread(bound.runs).median },
    target: target && { text: target.text, met: target.meets(summary.median) },
  };
}

export const atMost = (limit: number, unit: string): Target => ({
  text: `<= ${limit} ${unit}`,
  meets: (v) => v <= limit,
});
export const atLeast = (limit: number, unit: string): Target => ({
  text: `>= ${limit} ${unit}`,
  meets: (v) => v >= limit,
});
