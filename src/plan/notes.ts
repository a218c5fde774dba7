/** Sentences the planner adds to every plan that changes something: what ferry does besides the steps. */

/** The run's etcd write-latency probe (src/app/latency-probe.ts). */
export const LATENCY_PROBE_PLAN_NOTE =
  'While the run lasts, ferry measures etcd write latency: every 500 ms it puts one small key, /ferry/latency-probe/<run id>, ' +
  'over the old and new client URLs (overwritten each time, deleted at the end), into latency.jsonl in the run folder, for report.html.';
