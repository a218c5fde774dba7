import { readFileSync } from 'node:fs';
import { computeStalls, computeWriteStats } from './write-stats.ts';
import { computeStallByAction } from './timeline.ts';
for (const f of process.argv.slice(2)) {
  const d = JSON.parse(readFileSync(f, 'utf8'));
  const stalls = computeStalls(d.records, { from: d.migStart, to: d.stopAt });
  const steady = computeWriteStats(d.records, { from: d.migStart - 2000, to: d.migStart });
  const post = computeWriteStats(d.records, { from: d.migEnd + 500, to: d.stopAt });
  console.log(f, 'steady stall', Math.round(steady.longestStall.ms), 'post stall', Math.round(post.longestStall.ms));
  console.log('  ' + computeStallByAction(stalls, d.timeline, 3000).filter((a) => /promote|move-leader|remove|start|add/.test(a.label)).map((a) => `${a.label.replace('replace.', '')} ${Math.round(a.stallMs)}`).join(' | '));
}
