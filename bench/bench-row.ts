/** One line of benchmark output, collected by bench/run.ts. */
export type BenchRow = {
  name: string;
  metric: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
};
