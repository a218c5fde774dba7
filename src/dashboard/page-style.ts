/**
 * The dashboard page's stylesheet: dark (read at night), compact, system fonts only (nothing fetched). Every status
 * colour comes with a text label or a glyph on the page, never colour alone.
 */
export const PAGE_STYLE = String.raw`
:root {
  --bg: #0d1117; --panel: #161b22; --panel2: #1c2330; --line: #2a3240; --text: #d7dee8; --muted: #8b98a8;
  --ok: #3fb950; --run: #58a6ff; --warn: #d29922; --bad: #f85149; --pending: #6e7681; --lead: #e3b341;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: dark;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; background: var(--bg); color: var(--text); font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 16px; padding: 10px 16px; background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 15px; margin: 0; letter-spacing: .5px; }
header h1 span { color: var(--muted); font-weight: 400; }
header .grow { flex: 1; }
select { background: var(--panel2); color: var(--text); border: 1px solid var(--line); border-radius: 4px; padding: 3px 6px; font: inherit; max-width: 420px; }
.muted { color: var(--muted); }
.mono { font-family: var(--mono); }
main { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr); gap: 12px; padding: 12px 16px 24px; }
@media (max-width: 1100px) { main { grid-template-columns: minmax(0, 1fr); } }
.col { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
section.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
section.card > h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .8px; color: var(--muted); margin: 0 0 8px; display: flex; gap: 8px; align-items: baseline; }
section.card > h2 .right { margin-left: auto; text-transform: none; letter-spacing: 0; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; border: 1px solid currentColor; font-size: 11px; white-space: nowrap; line-height: 17px; }
.s-done, .s-voter, .s-running-unit { color: var(--ok); }
.s-running, .s-verifying, .s-learner, .s-starting, .s-stopping { color: var(--run); }
.s-failed, .s-rollback-failed, .s-refused, .s-unreadable { color: var(--bad); }
.s-rolling-back, .s-rolled-back, .s-interrupted, .s-walked-back { color: var(--warn); }
.s-pending, .s-planned, .s-removed, .s-skipped, .s-stopped, .s-unknown, .s-empty { color: var(--pending); }
.phase { border-top: 1px solid var(--line); padding: 6px 0 4px; }
.phase:first-of-type { border-top: 0; padding-top: 0; }
.phase-head { display: flex; gap: 8px; align-items: baseline; }
.phase-head .num { font-family: var(--mono); color: var(--muted); width: 1.5em; text-align: right; }
.phase-head .title { font-weight: 600; flex: 1; }
.phase.empty .phase-head .title { color: var(--muted); font-weight: 400; }
.steps { list-style: none; margin: 3px 0 0; padding: 0 0 0 2em; }
.step { display: grid; grid-template-columns: 8.5em minmax(0, 1fr) auto; gap: 2px 8px; padding: 2px 0; align-items: baseline; }
.step .st { font-size: 12px; white-space: nowrap; }
.step .dur { font-family: var(--mono); color: var(--muted); font-size: 12px; }
.step .sub { grid-column: 2 / 4; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.step[data-state="failed"] .sub, .step[data-state="rollback-failed"] .sub, .step[data-state="rolled-back"] .sub, .step[data-state="rolling-back"] .sub { color: #ffa198; }
.step.current { background: linear-gradient(90deg, rgba(88,166,255,.10), transparent 70%); border-radius: 3px; }
.bar { height: 4px; background: var(--line); border-radius: 2px; overflow: hidden; margin-top: 3px; }
.bar > i { display: block; height: 100%; background: var(--run); }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; }
.row-label { font-size: 11px; color: var(--muted); margin: 6px 0 4px; text-transform: uppercase; letter-spacing: .6px; }
.tile { background: var(--panel2); border: 1px solid var(--line); border-radius: 5px; padding: 6px 8px; min-width: 150px; flex: 1 1 150px; max-width: 240px; }
.tile.leader { border-color: var(--lead); box-shadow: inset 0 0 0 1px rgba(227,179,65,.35); }
.tile.gone { opacity: .55; border-style: dashed; }
.tile .name { font-weight: 600; display: flex; gap: 6px; align-items: baseline; }
.tile .name .lead { color: var(--lead); font-size: 11px; font-weight: 600; }
.tile .host { font-family: var(--mono); font-size: 11px; color: var(--muted); }
.tile .line { font-size: 12px; }
.units { list-style: none; margin: 4px 0 0; padding: 0; font-size: 12px; }
.units li { white-space: nowrap; }
.units li .u { color: var(--text); }
.grid { display: flex; flex-wrap: wrap; gap: 3px; }
.sq { width: 16px; height: 16px; border-radius: 3px; display: inline-flex; align-items: center; justify-content: center; font-size: 10px; line-height: 1; color: #0d1117; font-weight: 700; }
.sq.s-pending { background: #30363d; color: #8b949e; }
.sq.s-running { background: var(--run); }
.sq.s-done { background: var(--ok); }
.sq.s-failed { background: var(--bad); }
.sq.s-rolled-back { background: var(--warn); }
.grid.many .sq { width: 9px; height: 9px; font-size: 0; border-radius: 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; margin-top: 6px; color: var(--muted); }
.legend .sq { width: 11px; height: 11px; font-size: 8px; vertical-align: -1px; margin-right: 3px; }
#failure { border-color: var(--bad); background: #1f1416; }
#failure h2 { color: var(--bad); }
#failure dl { display: grid; grid-template-columns: 7em minmax(0, 1fr); gap: 3px 10px; margin: 0; }
#failure dt { color: var(--muted); }
#failure dd { margin: 0; overflow-wrap: anywhere; }
#failure ol { margin: 2px 0 0; padding-left: 1.4em; }
#failure code, .code { font-family: var(--mono); color: #ffa198; }
.pictures { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 8px; }
.pictures figure { margin: 0; background: var(--panel2); border: 1px solid var(--line); border-radius: 5px; padding: 6px; }
.pictures figcaption { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .6px; margin-bottom: 4px; }
.pictures img { width: 100%; height: auto; display: block; border-radius: 3px; background: #fafbfc; }
.pictures .none { color: var(--muted); padding: 24px 0; text-align: center; font-style: italic; }
#log { list-style: none; margin: 0; padding: 0; font-family: var(--mono); font-size: 11.5px; max-height: 360px; overflow: auto; }
#log li { padding: 1px 0; border-bottom: 1px solid rgba(42,50,64,.6); white-space: pre-wrap; overflow-wrap: anywhere; }
#log .t { color: var(--muted); margin-right: 6px; }
#log .sid { color: #a5b4c6; margin-right: 6px; }
#log .bad { color: var(--bad); }
#log .ok { color: var(--ok); }
#log .warn { color: var(--warn); }
.conn { font-size: 12px; }
.empty-note { color: var(--muted); font-style: italic; }
`;
