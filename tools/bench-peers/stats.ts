/** Medians and ranges of repeated measurements. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** How many values the summary is made of. */
  count: number;
}

/** The median (the mean of the two middle values for an even count), minimum and maximum. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  for (const value of values) {
    if (!Number.isFinite(value)) throw new Error(`summarize: ${value} is not a finite number`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], count: sorted.length };
}
