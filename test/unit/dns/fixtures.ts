// The exact DNS manifests of docs/design/domeos.md §4: openxxs/domeos-k8s-deploy dns.yaml (2016), the runbook's
// skydns-v10.yaml sample (phase 6), and Pekkle-Lin/DOME dns.yaml (the later Deployment variant).
import { parseAllDocuments } from 'yaml';
import type { Deployment, ReplicationController, Service } from '../../../src/kube/objects.ts';

export const DNS_YAML_2016 = `apiVersion: v1
kind: Service
metadata:
  name: skydns-svc
  labels:
    app: skydns-svc
    version: v9
spec:
  selector:
    app: skydns
    version: v9
  type: ClusterIP
  clusterIP: 172.16.40.1
  ports:
    - name: dns
      port: 53
      protocol: UDP
    - name: dns-tcp
      port: 53
      protocol: TCP
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: skydns
  labels:
    app: skydns
    version: v9
spec:
  replicas: 1
  selector:
    app: skydns
    version: v9
  template:
    metadata:
      labels:
        app: skydns
        version: v9
    spec:
      containers:
        - name: skydns
          image: pub.domeos.org/domeos/skydns:1.5
          command:
            - "/skydns"
          args:
            - "--machines=http://0.0.0.1:4012"
            - "--domain=domeos.local"
            - "--addr=0.0.0.0:53"
            - "--nameservers=8.8.8.8:53"
          ports:
            - containerPort: 53
              name: dns-udp
              protocol: UDP
            - containerPort: 53
              name: dns-tcp
              protocol: TCP
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: kube2sky
  labels:
    app: kube2sky
    version: v9
spec:
  replicas: 1
  selector:
    app: kube2sky
    version: v9
  template:
    metadata:
      labels:
        app: kube2sky
        version: v9
    spec:
      containers:
        - name: kube2sky
          image: pub.domeos.org/domeos/kube2sky:0.4
          command:
            - "/kube2sky"
          args:
            - "--etcd-server=http://0.0.0.1:4012"
            - "--domain=domeos.local"
            - "--kube_master_url=http://0.0.0.1:8080"
`;

export const RUNBOOK_SKYDNS_V10 = `apiVersion: v1
kind: ReplicationController
metadata:
  name: skydns-v10
  labels:
    app: skydns
    version: v10
spec:
  replicas: 1
  selector:
    app: skydns
    version: v10
  template:
    metadata:
      labels:
        app: skydns
        version: v10
    spec:
      containers:
        - name: skydns
          image: pub.domeos.org/domeos/skydns:1.5
          command:
            - "/skydns"
          args:
            - "--machines=http://192.168.56.104:4012,http://192.168.56.105:4012,http://192.168.56.106:4012"
            - "--domain=domeos.local"
            - "--addr=0.0.0.0:53"
            - "--nameservers=10.2.166.105:53,10.1.34.101:53"
          ports:
            - containerPort: 53
              name: dns-udp
              protocol: UDP
            - containerPort: 53
              name: dns-tcp
              protocol: TCP
`;

export const DNS_YAML_DEPLOYMENT = `apiVersion: v1
kind: Service
metadata:
  name: skydns-svc
  labels:
    app: skydns-svc
spec:
  selector:
    app: skydns
  type: ClusterIP
  clusterIP: 172.16.40.1
  ports:
    - name: dns
      port: 53
      protocol: UDP
    - name: dns-tcp
      port: 53
      protocol: TCP
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: skydns
  labels:
    app: skydns
    version: v9
spec:
  replicas: 1
  selector:
    matchLabels:
      app: skydns
      version: v9
  template:
    metadata:
      labels:
        app: skydns
        version: v9
    spec:
      containers:
        - name: skydns
          image: pub.domeos.org/domeos/skydns:1.5
          command:
            - "/skydns"
          args:
            - "--machines=http://0.0.0.1:4012,http://0.0.0.2:4012,http://0.0.0.3:4012"
            - "--domain=domeos.local"
            - "--addr=0.0.0.0:53"
            - "--nameservers=8.8.8.8:53"
            - "--path-prefix=prefix/skydns"
          ports:
            - containerPort: 53
              name: dns-udp
              protocol: UDP
            - containerPort: 53
              name: dns-tcp
              protocol: TCP
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: kube2sky
  labels:
    app: kube2sky
    version: v9
spec:
  replicas: 1
  selector:
    matchLabels:
      app: kube2sky
      version: v9
  template:
    metadata:
      labels:
        app: kube2sky
        version: v9
    spec:
      containers:
        - name: kube2sky
          image: pub.domeos.org/domeos/kube2sky:0.8
          command:
            - "/kube2sky"
          args:
            - "--etcd_servers=http://0.0.0.1:4012,http://0.0.0.2:4012,http://0.0.0.3:4012"
            - "--domain=domeos.local"
            - "--kube_master_url=http://0.0.0.1:8080"
            - "--etcd_prefix=prefix/skydns"
`;

function docs(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

/** Fresh objects on every call, so a test can compare against an untouched parse. */
export function load2016(): { service: Service; skydns: ReplicationController; kube2sky: ReplicationController } {
  const [service, skydns, kube2sky] = docs(DNS_YAML_2016);
  return { service: service as Service, skydns: skydns as ReplicationController, kube2sky: kube2sky as ReplicationController };
}

export function loadRunbookSample(): ReplicationController {
  return docs(RUNBOOK_SKYDNS_V10)[0] as ReplicationController;
}

export function loadDeploymentVariant(): { service: Service; skydns: Deployment; kube2sky: Deployment } {
  const [service, skydns, kube2sky] = docs(DNS_YAML_DEPLOYMENT);
  return { service: service as Service, skydns: skydns as Deployment, kube2sky: kube2sky as Deployment };
}

/** The runbook's example environment: new etcd 10.17.33.21-23:4012, new master 10.17.33.20:8080. */
export const RUNBOOK_TARGETS = {
  etcd: ['10.17.33.21:4012', '10.17.33.22:4012', '10.17.33.23:4012'],
  master: '10.17.33.20:8080',
} as const;
export const NEW_MACHINES = 'http://10.17.33.21:4012,http://10.17.33.22:4012,http://10.17.33.23:4012';
