import type { Figure } from './figure.js';

export type BenchContext = {
  /** `--quick`: every scenario at a tiny size, to prove the suite still runs; its figures mean nothing. */
  quick: boolean;
  /** How many times each figure is measured (its median, min and max are reported). */
  runs: number;
  /** Progress for the person watching, on stderr. */
  log: (line: string) => void;
};

export type Scenario = { name: string; run: (ctx: BenchContext) => Promise<Figure[]> };
