/**
 * The part of the dashboard page's script that draws a view (build-view.ts's DashboardView) into the page: the
 * header, the phases and steps, the etcd members, the masters, the node squares and the failure panel. Plain ES2017
 * function declarations, placed by page-script.ts inside its closure (they use its helpers: h, label, badge, …).
 */
export const PAGE_RENDER = String.raw`
  function renderHeader(v) {
    var st = $('run-state');
    st.className = 'badge s-' + v.runState;
    st.setAttribute('data-state', v.runState);
    st.textContent = (v.mode === 'rollback' ? 'walk-back ' : '') + label(v.runState);
    var c = v.counts || {};
    var parts = [(c.done || 0) + '/' + (c.total || 0) + ' steps done'];
    if (c.failed) parts.push(c.failed + ' failed');
    if (c['rolled-back']) parts.push(c['rolled-back'] + ' rolled back');
    if (c['rollback-failed']) parts.push(c['rollback-failed'] + ' rollback failed');
    $('run-counts').textContent = parts.join(' · ');
    var end = v.runState === 'running' ? Date.now() : Date.parse(v.updatedAt || v.startedAt || '');
    $('run-times').textContent = v.startedAt ? 'started ' + fmtTime(v.startedAt) + ' · ' + fmtMs(end - Date.parse(v.startedAt)) : '';
    if (v.foldError) setConn('closed', '✖ ' + v.foldError);
  }

  function progressText(p) {
    if (p.text) return p.text;
    var d = p.data || {};
    if (p.kind === 'catch-up') return 'catch-up ' + d.member + ': ' + d.percent + '% (applied ' + d.applied + ' of leader index ' + d.leaderIndex + ')';
    if (p.kind === 'rollout') return 'nodes: ' + d.done + '/' + d.total + ' done, ' + d.failed + ' failed, ' + d.running + ' running (' + (d.phase === 'canary' ? 'canary' : 'batch ' + d.batch) + ')';
    return p.kind + ': ' + Object.keys(d).map(function (k) { return k + '=' + (typeof d[k] === 'object' ? JSON.stringify(d[k]) : d[k]); }).join(' ');
  }

  function stepSub(s) {
    var failing = s.state === 'failed' || s.state === 'rolling-back' || s.state === 'rolled-back' || s.state === 'rollback-failed';
    if (s.error && failing) return s.error.code + ': ' + s.error.message;
    if (s.state === 'running' || s.state === 'verifying') {
      var parts = [];
      if (s.inFlightAction) parts.push('now: ' + s.inFlightAction);
      else if (s.lastAction) parts.push(s.lastAction.action + ' ' + s.lastAction.status);
      if (s.progress) parts.push(progressText(s.progress));
      if (s.gate && !s.gate.ok) parts.push('gate not passed yet: ' + s.gate.failed.join('; '));
      return parts.join(' · ');
    }
    if (s.state === 'done' && s.attempts > 1) return 'done after ' + s.attempts + ' attempts';
    return '';
  }

  function renderPhases(v) {
    var root = $('phases');
    if (!cur.phaseEls) {
      root.textContent = '';
      cur.phaseEls = {};
      cur.stepEls = {};
      v.phases.forEach(function (p) {
        var box = h('div', 'phase');
        box.setAttribute('data-phase', String(p.id));
        var head = h('div', 'phase-head');
        head.appendChild(h('span', 'num', p.id));
        var title = h('span', 'title', p.title);
        title.title = p.reason;
        head.appendChild(title);
        var dur = h('span', 'dur mono muted');
        var st = h('span', 'badge');
        head.appendChild(dur);
        head.appendChild(st);
        box.appendChild(head);
        var ul = h('ul', 'steps');
        p.steps.forEach(function (s) {
          var li = h('li', 'step');
          li.setAttribute('data-step', s.id);
          var els = { li: li, st: h('span', 'st'), title: h('span', 'title', s.title), dur: h('span', 'dur'), sub: h('div', 'sub'), bar: h('div', 'bar'), fill: h('i') };
          els.title.title = s.id;
          els.bar.appendChild(els.fill);
          els.sub.appendChild(document.createTextNode(''));
          li.appendChild(els.st); li.appendChild(els.title); li.appendChild(els.dur); li.appendChild(els.sub);
          cur.stepEls[s.id] = els;
          ul.appendChild(li);
        });
        box.appendChild(ul);
        root.appendChild(box);
        cur.phaseEls[p.id] = { box: box, st: st, dur: dur };
      });
    }
    var running = v.runState === 'running';
    $('current-step').textContent = v.currentStepId ? (running ? 'now: ' : 'stopped at: ') + v.currentStepId : '';
    v.phases.forEach(function (p) {
      var pe = cur.phaseEls[p.id];
      if (!pe) return;
      pe.box.className = 'phase' + (p.state === 'empty' ? ' empty' : '');
      pe.box.setAttribute('data-state', p.state);
      pe.st.className = 'badge s-' + p.state;
      pe.st.textContent = label(p.state);
      pe.dur.textContent = p.durationMs !== undefined ? fmtMs(p.durationMs) : '';
      p.steps.forEach(function (s) {
        var e = cur.stepEls[s.id];
        if (!e) return;
        e.li.className = 'step' + (v.currentStepId === s.id && running ? ' current' : '');
        e.li.setAttribute('data-state', s.state);
        e.st.className = 'st s-' + s.state;
        e.st.textContent = label(s.state);
        var live = (s.state === 'running' || s.state === 'verifying' || s.state === 'rolling-back') && s.startedAt && running;
        e.dur.textContent = s.durationMs !== undefined ? fmtMs(s.durationMs) : live ? fmtMs(Date.now() - Date.parse(s.startedAt)) : '';
        var text = stepSub(s);
        e.sub.firstChild.textContent = text;
        var pct = s.progress && s.progress.kind === 'catch-up' && (s.state === 'running' || s.state === 'verifying') ? Number(s.progress.data.percent) : null;
        if (pct !== null && !isNaN(pct)) {
          e.fill.style.width = Math.min(100, pct) + '%';
          if (!e.bar.parentNode) e.sub.appendChild(e.bar);
        } else if (e.bar.parentNode) e.sub.removeChild(e.bar);
        e.sub.hidden = !text;
      });
    });
  }

  function memberTile(m) {
    var t = h('div', 'tile' + (m.leader ? ' leader' : '') + (m.status === 'removed' || m.status === 'planned' ? ' gone' : ''));
    t.setAttribute('data-member', m.name);
    t.setAttribute('data-status', m.status);
    t.setAttribute('data-leader', m.leader ? 'true' : 'false');
    var name = h('div', 'name', m.name);
    if (m.leader) name.appendChild(h('span', 'lead', '♛ leader'));
    t.appendChild(name);
    t.appendChild(h('div', 'host', m.host));
    var line = h('div', 'line');
    line.appendChild(badge(m.status, MEMBER_LABEL[m.status]));
    t.appendChild(line);
    if (m.running !== undefined) t.appendChild(h('div', 'line muted', m.running ? '● service running' : '○ service stopped'));
    if (m.catchUp && m.status === 'learner') {
      t.appendChild(h('div', 'line muted', 'catch-up ' + m.catchUp.percent + '% (' + m.catchUp.applied + ' / ' + m.catchUp.leaderIndex + ')'));
      var bar = h('div', 'bar'), fill = h('i');
      fill.style.width = Math.min(100, Number(m.catchUp.percent) || 0) + '%';
      bar.appendChild(fill);
      t.appendChild(bar);
    }
    if (m.busy) t.appendChild(h('div', 'line s-running', '… ' + m.busy));
    if (m.note) t.appendChild(h('div', 'line muted', m.note));
    return t;
  }

  function renderEtcd(v) {
    var root = $('etcd');
    root.textContent = '';
    var members = (v.etcd && v.etcd.members) || [];
    $('etcd-leader').textContent = v.etcd && v.etcd.leader ? '♛ ' + v.etcd.leader + ' leads' : '';
    if (members.length === 0) { note(root, 'no etcd members in this plan'); return; }
    [['old', 'old hosts'], ['new', 'new hosts'], ['other', 'other members']].forEach(function (row) {
      var list = members.filter(function (m) { return m.side === row[0]; });
      if (list.length === 0) return;
      root.appendChild(h('div', 'row-label', row[1]));
      var tiles = h('div', 'tiles');
      tiles.setAttribute('data-side', row[0]);
      list.forEach(function (m) { tiles.appendChild(memberTile(m)); });
      root.appendChild(tiles);
    });
  }

  function renderMaster(v) {
    var root = $('master');
    root.textContent = '';
    if (!v.master) { note(root, 'the master does not move in this run'); return; }
    var tiles = h('div', 'tiles');
    [v.master.old, v.master.new].forEach(function (m) {
      var t = h('div', 'tile');
      t.setAttribute('data-master', m.role);
      var running = Object.keys(m.units).filter(function (u) { return m.units[u] === 'running'; }).length;
      if (running === 0) t.className += ' gone';
      var name = h('div', 'name', m.role + ' master');
      t.appendChild(name);
      t.appendChild(h('div', 'host', m.host + ' · ' + m.apiserver));
      var ul = h('ul', 'units');
      Object.keys(m.units).forEach(function (u) {
        var s = m.units[u];
        var li = h('li', s === 'running' ? 's-running-unit' : 's-' + s, (UNIT_LABEL[s] || s).slice(0, 1) + ' ');
        li.appendChild(h('span', 'u', u));
        li.appendChild(document.createTextNode(' ' + (UNIT_LABEL[s] || s).slice(2)));
        li.setAttribute('data-unit', u);
        li.setAttribute('data-state', s);
        ul.appendChild(li);
      });
      t.appendChild(ul);
      tiles.appendChild(t);
    });
    root.appendChild(tiles);
  }

  function renderNodes(v) {
    var root = $('nodes');
    var nb = v.nodes;
    if (!nb) { root.textContent = ''; cur.nodeEls = null; note(root, 'no nodes are repointed in this run'); $('nodes-summary').textContent = ''; return; }
    if (!cur.nodeEls) {
      root.textContent = '';
      cur.nodeEls = {};
      var grid = h('div', 'grid' + (nb.nodes.length > 200 ? ' many' : ''));
      grid.setAttribute('role', 'list');
      nb.nodes.forEach(function (n) {
        var sq = h('span', 'sq');
        sq.setAttribute('role', 'listitem');
        sq.setAttribute('data-node', n.name);
        cur.nodeEls[n.name] = sq;
        grid.appendChild(sq);
      });
      root.appendChild(grid);
      var legend = h('div', 'legend');
      legend.id = 'nodes-legend';
      root.appendChild(legend);
    }
    nb.nodes.forEach(function (n) {
      var sq = cur.nodeEls[n.name];
      var key = n.state + '|' + (n.detail || '');
      if (!sq || sq.getAttribute('data-key') === key) return;
      sq.setAttribute('data-key', key);
      sq.className = 'sq s-' + n.state;
      sq.setAttribute('data-state', n.state);
      sq.textContent = NODE_GLYPH[n.state] || '';
      var tip = n.name + ' (' + n.host + '): ' + NODE_LABEL[n.state] + (n.detail ? ' — ' + n.detail : '');
      sq.title = tip;
      sq.setAttribute('aria-label', tip);
    });
    var legend = $('nodes-legend');
    legend.textContent = '';
    ['done', 'running', 'pending', 'failed', 'rolled-back'].forEach(function (s) {
      var item = h('span');
      var sq = h('span', 'sq s-' + s, NODE_GLYPH[s]);
      item.appendChild(sq);
      item.appendChild(document.createTextNode(NODE_LABEL[s] + ' ' + (nb.counts[s] || 0)));
      item.setAttribute('data-count', s);
      legend.appendChild(item);
    });
    var r = nb.rollout;
    $('nodes-summary').textContent = nb.counts.done + '/' + nb.nodes.length + ' done' + (r && r.running ? ' · ' + (r.phase === 'canary' ? 'canary' : 'batch ' + r.batch) : '');
  }

  function renderFailure(v) {
    var card = $('failure');
    var f = v.failure;
    if (!f) { card.hidden = true; card.textContent = ''; card.removeAttribute('data-step'); return; }
    card.hidden = false;
    card.textContent = '';
    card.setAttribute('data-step', f.stepId);
    card.setAttribute('data-state', f.state);
    card.appendChild(h('h2', null, (f.state === 'refused' ? '✖ refused: ' : '✖ failed: ') + f.title));
    var dl = h('dl');
    function row(k, node) { dl.appendChild(h('dt', null, k)); var dd = h('dd'); if (typeof node === 'string') dd.textContent = node; else dd.appendChild(node); dl.appendChild(dd); return dd; }
    row('Step', f.stepId + ' — ' + label(f.state));
    if (f.action) row('Action', f.action).className = 'mono';
    else if (f.afterAction) row('After', f.afterAction + ' (it succeeded: a wait or a health check of the step failed after it)');
    var why = h('span');
    var code = h('code', null, f.error.code);
    code.id = 'failure-code';
    why.appendChild(code);
    why.appendChild(document.createTextNode(' ' + f.error.message));
    row('Why', why);
    if (f.error.hint) row('Hint', f.error.hint);
    var subj = f.error.subjects ? Object.keys(f.error.subjects).map(function (k) { return k + ' ' + f.error.subjects[k]; }).join(', ') : '';
    if (subj) row('Where', subj);
    if (f.failedActions.length > 1 || (f.failedActions.length === 1 && f.failedActions[0].action !== f.action)) {
      var fl = h('ol');
      f.failedActions.forEach(function (a) { fl.appendChild(h('li', null, a.action + ': ' + a.code + ' ' + a.message)); });
      row('Failed', fl);
    }
    var rb = h('div');
    rb.id = 'failure-rollback';
    var verdict = f.state === 'refused' ? 'nothing to roll back: the step had not started, nothing was changed'
      : f.state === 'rolled-back' ? '↺ rolled back: the cluster is as it was before this step'
      : f.state === 'rollback-failed' && f.rollbackError && f.rollbackError.forwardOnly ? '✖ this step cannot be undone: ' + f.rollbackError.code + ' ' + f.rollbackError.message + ' — a person is needed: once the cause is mended, ferry resume finishes it'
      : f.state === 'rollback-failed' ? '✖ the rollback failed' + (f.rollbackError ? ': ' + f.rollbackError.code + ' ' + f.rollbackError.message : '') + ' — a person is needed'
      : f.state === 'rolling-back' ? '↺ rolling back…' : 'not rolled back yet';
    rb.appendChild(h('div', 's-' + (f.state === 'rolled-back' ? 'rolled-back' : f.state === 'rollback-failed' ? 'failed' : 'pending'), verdict));
    if (f.rollback.length > 0) {
      var ol = h('ol');
      f.rollback.forEach(function (a) {
        var glyph = a.status === 'finished' ? '✓ ' : a.status === 'skipped' ? '= ' : a.status === 'failed' ? '✖ ' : '… ';
        var li = h('li', 'mono', glyph + a.action + (a.detail ? '  ' + a.detail : ''));
        li.setAttribute('data-action', a.action);
        li.setAttribute('data-status', a.status);
        ol.appendChild(li);
      });
      rb.appendChild(ol);
    }
    f.rollbackNotes.forEach(function (n) { rb.appendChild(h('div', 'muted', n)); });
    row('Rolled back', rb);
    card.appendChild(dl);
  }
`;
