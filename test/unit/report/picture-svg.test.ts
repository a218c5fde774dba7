import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildHostBoxes, renderPictureSvg } from '../../../src/report/picture-svg.ts';
import type { ClusterPicture, PictureEtcdHost } from '../../../src/observe/types.ts';

const place = (name: string, host: string): PictureEtcdHost => ({ name, host, clientURL: `http://${host}:2379`, peerURL: `http://${host}:2380` });
const member = (id: string, name: string, host: string, isLearner = false) => ({ id, name, peerURLs: [`http://${host}:2380`], clientURLs: [`http://${host}:2379`], isLearner });
const units = (s: string) => ({ 'kube-apiserver': s, 'kube-controller': s, 'kube-scheduler': s, 'kube-proxy': s });

/** Mid-migration: old0 replaced by new0, old1 leads, new1 a learner; the old master runs, the new one does not. */
function picture(): ClusterPicture {
  return {
    takenAt: '2026-01-01T00:00:00.000Z',
    etcdHosts: { old: [place('old0', '10.0.0.31'), place('old1', '10.0.0.32')], new: [place('new0', '10.0.0.21'), place('new1', '10.0.0.22'), place('new2', '10.0.0.23')] },
    etcd: { leaderId: 'b', version: '3.4.23', members: [member('a', 'new0', '10.0.0.21'), member('b', 'old1', '10.0.0.32'), member('c', 'new1', '10.0.0.22', true)] },
    masters: [
      { role: 'old', host: '10.0.0.30', apiserver: 'http://10.0.0.30:8080', answers: true, units: units('active') },
      { role: 'new', host: '10.0.0.20', apiserver: 'http://10.0.0.20:8080', answers: false, units: { ...units('inactive'), 'kube-proxy': 'failed' } },
    ],
    nodes: { apiserver: 'http://10.0.0.30:8080', list: [{ name: 'node-a', ready: 'True' }, { name: 'node-b', ready: 'Unknown' }] },
    dns: { server: '10.254.0.3', name: 'kubernetes.default.svc.domeos.local', answer: ['10.254.0.1'], expected: '10.254.0.1', controllers: ['skydns-v10 (1/1 ready)'] },
    console: { api: 'http://10.0.0.30:8080', etcd: 'http://10.0.0.31:2379', watcher: 'RUNNING (deployment w)' },
  };
}

/** The lines of text drawn inside the box of `address` (its <g> group). */
function boxText(svg: string, address: string): string {
  const start = svg.indexOf(`>${address}</text>`);
  assert.ok(start >= 0, `a box for ${address}`);
  const end = svg.indexOf('</g>', start);
  return svg.slice(start, end).replace(/<[^>]+>/g, ' ');
}

describe('renderPictureSvg', () => {
  test('a self-contained SVG with a title, no script, no external reference, balanced groups', () => {
    const svg = renderPictureSvg(picture(), { title: 'Before' });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 720 \d+"/);
    assert.ok(svg.endsWith('</svg>'));
    assert.match(svg, /<title>Before<\/title>/);
    assert.ok(!/<script|href=|url\(|@import| id="/i.test(svg), 'nothing external, no ids to clash with a second picture');
    assert.equal((svg.match(/<g>/g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
    assert.equal((svg.match(/<text /g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length);
  });

  test('one box per host with what runs there: the leader crowned, the learner marked, units active or not', () => {
    const svg = renderPictureSvg(picture(), { title: 'During' });
    assert.match(boxText(svg, '10.0.0.32'), /♛ old1 LEADER/);
    assert.match(boxText(svg, '10.0.0.22'), /◐ new1 learner/);
    assert.match(boxText(svg, '10.0.0.21'), /● new0 member/);
    assert.match(boxText(svg, '10.0.0.31'), /old0: not a member/);
    assert.match(boxText(svg, '10.0.0.31'), /nothing runs/, 'the old host whose member left is greyed');
    assert.match(boxText(svg, '10.0.0.23'), /new2: not a member/);
    const oldMaster = boxText(svg, '10.0.0.30');
    assert.match(oldMaster, /apiserver answers/);
    for (const u of ['apiserver', 'controller', 'scheduler', 'proxy']) assert.match(oldMaster, new RegExp(`● ${u}`));
    const newMaster = boxText(svg, '10.0.0.20');
    assert.match(newMaster, /○ apiserver/);
    assert.match(newMaster, /✖ proxy failed/);
    assert.match(newMaster, /nothing runs/);
    assert.match(svg, /fill="#cf2e2e">✖ proxy failed/, 'a failure stays red in a greyed box');
    assert.match(svg, /node-a/);
    assert.match(svg, /NotReady \(Unknown\)/);
    assert.match(svg, /NODES — 1\/2 Ready on http:\/\/10\.0\.0\.30:8080/);
    assert.match(svg, /answers 10\.254\.0\.1/);
    assert.match(svg, /skydns-v10 \(1\/1 ready\)/);
    assert.match(svg, /watcher RUNNING/);
    // The leader's box is drawn in the leader's colour, the idle ones dashed.
    assert.match(svg, /stroke="#b7791f" stroke-width="2"/);
    assert.match(svg, /stroke-dasharray="4 3"/);
  });

  test('host rows: old side, new side, and members the inventory does not place', () => {
    const p = picture();
    const rows = buildHostBoxes({ ...p, etcd: { ...p.etcd!, members: [...p.etcd!.members, member('z', 'stray', '10.9.9.9')] } });
    assert.deepEqual(rows.old.map((b) => b.address), ['10.0.0.31', '10.0.0.32', '10.0.0.30']);
    assert.deepEqual(rows.new.map((b) => b.address), ['10.0.0.21', '10.0.0.22', '10.0.0.23', '10.0.0.20']);
    assert.deepEqual(rows.other.map((b) => b.address), ['10.9.9.9']);
  });

  test('a host that is both an etcd host and the master gets one box with both', () => {
    const p = picture();
    const rows = buildHostBoxes({ ...p, masters: [{ ...p.masters[0]!, host: '10.0.0.32' }] });
    const box = rows.old.find((b) => b.address === '10.0.0.32');
    assert.deepEqual(box?.tags, ['etcd', 'master']);
    assert.equal(rows.old.length, 2);
  });

  test('names are escaped: a hostile member, node or title is text, never markup', () => {
    const p = picture();
    const evil = '<script>alert("x")</script>&';
    const svg = renderPictureSvg(
      { ...p, etcd: { ...p.etcd!, members: [member('b', evil, '10.0.0.32')] }, nodes: { list: [{ name: `n"><img src=x onerror=alert(1)>`, ready: 'True' }] } },
      { title: `T <b>"'` },
    );
    assert.ok(!svg.includes('<script'));
    assert.ok(!svg.includes('<img'));
    assert.ok(!svg.includes('<b>'));
    assert.match(svg, /&lt;script&gt;alert\(&quot;x&quot;\)/);
    assert.match(svg, /aria-label="T &lt;b&gt;&quot;&#39;"/);
  });

  test('many nodes collapse into a compact grid of squares, each named in its tooltip', () => {
    const list = Array.from({ length: 1000 }, (_, i) => ({ name: `node-${i}`, ready: i % 100 === 0 ? 'False' : 'True' }));
    const svg = renderPictureSvg({ ...picture(), nodes: { apiserver: 'http://10.0.0.20:8080', list } }, { title: 'After' });
    assert.match(svg, /NODES — 990\/1000 Ready/);
    assert.equal((svg.match(/<rect x="\d+" y="\d+" width="12" height="12"/g) ?? []).length, 1000);
    assert.match(svg, /<title>node-100: NotReady \(False\)<\/title>/);
    assert.ok(!svg.includes('>node-5</text>'), 'no name boxes');
    const height = Number(/viewBox="0 0 720 (\d+)"/.exec(svg)?.[1]);
    assert.ok(height < 1000, `compact: ${height}`);
  });

  test('what could not be read says why; an old picture without the inventory shows its members', () => {
    const svg = renderPictureSvg({ error: 'could not read the cluster: timeout', etcdError: 'no endpoint', masters: [], nodes: { list: [], error: 'no apiserver answers' } }, { title: 'x' });
    assert.match(svg, /✗ could not read the cluster: timeout/);
    assert.match(svg, /etcd unreadable: no endpoint/);
    assert.match(svg, /✗ no apiserver answers/);
    const p = picture();
    const { etcdHosts: _, ...noPlaces } = p;
    const old = renderPictureSvg(noPlaces, { title: 'y' });
    assert.match(old, /ETCD MEMBERS/);
    assert.match(boxText(old, '10.0.0.32'), /♛ old1 LEADER/);
  });
});
