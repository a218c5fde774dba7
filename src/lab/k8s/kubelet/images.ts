/**
 * The lab's image catalogue (pure): what "running" a container of an image means on a lab node. Some images are
 * programs the lab can run (kube2sky and skydns, the cluster DNS of docs/design/domeos.md §4): their containers run that
 * program in the node runtime with the container's command and arguments. Images the lab's other pods use just
 * "run" (nothing is executed; the container is running as far as anyone can tell). Any other image cannot be
 * pulled: its container waits with ErrImagePull / ImagePullBackOff and never runs — which is how a test makes a
 * pod that never becomes Ready (e.g. tag `does-not-exist`).
 */

export const ContainerProgram = { kube2sky: 'kube2sky', skydns: 'skydns' } as const;
export type ContainerProgram = (typeof ContainerProgram)[keyof typeof ContainerProgram];

export type ImageEntry =
  /** Runs `program`; `entrypoint` is the image's ENTRYPOINT, used when the container gives no command. */
  | { readonly kind: 'program'; readonly program: ContainerProgram; readonly entrypoint: readonly string[] }
  /** Runs nothing, is running. */
  | { readonly kind: 'plain' };

/** Exact `repository:tag` of the program images (DomeOS's and the later Deployment's, docs/design/domeos.md §4). */
const PROGRAM_IMAGES: Readonly<Record<string, ImageEntry>> = {
  'pub.domeos.org/domeos/kube2sky:0.4': { kind: 'program', program: 'kube2sky', entrypoint: ['/kube2sky'] },
  'pub.domeos.org/domeos/kube2sky:0.8': { kind: 'program', program: 'kube2sky', entrypoint: ['/kube2sky'] },
  'kube2sky:0.8': { kind: 'program', program: 'kube2sky', entrypoint: ['/kube2sky'] },
  'pub.domeos.org/domeos/skydns:1.5': { kind: 'program', program: 'skydns', entrypoint: ['/skydns'] },
};

/**
 * Repositories whose every tag "runs": the images the lab's own pods and tests use (nginx, busybox, redis in the
 * controller and master-switch tests; the pause image of DomeOS's kubelet flags; DomeOS's event watcher).
 */
const PLAIN_REPOSITORIES: ReadonlySet<string> = new Set([
  'nginx',
  'busybox',
  'redis',
  'pub.domeos.org/kubernetes/pause',
  'gcr.io/google_containers/pause',
  'pub.domeos.org/kube_event_watcher',
  'pub.domeos.org/domeos/kube_event_watcher',
]);

export interface ImageName {
  /** Without docker.io/ and library/: `nginx`, `pub.domeos.org/domeos/skydns`. */
  readonly repository: string;
  /** `latest` when none is given. */
  readonly tag: string;
}

/** Docker's reading of an image reference: a tag after the last `:` that follows the last `/`; digests count as tags. */
export function parseImageName(image: string): ImageName {
  let ref = image.trim();
  let tag = 'latest';
  const at = ref.indexOf('@');
  if (at >= 0) {
    tag = ref.slice(at + 1);
    ref = ref.slice(0, at);
  } else {
    const colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      tag = ref.slice(colon + 1);
      ref = ref.slice(0, colon);
    }
  }
  for (const prefix of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/']) {
    if (ref.startsWith(prefix)) ref = ref.slice(prefix.length);
  }
  if (ref.startsWith('library/')) ref = ref.slice('library/'.length);
  return { repository: ref, tag };
}

/** What the lab does with `image`; undefined when it cannot be pulled. */
export function resolveImage(image: string | undefined): ImageEntry | undefined {
  if (image === undefined || image.trim() === '') return undefined;
  const { repository, tag } = parseImageName(image);
  const program = PROGRAM_IMAGES[`${repository}:${tag}`];
  if (program !== undefined) return program;
  return PLAIN_REPOSITORIES.has(repository) ? { kind: 'plain' } : undefined;
}

/**
 * True when some container of the pod is more than "just running": a program to run, or an image that cannot be
 * pulled. Such pods need the kubelet's container runtime; the others cost nothing beyond their status.
 */
export function needsContainerRuntime(containers: readonly { readonly image?: string }[] | undefined): boolean {
  return (containers ?? []).some((c) => resolveImage(c.image)?.kind !== 'plain');
}

/** The container's argv as docker builds it: command (or the image's entrypoint), then args. */
export function buildContainerArgv(entry: ImageEntry & { readonly kind: 'program' }, command: readonly string[] | undefined, args: readonly string[] | undefined): string[] {
  const head = command !== undefined && command.length > 0 ? command : entry.entrypoint;
  return [...head, ...(args ?? [])];
}
