/** What an apiserver holds, by name: compared before and after a master switch. */
export interface Census {
  readonly nodes: readonly string[];
  readonly namespaces: readonly string[];
  readonly services: readonly string[];
  readonly pods: readonly string[];
  readonly replicationControllers: readonly string[];
}

/** What differs between two censuses, in words; empty when the same. Pure. */
export function compareCensus(before: Census, after: Census): string[] {
  const out: string[] = [];
  for (const key of ['nodes', 'namespaces', 'services', 'pods', 'replicationControllers'] as const) {
    const a = new Set(before[key]);
    const b = new Set(after[key]);
    const missing = [...a].filter((x) => !b.has(x));
    const extra = [...b].filter((x) => !a.has(x));
    if (missing.length > 0) out.push(`${key} missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (+${missing.length - 10})` : ''}`);
    if (extra.length > 0) out.push(`${key} not there before: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ` (+${extra.length - 10})` : ''}`);
  }
  return out;
}
