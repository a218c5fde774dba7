import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildContainerArgv, needsContainerRuntime, parseImageName, resolveImage } from '../../../src/lab/k8s/kubelet/images.ts';

describe('image catalogue', () => {
  test('the DNS images are programs with their entrypoints', () => {
    assert.deepEqual(resolveImage('pub.domeos.org/domeos/kube2sky:0.4'), { kind: 'program', program: 'kube2sky', entrypoint: ['/kube2sky'] });
    assert.equal(resolveImage('pub.domeos.org/domeos/kube2sky:0.8')?.kind, 'program');
    assert.deepEqual(resolveImage('kube2sky:0.8'), { kind: 'program', program: 'kube2sky', entrypoint: ['/kube2sky'] });
    assert.deepEqual(resolveImage('docker.io/library/kube2sky:0.8'), resolveImage('kube2sky:0.8'));
    assert.deepEqual(resolveImage('pub.domeos.org/domeos/skydns:1.5'), { kind: 'program', program: 'skydns', entrypoint: ['/skydns'] });
  });

  test('images the lab`s other pods use just run, whatever the tag', () => {
    for (const image of ['nginx', 'nginx:1.11', 'docker.io/library/nginx:latest', 'busybox', 'redis', 'pub.domeos.org/kubernetes/pause:latest', 'pub.domeos.org/kube_event_watcher:v0.1.0']) {
      assert.deepEqual(resolveImage(image), { kind: 'plain' }, image);
    }
  });

  test('anything else cannot be pulled: an unknown tag of a program image, an unknown repository, no image', () => {
    assert.equal(resolveImage('pub.domeos.org/domeos/skydns:does-not-exist'), undefined);
    assert.equal(resolveImage('pub.domeos.org/domeos/skydns'), undefined);
    assert.equal(resolveImage('example.com/app:1'), undefined);
    assert.equal(resolveImage(''), undefined);
    assert.equal(resolveImage(undefined), undefined);
  });

  test('image names: registry ports are not tags; digests count as tags', () => {
    assert.deepEqual(parseImageName('localhost:5000/app'), { repository: 'localhost:5000/app', tag: 'latest' });
    assert.deepEqual(parseImageName('localhost:5000/app:2'), { repository: 'localhost:5000/app', tag: '2' });
    assert.deepEqual(parseImageName('nginx@sha256:abc'), { repository: 'nginx', tag: 'sha256:abc' });
  });

  test('only pods with a program or an unpullable image need the container runtime', () => {
    assert.equal(needsContainerRuntime([{ image: 'nginx' }, { image: 'redis:3' }]), false);
    assert.equal(needsContainerRuntime(undefined), false);
    assert.equal(needsContainerRuntime([{ image: 'nginx' }, { image: 'pub.domeos.org/domeos/skydns:1.5' }]), true);
    assert.equal(needsContainerRuntime([{ image: 'pub.domeos.org/domeos/skydns:does-not-exist' }]), true);
  });

  test('argv: command (or the entrypoint) then args', () => {
    const entry = { kind: 'program', program: 'skydns', entrypoint: ['/skydns'] } as const;
    assert.deepEqual(buildContainerArgv(entry, ['/skydns'], ['--addr=0.0.0.0:53']), ['/skydns', '--addr=0.0.0.0:53']);
    assert.deepEqual(buildContainerArgv(entry, undefined, ['--domain=x']), ['/skydns', '--domain=x']);
    assert.deepEqual(buildContainerArgv(entry, [], undefined), ['/skydns']);
  });
});
