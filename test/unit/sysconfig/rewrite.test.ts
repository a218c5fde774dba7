import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../src/errors.ts';
import { readSysconfigValue, rewriteSysconfigValue } from '../../../src/sysconfig/rewrite.ts';
import { FLANNELD, KUBE_PROXY, KUBELET } from '../../helpers/domeos-node-files.ts';

const code = (c: string) => (err: unknown) => err instanceof FerryError && err.code === c;

describe('readSysconfigValue', () => {
  test('reads the DomeOS files (single and double quotes)', () => {
    assert.deepEqual(readSysconfigValue(KUBELET, 'API_SERVERS'), { value: '--api-servers=http://10.17.33.30:8080', quote: "'" });
    assert.deepEqual(readSysconfigValue(KUBELET, 'KUBELET_OPTS'), { value: '--max-pods=70 --pod-infra-container-image=pub.domeos.org/kubernetes/pause:latest', quote: "'" });
    assert.deepEqual(readSysconfigValue(FLANNELD, 'FLANNEL_ETCD'), { value: 'http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012', quote: '"' });
    assert.deepEqual(readSysconfigValue(FLANNELD, 'FLANNEL_OPTIONS'), { value: '', quote: '"' });
    assert.equal(readSysconfigValue(KUBELET, 'MISSING'), undefined);
  });

  test('the last assignment wins, as when the file is sourced', () => {
    assert.deepEqual(readSysconfigValue("A='1'\nB=x\nA=\"2\"\n", 'A'), { value: '2', quote: '"' });
  });

  test('unquoted, export, escapes, glued parts, inline comments, CRLF', () => {
    const text = 'export A=plain\r\nB=x\\ y # note\nC="a\\"b\\\\c\\$d\\e"\r\nD=\'it\'"\'"\'s\'\n  E=\'v\'#notacomment\n';
    assert.deepEqual(readSysconfigValue(text, 'A'), { value: 'plain', quote: '' });
    assert.deepEqual(readSysconfigValue(text, 'B'), { value: 'x y', quote: '' });
    assert.deepEqual(readSysconfigValue(text, 'C'), { value: 'a"b\\c$d\\e', quote: '"' });
    assert.deepEqual(readSysconfigValue(text, 'D'), { value: "it's", quote: "'" });
    assert.deepEqual(readSysconfigValue(text, 'E'), { value: 'v#notacomment', quote: "'" });
  });

  test('comments and other keys that merely mention the key are ignored', () => {
    assert.deepEqual(readSysconfigValue("# A='old'\nA_B='x'\nB=\"A=1\"\nA='new'\n", 'A'), { value: 'new', quote: "'" });
  });

  test('refuses what only a shell could evaluate, for that key only', () => {
    const text = 'A="$HOME/x"\nB=`date`\nC=a b\nD+=x\nE=ok\n';
    for (const k of ['A', 'B', 'C', 'D']) assert.throws(() => readSysconfigValue(text, k), code('SYSCONFIG_UNSUPPORTED_SYNTAX'), k);
    assert.equal(readSysconfigValue(text, 'E')?.value, 'ok');
    assert.throws(() => readSysconfigValue("A='1'\nunset A\n", 'A'), code('SYSCONFIG_UNSUPPORTED_SYNTAX'));
  });

  test('an unclosed quote makes the file unparseable', () => {
    assert.throws(() => readSysconfigValue("A='1\nB=2\n", 'B'), code('SYSCONFIG_UNPARSEABLE'));
  });

  test('a bare `export KEY` is harmless', () => {
    assert.equal(readSysconfigValue("A='1'\nexport A\n", 'A')?.value, '1');
  });
});

describe('rewriteSysconfigValue on the DomeOS files', () => {
  test('kubelet: only the URL bytes change; single quotes stay', () => {
    const r = rewriteSysconfigValue(KUBELET, 'API_SERVERS', '--api-servers=http://10.17.33.20:8080');
    assert.equal(r.text, KUBELET.replace("'--api-servers=http://10.17.33.30:8080'", "'--api-servers=http://10.17.33.20:8080'"));
    assert.deepEqual([r.changed, r.occurrences], [true, 1]);
  });

  test('kube-proxy', () => {
    const r = rewriteSysconfigValue(KUBE_PROXY, 'KUBE_MASTER', '--master=http://10.17.33.20:8080');
    assert.equal(r.text, KUBE_PROXY.replace('--master=http://10.17.33.30:8080', '--master=http://10.17.33.20:8080'));
  });

  test('flanneld: double quotes stay', () => {
    const list = 'http://10.17.33.21:4012,http://10.17.33.22:4012,http://10.17.33.23:4012';
    const r = rewriteSysconfigValue(FLANNELD, 'FLANNEL_ETCD', list);
    assert.equal(r.text, FLANNELD.replace(/^FLANNEL_ETCD=".*"$/m, `FLANNEL_ETCD="${list}"`));
  });

  test('the same value again: changed=false and identical bytes', () => {
    const r = rewriteSysconfigValue(KUBELET, 'API_SERVERS', '--api-servers=http://10.17.33.30:8080');
    assert.deepEqual([r.text, r.changed, r.occurrences, r.edits.length], [KUBELET, false, 1, 0]);
  });
});

describe('rewriteSysconfigValue: the shapes a hand-edited file takes', () => {
  test('CRLF and mixed line endings are kept per line', () => {
    const text = "# c\r\nA='1'\r\nB='2'\nC=\"3\"   \r\n\r\n";
    assert.equal(rewriteSysconfigValue(text, 'A', 'x').text, "# c\r\nA='x'\r\nB='2'\nC=\"3\"   \r\n\r\n");
    assert.equal(rewriteSysconfigValue(text, 'C', 'y').text, "# c\r\nA='1'\r\nB='2'\nC=\"y\"   \r\n\r\n");
  });

  test('repeated keys: every assignment is rewritten', () => {
    const text = "A='old1'\nB=1\nA='old2' # appended by the 2017 script\n";
    const r = rewriteSysconfigValue(text, 'A', 'new');
    assert.equal(r.text, "A='new'\nB=1\nA='new' # appended by the 2017 script\n");
    assert.equal(r.occurrences, 2);
  });

  test('repeated keys where one already holds the value: only the other changes', () => {
    const r = rewriteSysconfigValue("A='new'\nA='old'\n", 'A', 'new');
    assert.equal(r.text, "A='new'\nA='new'\n");
    assert.equal(r.edits.length, 1);
  });

  test('export prefix, indentation and inline comments are kept', () => {
    const text = "  export A='1'  # why\nB=2\n";
    assert.equal(rewriteSysconfigValue(text, 'A', 'v').text, "  export A='v'  # why\nB=2\n");
  });

  test('unquoted stays unquoted when it can; gets quotes when it must', () => {
    assert.equal(rewriteSysconfigValue('A=1\n', 'A', 'http://x:1,y').text, 'A=http://x:1,y\n');
    assert.equal(rewriteSysconfigValue('A=1\n', 'A', 'a b').text, "A='a b'\n");
    assert.equal(rewriteSysconfigValue('A=1\n', 'A', 'a b', { quote: '"' }).text, 'A="a b"\n');
    assert.equal(rewriteSysconfigValue('A=\n', 'A', '').changed, false);
  });

  test("double quotes escape \" \\ $ `; single quotes that cannot hold ' switch to double", () => {
    assert.equal(rewriteSysconfigValue('A="x"\n', 'A', 'a"b\\c$d`e').text, 'A="a\\"b\\\\c\\$d\\`e"\n');
    assert.equal(rewriteSysconfigValue("A='x'\n", 'A', "it's").text, 'A="it\'s"\n');
    assert.equal(rewriteSysconfigValue("A='x'\n", 'A', '$HOME "q"').text, "A='$HOME \"q\"'\n");
  });

  test('missing key: appended with the file line ending, a final newline added only if needed', () => {
    assert.equal(rewriteSysconfigValue("A='1'\n", 'B', 'v').text, "A='1'\nB='v'\n");
    assert.equal(rewriteSysconfigValue("A='1'\r\n", 'B', 'v').text, "A='1'\r\nB='v'\r\n");
    assert.equal(rewriteSysconfigValue("A='1'", 'B', 'v').text, "A='1'\nB='v'\n");
    assert.equal(rewriteSysconfigValue("A='1'\r\n# last", 'B', 'v').text, "A='1'\r\n# last\r\nB='v'\r\n");
    assert.equal(rewriteSysconfigValue('', 'B', 'v', { quote: '"' }).text, 'B="v"\n');
    const r = rewriteSysconfigValue("A='1'\n", 'B', 'v');
    assert.deepEqual([r.changed, r.occurrences], [true, 0]);
  });

  test('a commented-out assignment is not an assignment', () => {
    assert.equal(rewriteSysconfigValue("#A='1'\n", 'A', '2').text, "#A='1'\nA='2'\n");
  });

  test('a value that cannot be written on one line is refused', () => {
    for (const v of ['a\nb', 'a\rb', 'a\0b']) assert.throws(() => rewriteSysconfigValue("A='1'\n", 'A', v), code('SYSCONFIG_VALUE_INVALID'));
  });

  test('refuses to rewrite a key it cannot interpret, and says where', () => {
    assert.throws(() => rewriteSysconfigValue('A="$OTHER"\n', 'A', 'x'), (err: unknown) => err instanceof FerryError && err.code === 'SYSCONFIG_UNSUPPORTED_SYNTAX' && err.subjects['line'] === '1');
    assert.throws(() => rewriteSysconfigValue("B=1\nA=x y\n", 'A', 'x'), (err: unknown) => err instanceof FerryError && err.subjects['line'] === '2');
    assert.throws(() => rewriteSysconfigValue('A=x\n', 'bad-key', 'x'), code('SYSCONFIG_KEY_INVALID'));
  });

  test('a multi-line single-quoted value of another key does not hide or fake assignments', () => {
    const text = "B='line1\nA=fake\nline3'\nA='real'\n";
    assert.equal(readSysconfigValue(text, 'A')?.value, 'real');
    assert.equal(rewriteSysconfigValue(text, 'A', 'v').text, "B='line1\nA=fake\nline3'\nA='v'\n");
  });
});
