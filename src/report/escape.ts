/**
 * Escaping for the report's HTML and SVG (pure). Every piece of text that came from the cluster, the inventory or
 * the journal (names, addresses, messages, argv) goes through `escapeXml` before it is put into markup, so that a
 * member named `<script>` is shown as text and never becomes markup.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an element or a double- or single-quoted attribute of HTML or SVG. */
export function escapeXml(text: string): string {
  // Control characters other than tab and newline are not allowed in XML 1.0 (an SVG would not render).
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD');
}

/** At most `max` characters, with an ellipsis when cut (before escaping: the cut never splits an entity). */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** A number for an SVG coordinate: at most 1 decimal, never NaN. */
export function fmtCoord(n: number): string {
  if (!Number.isFinite(n)) return '0';
  return String(Math.round(n * 10) / 10);
}
