/**
 * The dashboard page: one self-contained HTML document (its CSS and script inline, no fonts, CDN or framework), so
 * it works with no network beyond loopback. The script fills it from the server's JSON and event stream; it writes
 * text with textContent only, and shows the pictures as <img> (an SVG in an img runs no script).
 */
import { PAGE_SCRIPT } from './page-script.ts';
import { PAGE_STYLE } from './page-style.ts';

export function renderDashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>ferry dashboard</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>ferry <span>dashboard</span></h1>
  <label class="muted" for="run-select">run</label>
  <select id="run-select" aria-label="run"></select>
  <span id="run-state" class="badge s-unknown" data-state="">…</span>
  <span id="run-counts" class="muted"></span>
  <span id="run-times" class="muted mono"></span>
  <span class="grow"></span>
  <span id="conn" class="conn muted" data-conn="connecting">○ connecting</span>
</header>
<main>
  <div class="col">
    <section class="card" id="failure" hidden></section>
    <section class="card" id="phases-card"><h2>Phases <span class="right muted" id="current-step"></span></h2><div id="phases"><p class="empty-note">loading…</p></div></section>
    <section class="card" id="pictures-card"><h2>Cluster before and after</h2>
      <div class="pictures">
        <figure><figcaption>before</figcaption><img id="pic-before" alt="the cluster before the run" hidden><div class="none" id="pic-before-none">no picture yet</div></figure>
        <figure><figcaption>after</figcaption><img id="pic-after" alt="the cluster after the run" hidden><div class="none" id="pic-after-none">no picture yet</div></figure>
      </div>
    </section>
  </div>
  <div class="col">
    <section class="card" id="etcd-card"><h2>etcd members <span class="right muted" id="etcd-leader"></span></h2><div id="etcd"></div></section>
    <section class="card" id="master-card"><h2>Master</h2><div id="master"></div></section>
    <section class="card" id="nodes-card"><h2>Nodes <span class="right muted" id="nodes-summary"></span></h2><div id="nodes"></div></section>
    <section class="card" id="log-card"><h2>Event log <span class="right muted">latest first</span></h2><ul id="log"></ul></section>
  </div>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
