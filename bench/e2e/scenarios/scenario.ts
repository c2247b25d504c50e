/**
 * An end-to-end benchmark scenario: given a target name, it starts the server and generator
 * processes, measures, stops them, and returns one number per metric.
 */

/** One number a scenario reports. */
export interface Metric {
  key: string;
  label: string;
  unit: string;
  /** Whether a larger value is better (throughput) or worse (memory). */
  better: "higher" | "lower";
}

export interface ScenarioOptions {
  quick: boolean;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly metrics: readonly Metric[];
  /** Targets this scenario runs by default, in report order. */
  readonly targets: readonly string[];
  /**
   * One repetition against one target: a value per metric key, plus any extra keys (e.g.
   * `serverCpu`, `generatorCpu`: CPU share of each process, 1 = one core) kept in the JSON.
   */
  run(target: string, options: ScenarioOptions): Promise<Record<string, number>>;
}
