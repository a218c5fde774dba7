/**
 * A migration's timeline on the benchmark's clock, and which part of it a stall falls in. For ferry the timeline
 * comes from its journal (each event is stamped as it is appended, in this process); for the literal runbook from
 * the script's own actions. Pure, apart from the journal listener that stamps events.
 */
import type { JournalEvent } from '../src/run/events.ts';
import type { Stall } from '../src/write-load/write-stats.ts';
import type { TimelineEntry } from './literal-runbook.ts';

export interface Timeline {
  /** Actions with a start and an end. */
  readonly actions: readonly TimelineEntry[];
  /** Other moments worth naming (step states, gates), for stalls that fall between actions. */
  readonly marks: readonly { readonly at: number; readonly label: string }[];
}

function shortStep(stepId: string): string {
  return stepId.replace(/^etcd\./, '');
}

/** Collects a ferry run's journal events as a timeline, stamping each with `now()` when it is appended. */
export function buildJournalRecorder(now: () => number): { listener: (e: JournalEvent) => void; timeline: () => Timeline } {
  const actions: TimelineEntry[] = [];
  const open = new Map<string, TimelineEntry>();
  const marks: { at: number; label: string }[] = [];
  const listener = (e: JournalEvent): void => {
    const at = now();
    switch (e.type) {
      case 'action-started': {
        const entry: TimelineEntry = { label: `${shortStep(e.stepId)}: ${e.action}`, start: at, end: Number.NaN };
        actions.push(entry);
        open.set(`${e.stepId}/${e.action}`, entry);
        break;
      }
      case 'action-finished':
      case 'action-failed': {
        const entry = open.get(`${e.stepId}/${e.action}`);
        if (entry !== undefined) entry.end = at;
        open.delete(`${e.stepId}/${e.action}`);
        if (e.type === 'action-failed') marks.push({ at, label: `${shortStep(e.stepId)}: ${e.action} FAILED (${e.error.code})` });
        break;
      }
      case 'action-skipped':
        marks.push({ at, label: `${shortStep(e.stepId)}: ${e.action} skipped` });
        break;
      case 'step-state':
        marks.push({ at, label: `${shortStep(e.stepId)} → ${e.state}` });
        break;
      case 'gate':
        marks.push({ at, label: `${shortStep(e.stepId)}: health gate ${e.ok ? 'passed' : 'not yet'}` });
        break;
      default:
        break;
    }
  };
  return { listener, timeline: () => ({ actions: [...actions], marks: [...marks] }) };
}

/** Which actions a stall overlaps; when none, the moments just before and after it. */
export function describeStallPlace(stall: Stall, t: Timeline): string {
  const overlapping = t.actions.filter((a) => a.start < stall.to && (Number.isNaN(a.end) ? Infinity : a.end) > stall.from);
  if (overlapping.length > 0) return `during ${overlapping.map((a) => a.label).join(' + ')}`;
  const moments = [...t.actions.flatMap((a) => [{ at: a.start, label: `${a.label} started` }, { at: a.end, label: `${a.label} finished` }]), ...t.marks];
  const before = moments.filter((m) => m.at <= stall.from).sort((a, b) => b.at - a.at)[0];
  const after = moments.filter((m) => m.at >= stall.to).sort((a, b) => a.at - b.at)[0];
  if (before === undefined && after === undefined) return 'no action recorded (the control run, or a migration that stopped early)';
  return `between actions: after "${before?.label ?? 'the start'}", before "${after?.label ?? 'the end'}"`;
}

/** The timeline as text lines with times relative to `origin`, in seconds. */
export function renderTimeline(t: Timeline, origin: number): string[] {
  return t.actions.map((a) => `+${((a.start - origin) / 1000).toFixed(2)} s  ${a.label}  (${Number.isNaN(a.end) ? '?' : (a.end - a.start).toFixed(0)} ms)`);
}

/** The actions that change membership or leadership, or start a member: the ones a stall can come from. */
export const MEMBERSHIP_ACTION = /add|promote|move-leader|remove|start/;

/**
 * For each membership action: the longest stall overlapping its period, from its start to the next membership
 * action's start (or `tailMs` after its end, for the last one). A change's effect can outlast the call that made
 * it: the election after the literal runbook removes the leader comes after `member remove` has returned.
 */
export function computeStallByAction(stalls: readonly Stall[], t: Timeline, tailMs: number): { label: string; start: number; stallMs: number }[] {
  const actions = t.actions.filter((a) => MEMBERSHIP_ACTION.test(a.label)).sort((a, b) => a.start - b.start);
  const lastEnd = Math.max(...t.actions.map((a) => (Number.isNaN(a.end) ? a.start : a.end)));
  return actions.map((a, i) => {
    const periodEnd = actions[i + 1]?.start ?? lastEnd + tailMs;
    const overlapping = stalls.filter((s) => s.from < periodEnd && s.to > a.start);
    return { label: a.label, start: a.start, stallMs: Math.max(0, ...overlapping.map((s) => s.ms)) };
  });
}
