/**
 * A picture of the cluster, not a table (issue 5 §1 and §3): one box per host — the old and the new etcd hosts and
 * masters, then the nodes (a compact grid when there are many), then DNS and the console as small boxes — and
 * inside each box what runs there: the etcd member (♛ LEADER, ◐ learner), the master's units active or not. A host
 * where nothing runs is greyed. Pure: a ClusterPicture in, a self-contained inline SVG out (no ids, no styles from
 * outside, no scripts), so two pictures can sit side by side in one page. Every name is escaped.
 */
import type { ObservedMember } from '../observe/types.ts';
import type { ClusterPicture, MasterPicture, PictureEtcdHost } from '../observe/types.ts';
import { escapeXml, fmtCoord, truncateText } from './escape.ts';

export interface PictureSvgOptions {
  /** Shown at the top, e.g. "Before — 2026-01-31 14:25". */
  readonly title: string;
}

const WIDTH = 720;
const MARGIN = 12;
const GAP = 10;
const BOX_W = 166;
const LINE_H = 15;
const BOX_CHARS = 26;
/** Up to this many nodes get a box with their name; more become small squares. */
const NODE_BOXES_MAX = 20;
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';

const C = {
  text: '#1f2933',
  muted: '#7b8794',
  ok: '#1f9d55',
  bad: '#cf2e2e',
  warn: '#c05621',
  lead: '#b7791f',
  border: '#52606d',
  fill: '#ffffff',
  leaderFill: '#fffbea',
  idleFill: '#eef0f3',
  idleBorder: '#b8c0cc',
  okFill: '#e3f9e5',
  badFill: '#ffe3e3',
} as const;

interface Line {
  readonly text: string;
  readonly color: string;
  readonly bold?: boolean;
  /** Something runs (a member, an active unit, an answering apiserver): the host is not greyed. */
  readonly active?: boolean;
}

interface HostBox {
  readonly address: string;
  readonly tags: string[];
  readonly lines: Line[];
  leader: boolean;
}

type Row = 'old' | 'new' | 'other';

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}

function memberLine(m: ObservedMember, leaderId: string, inventoryName?: string): Line {
  if (m.name === '') return { text: `◌ ${inventoryName ?? '(unstarted)'} added, not started`, color: C.warn };
  if (m.id === leaderId) return { text: `♛ ${m.name} LEADER`, color: C.lead, bold: true, active: true };
  if (m.isLearner) return { text: `◐ ${m.name} learner`, color: C.warn, active: true };
  return { text: `● ${m.name} member`, color: C.ok, active: true };
}

function unitLine(unit: string, state: string): Line {
  const short = unit.replace(/^kube-/, '');
  if (state === 'active') return { text: `● ${short}`, color: C.ok, active: true };
  if (state === 'failed') return { text: `✖ ${short} failed`, color: C.bad };
  if (state === 'inactive') return { text: `○ ${short}`, color: C.muted };
  return { text: `◌ ${short} ${state}`, color: C.warn };
}

function masterLines(m: MasterPicture): Line[] {
  const health: Line = m.answers ? { text: '✓ apiserver answers', color: C.ok, active: true } : { text: '✗ apiserver down', color: C.muted };
  return [health, ...Object.entries(m.units).map(([u, s]) => unitLine(u, s))];
}

/** Host boxes by row: the old side, the new side, and members the inventory does not place. */
export function buildHostBoxes(p: ClusterPicture): Record<Row, HostBox[]> {
  const rows: Record<Row, HostBox[]> = { old: [], new: [], other: [] };
  const boxes = new Map<string, HostBox>();
  const boxFor = (address: string, row: Row, tag: string): HostBox => {
    let b = boxes.get(address);
    if (b === undefined) {
      b = { address, tags: [], lines: [], leader: false };
      boxes.set(address, b);
      rows[row].push(b);
    }
    if (!b.tags.includes(tag)) b.tags.push(tag);
    return b;
  };
  const members = p.etcd?.members ?? [];
  const leaderId = p.etcd?.leaderId ?? '0';
  const placed = new Set<ObservedMember>();
  for (const side of ['old', 'new'] as const) {
    for (const e of p.etcdHosts?.[side] ?? ([] as PictureEtcdHost[])) {
      const b = boxFor(e.host, side, 'etcd');
      const m = members.find((x) => !placed.has(x) && (x.peerURLs.some((u) => sameOrigin(u, e.peerURL)) || (x.name !== '' && x.name === e.name)));
      if (m !== undefined) {
        placed.add(m);
        b.lines.push(memberLine(m, leaderId, e.name));
        if (m.id === leaderId) b.leader = true;
      } else if (p.etcd === undefined) b.lines.push({ text: `? ${e.name}: etcd unreadable`, color: C.muted });
      else b.lines.push({ text: `○ ${e.name}: not a member`, color: C.muted });
    }
    const master = p.masters.find((m) => m.role === side);
    if (master !== undefined) boxFor(master.host, side, 'master').lines.push(...masterLines(master));
  }
  for (const m of members) {
    if (placed.has(m)) continue;
    const b = boxFor(hostOf(m.peerURLs[0] ?? m.clientURLs[0]) ?? '?', 'other', 'etcd');
    b.lines.push(memberLine(m, leaderId));
    if (m.id === leaderId) b.leader = true;
  }
  return rows;
}

const isIdle = (b: HostBox): boolean => !b.lines.some((l) => l.active === true);

function text(x: number, y: number, t: string, o: { color?: string; bold?: boolean; size?: number; max?: number; anchor?: 'start' | 'end' | 'middle' } = {}): string {
  const shown = truncateText(t, o.max ?? 200);
  return (
    `<text x="${fmtCoord(x)}" y="${fmtCoord(y)}" font-size="${o.size ?? 11}" fill="${o.color ?? C.text}"` +
    `${o.bold === true ? ' font-weight="bold"' : ''}${o.anchor !== undefined && o.anchor !== 'start' ? ` text-anchor="${o.anchor}"` : ''}>${escapeXml(shown)}</text>`
  );
}

function boxHeight(lines: number): number {
  return 10 + (2 + lines) * LINE_H;
}

function renderHostBox(b: HostBox, x: number, y: number, h: number, w: number): string {
  const chars = Math.floor((w / BOX_W) * BOX_CHARS);
  const idle = isIdle(b);
  const fill = idle ? C.idleFill : b.leader ? C.leaderFill : C.fill;
  const stroke = idle ? C.idleBorder : b.leader ? C.lead : C.border;
  const parts = [
    `<g><title>${escapeXml([b.address, ...b.lines.map((l) => l.text)].join('\n'))}</title>`,
    `<rect x="${fmtCoord(x)}" y="${fmtCoord(y)}" width="${w}" height="${fmtCoord(h)}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${b.leader ? 2 : 1}"${idle ? ' stroke-dasharray="4 3"' : ''}/>`,
    text(x + 8, y + 17, b.address, { bold: true, color: idle ? C.muted : C.text, max: chars - 2 }),
    text(x + 8, y + 17 + LINE_H, `${b.tags.join(' · ')}${idle ? ' — nothing runs' : ''}`, { color: C.muted, size: 10, max: chars + 4 }),
  ];
  b.lines.forEach((l, i) => parts.push(text(x + 8, y + 17 + (i + 2) * LINE_H, l.text, { color: idle && l.color !== C.bad ? C.muted : l.color, ...(l.bold === true ? { bold: true } : {}), max: chars })));
  parts.push('</g>');
  return parts.join('');
}

/** Boxes in rows that wrap; returns the markup and the height used. */
function renderBoxes(label: string, boxes: readonly HostBox[], y: number, w = BOX_W): { svg: string; height: number } {
  if (boxes.length === 0) return { svg: '', height: 0 };
  const perRow = Math.max(1, Math.floor((WIDTH - 2 * MARGIN + GAP) / (w + GAP)));
  const parts = [text(MARGIN, y + 12, label, { bold: true, color: C.muted, size: 10 })];
  let top = y + 20;
  for (let i = 0; i < boxes.length; i += perRow) {
    const line = boxes.slice(i, i + perRow);
    const h = Math.max(...line.map((b) => boxHeight(b.lines.length)));
    line.forEach((b, j) => parts.push(renderHostBox(b, MARGIN + j * (w + GAP), top, h, w)));
    top += h + GAP;
  }
  return { svg: parts.join(''), height: top - y };
}

function renderNodes(p: ClusterPicture, y: number): { svg: string; height: number } {
  const list = p.nodes.list;
  const ready = list.filter((n) => n.ready === 'True').length;
  const where = p.nodes.apiserver !== undefined ? ` on ${p.nodes.apiserver}` : '';
  const parts = [text(MARGIN, y + 12, `NODES — ${ready}/${list.length} Ready${where}`, { bold: true, color: C.muted, size: 10, max: 110 })];
  let top = y + 20;
  if (p.nodes.error !== undefined) {
    parts.push(text(MARGIN, top + 12, `✗ ${p.nodes.error}`, { color: C.bad, max: 110 }));
    top += LINE_H + 4;
  }
  if (list.length > 0 && list.length <= NODE_BOXES_MAX) {
    const w = 128;
    const h = 36;
    const perRow = Math.floor((WIDTH - 2 * MARGIN + GAP) / (w + GAP));
    list.forEach((n, i) => {
      const x = MARGIN + (i % perRow) * (w + GAP);
      const yy = top + Math.floor(i / perRow) * (h + GAP);
      const ok = n.ready === 'True';
      parts.push(
        `<g><title>${escapeXml(`${n.name}: ${ok ? 'Ready' : `NotReady (${n.ready})`}`)}</title>` +
          `<rect x="${fmtCoord(x)}" y="${fmtCoord(yy)}" width="${w}" height="${h}" rx="5" fill="${ok ? C.okFill : C.badFill}" stroke="${ok ? C.ok : C.bad}"/>` +
          text(x + 7, yy + 15, n.name, { bold: true, max: 19 }) +
          text(x + 7, yy + 29, ok ? '● Ready' : `✖ NotReady (${n.ready})`, { color: ok ? C.ok : C.bad, size: 10, max: 21 }) +
          '</g>',
      );
    });
    top += Math.ceil(list.length / perRow) * (h + GAP);
  } else if (list.length > 0) {
    const s = 12;
    const perRow = Math.floor((WIDTH - 2 * MARGIN + 2) / (s + 2));
    list.forEach((n, i) => {
      const ok = n.ready === 'True';
      const x = MARGIN + (i % perRow) * (s + 2);
      const yy = top + Math.floor(i / perRow) * (s + 2);
      parts.push(`<rect x="${x}" y="${yy}" width="${s}" height="${s}" rx="2" fill="${ok ? C.ok : C.bad}"><title>${escapeXml(`${n.name}: ${ok ? 'Ready' : `NotReady (${n.ready})`}`)}</title></rect>`);
    });
    top += Math.ceil(list.length / perRow) * (s + 2) + GAP;
  } else if (p.nodes.error === undefined) {
    parts.push(text(MARGIN, top + 12, '(no nodes)', { color: C.muted }));
    top += LINE_H + 4;
  }
  return { svg: parts.join(''), height: top - y };
}

function addOnBoxes(p: ClusterPicture): HostBox[] {
  const out: HostBox[] = [];
  const d = p.dns;
  if (d !== undefined) {
    const lines: Line[] = [{ text: d.name, color: C.text }];
    if (d.error !== undefined) lines.push({ text: `✗ ${d.error}`, color: C.bad });
    else {
      const correct = d.expected === undefined || d.answer?.includes(d.expected) === true;
      lines.push({ text: `${correct ? '✓' : '✗'} answers ${(d.answer ?? []).join(', ') || 'nothing'}${correct ? '' : ` (expected ${d.expected})`}`, color: correct ? C.ok : C.bad, active: correct });
    }
    for (const c of d.controllers) lines.push({ text: c, color: C.text, active: true });
    out.push({ address: `DNS @${d.server ?? '?'}`, tags: ['cluster DNS'], lines, leader: false });
  }
  const c = p.console;
  if (c !== undefined) {
    const lines: Line[] =
      c.error !== undefined
        ? [{ text: `✗ ${c.error}`, color: C.bad }]
        : [
            { text: `api ${c.api ?? '?'}`, color: C.text, active: true },
            { text: `etcd ${c.etcd ?? '?'}`, color: C.text },
            { text: `watcher ${c.watcher ?? 'none'}`, color: C.text },
          ];
    out.push({ address: 'DomeOS console', tags: ['console'], lines, leader: false });
  }
  return out;
}

export function renderPictureSvg(picture: ClusterPicture, o: PictureSvgOptions): string {
  const parts: string[] = [text(MARGIN, 22, o.title, { bold: true, size: 15, max: 90 })];
  let y = 32;
  if (picture.takenAt !== undefined) {
    parts.push(text(MARGIN, y + 10, `taken ${picture.takenAt}`, { color: C.muted, size: 10 }));
    y += 16;
  }
  for (const problem of [picture.error, picture.etcdError !== undefined ? `etcd unreadable: ${picture.etcdError}` : undefined]) {
    if (problem === undefined) continue;
    parts.push(text(MARGIN, y + 12, `✗ ${problem}`, { color: C.bad, max: 110 }));
    y += LINE_H + 2;
  }
  const rows = buildHostBoxes(picture);
  const sections: [string, HostBox[]][] = [
    ['OLD HOSTS', rows.old],
    ['NEW HOSTS', rows.new],
    [picture.etcdHosts === undefined ? 'ETCD MEMBERS' : 'OTHER ETCD MEMBERS', rows.other],
  ];
  for (const [label, boxes] of sections) {
    const r = renderBoxes(label, boxes, y);
    parts.push(r.svg);
    y += r.height;
  }
  if (picture.masters.length > 0 || picture.nodes.list.length > 0 || picture.nodes.error !== undefined) {
    const r = renderNodes(picture, y);
    parts.push(r.svg);
    y += r.height;
  }
  const addOns = addOnBoxes(picture);
  if (addOns.length > 0) {
    const r = renderBoxes('ADD-ONS', addOns, y, (WIDTH - 2 * MARGIN - GAP) / 2);
    parts.push(r.svg);
    y += r.height;
  }
  parts.push(text(MARGIN, y + 14, '♛ etcd leader   ◐ learner   ● running   ○ stopped   ✖ failed   dashed grey: nothing runs on the host', { color: C.muted, size: 10 }));
  y += 24;
  const height = Math.ceil(y);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeXml(o.title)}" font-family="${FONT}">` +
    `<title>${escapeXml(o.title)}</title><rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fafbfc"/>` +
    parts.join('') +
    '</svg>'
  );
}
