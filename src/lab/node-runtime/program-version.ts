/**
 * The lab's default versions under the names src/lab/k8s-binaries.ts and src/lab/k8s-up.ts import. The stand-ins
 * read their version with src/lab/k8s/common/version.ts, where these constants live.
 */
export { DEFAULT_FLANNEL_VERSION as DEFAULT_LAB_FLANNEL_VERSION, DEFAULT_K8S_VERSION as DEFAULT_LAB_K8S_VERSION } from '../k8s/common/version.ts';
