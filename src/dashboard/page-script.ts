/**
 * The dashboard page's script (plain ES2017, no framework, no build step): it opens the run's event stream, keeps
 * the raw journal events for the event log, and draws each folded view the server sends (build-view.ts) into the
 * page (page-render.ts) — steps and node squares are updated in place, so a run of a thousand nodes stays cheap.
 * Text goes in with textContent only. Data attributes (data-step, data-state, data-member, data-node, …) name
 * what is drawn.
 */
import { PAGE_RENDER } from './page-render.ts';

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var LOG_MAX = 400;
  var q = new URLSearchParams(location.search);
  if (q.has('token')) {
    // The cookie carries the token from here on: keep it out of the address bar, the history and screenshots.
    q.delete('token');
    history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q.toString() : ''));
  }
  function $(id) { return document.getElementById(id); }
  var cur = { runId: null, es: null, view: null, log: [], logTimer: null, gen: 0, phaseEls: null, stepEls: {}, nodeEls: null, waitTimer: null, lastRunState: null };

  var LABEL = {
    pending: '○ pending', running: '● running', verifying: '◎ verifying', done: '✔ done', failed: '✖ failed',
    'rolling-back': '↺ rolling back', 'rolled-back': '↺ rolled back', 'rollback-failed': '✖ rollback failed',
    skipped: '– skipped', empty: '· no steps', planned: '○ planned', refused: '✖ refused', interrupted: '‖ interrupted',
    'walked-back': '↺ walked back', unreadable: '✖ unreadable', unknown: '? unknown'
  };
  var MEMBER_LABEL = { voter: '✔ voter', learner: '◐ learner', planned: '○ not added yet', removed: '– removed' };
  var UNIT_LABEL = { running: '● running', stopped: '○ stopped', starting: '◌ starting', stopping: '◌ stopping', unknown: '? unknown' };
  var NODE_GLYPH = { pending: '', running: '•', done: '✓', failed: '✖', 'rolled-back': '↺' };
  var NODE_LABEL = { pending: 'pending', running: 'running', done: 'done', failed: 'failed', 'rolled-back': 'rolled back' };

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function label(s) { return LABEL[s] || s; }
  function badge(state, text) {
    var b = h('span', 'badge s-' + state, text || label(state));
    b.setAttribute('data-state', state);
    return b;
  }
  function fmtMs(ms) {
    if (ms === undefined || ms === null || isNaN(ms)) return '';
    if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ms';
    var s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    var m = Math.floor(s / 60), r = Math.round(s - m * 60);
    return m + ' min ' + (r < 10 ? '0' : '') + r + ' s';
  }
  function fmtTime(iso) { return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : ''; }
  function api(path) {
    return fetch(path, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (!r.ok) { var err = new Error('HTTP ' + r.status); err.status = r.status; throw err; }
      return r.json();
    });
  }
  function runPath(id) { return '/api/runs/' + encodeURIComponent(id); }
  function setConn(state, text) {
    var c = $('conn');
    c.setAttribute('data-conn', state);
    c.textContent = text;
    c.className = 'conn ' + (state === 'live' ? 's-done' : state === 'closed' ? 's-failed' : 'muted');
  }
  function note(parent, text) { parent.textContent = ''; parent.appendChild(h('p', 'empty-note', text)); }

  // ---- runs ----
  function loadRuns(first) {
    return api('/api/runs').then(function (data) {
      var sel = $('run-select');
      var want = first ? (q.get('run') || data.defaultRunId || (data.runs[0] && data.runs[0].runId)) : cur.runId;
      if (!first && document.activeElement === sel) return; // rebuilding the list would close it under the operator
      sel.textContent = '';
      data.runs.forEach(function (r) {
        var o = h('option', null, r.runId + ' · ' + label(r.state) + (r.inventory ? ' · ' + r.inventory : '') + (r.steps ? ' · ' + r.steps.done + '/' + r.steps.total + ' steps' : ''));
        o.value = r.runId;
        sel.appendChild(o);
      });
      if (want && !data.runs.some(function (r) { return r.runId === want; })) {
        var w = h('option', null, want + ' · waiting to start');
        w.value = want;
        sel.insertBefore(w, sel.firstChild);
      }
      if (want) sel.value = want;
      if (first) {
        if (want) openRun(want);
        else { note($('phases'), 'no runs yet: start one with ferry apply'); setTimeout(function () { loadRuns(true); }, 2000); }
      }
    }).catch(function (e) { if (first) setConn('closed', '✖ ' + e.message); });
  }

  function openRun(id) {
    cur.gen += 1;
    var gen = cur.gen;
    if (cur.es) { cur.es.close(); cur.es = null; }
    clearTimeout(cur.waitTimer);
    cur.runId = id; cur.view = null; cur.log = []; cur.phaseEls = null; cur.stepEls = {}; cur.nodeEls = null; cur.lastRunState = null;
    ['log', 'etcd', 'master', 'nodes'].forEach(function (x) { $(x).textContent = ''; });
    renderFailure({});
    q.set('run', id);
    history.replaceState(null, '', location.pathname + '?' + q.toString());
    refreshPictures();
    api(runPath(id)).then(function (data) {
      if (gen !== cur.gen) return;
      renderView(data.view);
      connect(id, gen);
    }).catch(function (e) {
      if (gen !== cur.gen) return;
      if (e.status === 404) {
        note($('phases'), 'waiting for run ' + id + ' to start…');
        setConn('waiting', '○ waiting for the run');
        cur.waitTimer = setTimeout(function () { if (gen === cur.gen) openRun(id); }, 1000);
      } else setConn('closed', '✖ ' + e.message);
    });
  }

  function connect(id, gen) {
    var es = new EventSource(runPath(id) + '/events');
    cur.es = es;
    setConn('connecting', '○ connecting');
    es.onopen = function () { if (gen === cur.gen) setConn('live', '● live'); };
    es.onerror = function () {
      if (gen !== cur.gen) return;
      if (es.readyState === 2) setConn('closed', '✖ disconnected');
      else setConn('reconnecting', '◌ reconnecting (the server may have stopped)');
    };
    es.addEventListener('journal', function (m) { if (gen === cur.gen) addLog(JSON.parse(m.data)); });
    es.addEventListener('view', function (m) { if (gen === cur.gen) renderView(JSON.parse(m.data)); });
    es.addEventListener('replayed', function () { if (gen === cur.gen) setConn('live', '● live'); });
    es.addEventListener('stream-error', function (m) {
      if (gen !== cur.gen) return;
      var d = JSON.parse(m.data);
      es.close();
      setConn('closed', '✖ ' + d.code + ': ' + d.message);
    });
  }

  // ---- view ----
  function renderView(v) {
    cur.view = v;
    renderHeader(v);
    renderFailure(v);
    renderPhases(v);
    renderEtcd(v);
    renderMaster(v);
    renderNodes(v);
    if (cur.lastRunState !== v.runState) { cur.lastRunState = v.runState; refreshPictures(); }
  }

  ${PAGE_RENDER}

  // ---- event log ----
  function detailText(d) {
    if (!d) return '';
    return Object.keys(d).map(function (k) { var x = d[k]; return k + '=' + (Array.isArray(x) ? x.join(',') : typeof x === 'object' && x !== null ? JSON.stringify(x) : x); }).join(' ');
  }
  function logLine(e) {
    switch (e.type) {
      case 'run-started': return ['', 'run ' + e.runId + ' started (' + e.mode + ', ferry ' + e.ferryVersion + ')'];
      case 'process-attached': return ['', 'process ' + e.pid + ' attached: ' + e.command];
      case 'run-state': return [e.state === 'done' ? 'ok' : e.error ? 'bad' : '', 'run → ' + e.state + (e.error ? ': ' + e.error.code + ' ' + e.error.message : '')];
      case 'step-state': return [e.state === 'done' ? 'ok' : e.error ? 'bad' : e.state.indexOf('roll') === 0 ? 'warn' : '', '→ ' + e.state + (e.error ? ': ' + e.error.code + ' ' + e.error.message : e.reason ? ' (' + e.reason + ')' : '')];
      case 'action-started': return ['', '· ' + e.action + (e.detail ? ' ' + detailText(e.detail) : '')];
      case 'action-finished': return ['ok', '✓ ' + e.action];
      case 'action-skipped': return ['', '= ' + e.action + ': ' + e.reason];
      case 'action-failed': return ['bad', '✖ ' + e.action + ': ' + e.error.code + ' ' + e.error.message];
      case 'progress': return ['', '… ' + progressText(e)];
      case 'gate': return [e.ok ? 'ok' : 'bad', (e.ok ? '✓ gate: ' : '✖ gate: ') + e.checks.filter(function (c) { return !e.ok ? !c.ok : true; }).map(function (c) { return e.ok ? c.name : c.name + ': ' + c.detail; }).join('; ')];
      case 'note': return ['', e.message.split('\n')[0]];
      default: return ['', e.type];
    }
  }
  function addLog(e) {
    cur.log.push(e);
    if (cur.log.length > LOG_MAX) cur.log.splice(0, cur.log.length - LOG_MAX);
    if (!cur.logTimer) cur.logTimer = setTimeout(renderLog, 120);
  }
  function renderLog() {
    cur.logTimer = null;
    var ul = $('log');
    ul.textContent = '';
    for (var i = cur.log.length - 1; i >= 0; i--) {
      var e = cur.log[i], l = logLine(e);
      var li = h('li', l[0]);
      li.setAttribute('data-seq', String(e.seq));
      li.appendChild(h('span', 't', fmtTime(e.ts)));
      if (e.stepId) li.appendChild(h('span', 'sid', e.stepId));
      li.appendChild(document.createTextNode(l[1]));
      ul.appendChild(li);
    }
  }

  // ---- pictures ----
  function refreshPictures() {
    var id = cur.runId;
    if (!id) return;
    ['before', 'after'].forEach(function (side) {
      var img = $('pic-' + side), none = $('pic-' + side + '-none');
      var url = runPath(id) + '/picture/' + side + '?v=' + Date.now();
      var probe = new Image();
      probe.onload = function () { if (id !== cur.runId) return; img.src = url; img.hidden = false; none.hidden = true; };
      probe.onerror = function () { if (id !== cur.runId) return; img.hidden = true; img.removeAttribute('src'); none.hidden = false; };
      probe.src = url;
    });
  }

  $('run-select').addEventListener('change', function (ev) { openRun(ev.target.value); });
  setInterval(function () { if (cur.view && cur.view.runState === 'running') { renderHeader(cur.view); renderPhases(cur.view); } }, 1000);
  setInterval(function () { loadRuns(false); }, 5000);
  setInterval(function () { if (cur.view && cur.view.runState === 'running' && ($('pic-before').hidden || $('pic-after').hidden)) refreshPictures(); }, 10000);
  loadRuns(true);
})();
`;
