/** Help texts: every command says what it does, its options, and an example. */
export const HELP: Record<string, string> = {
  ferry: `ferry — move a running Kubernetes control plane (master + etcd) onto new machines, member by member.

Usage: ferry <command> [options]

Commands:
  validate   check an inventory file and report every problem at once
  plan       read the live cluster and print the ordered plan (touches nothing)
  apply      run a plan (asks before the first change unless --yes)
  resume     continue a run that was stopped or killed
  rollback   walk a run back: move etcd back to the old members, the same careful way
  status     show where a run stands
  lab        the runbook's example environment on this machine (up, down, status)
  node       repoint this node at the new master / etcd (update-config), rolling back on failure
  demo       lab up + the whole runbook + a before/after report

Global options:
  -h, --help       help for a command
  -o, --output     text | json | yaml (where a command prints data)
  --no-color       no ANSI colour (also: NO_COLOR=1; colour is only used on a terminal)
  --version        print ferry's version

Environment:
  FERRY_HOME       where runs and the lab live (default ~/.ferry)

Exit codes:
  0 done · 1 failed and rolled back · 2 bad input or preflight refused (nothing changed)
  3 failed and rollback failed: a person is needed · 130 interrupted (ferry resume continues)

Example:
  ferry lab up && ferry plan -f examples/lab-seed.yaml && ferry apply -f examples/lab-seed.yaml --yes
`,
  validate: `ferry validate -f INVENTORY [-o text|json]

Check an inventory: every problem is reported at once, with its path (etcd.new[1].peerURL) and a hint.
Exit code 2 when there is an error; warnings alone exit 0.

Example:
  ferry validate -f examples/seed.yaml
`,
  plan: `ferry plan -f INVENTORY [-o text|json|yaml] [--out FILE]

Read the live etcd cluster and print the ordered plan, in the runbook's phases: each step with what it does,
what it checks and what undoes it. Touches nothing. With -o json the plan is versioned data that
\`ferry apply PLAN.json\` runs (refusing it if the cluster changed since).

Example:
  ferry plan -f examples/lab-seed.yaml
  ferry plan -f examples/lab-seed.yaml -o json --out plan.json
`,
  apply: `ferry apply (-f INVENTORY | PLAN.json) [--yes] [--scope etcd]

Run the plan: for each step precheck → apply → verify (health gate) → rollback when the gate fails.
The journal (\`$FERRY_HOME/runs/<run>/journal.jsonl\`) is written before and after every effect, so a run
killed at any instant can be resumed. Without --yes, ferry shows the plan and asks before the first change.

Options:
  -f, --file       the inventory
  --yes            do not ask
  --scope          which parts to run (only etcd exists so far)

Example:
  ferry apply -f examples/lab-seed.yaml --yes
`,
  resume: `ferry resume [--run RUN] [--yes]

Continue a run that was interrupted, killed (even with kill -9) or stopped by a failure, from where its
journal says it stood. Steps already done are not redone; a step that was in flight is re-entered and adopts
what it finds (a member already added, a service already started). The newest run by default.

Example:
  ferry resume --yes
`,
  rollback: `ferry rollback [--run RUN] [--yes]

Walk a run back: etcd moves from the new members back to the old ones. This is planned from the live cluster
by the same planner, so it works whatever state the run stopped in (done, half-way, interrupted inside a
step), with the same learner-first steps, quorum guard, health gates and journal (a new run, in its own
folder). The old members come back with fresh data dirs: the ones the run archived stay archived.
Holds the original run's lock, so it cannot run alongside \`ferry resume\` of the same run.

Example:
  ferry rollback --yes
`,
  status: `ferry status [--run RUN] [--all] [-o text|json]

Show where a run stands: each step's state and duration, the step in flight, the last error.
--all lists every run.

Example:
  ferry status
  ferry status --run 20261127-054500-ab12 -o json
`,
  lab: `ferry lab up [-f INVENTORY] [--nodes N] [--no-dns] | ferry lab down [-f INVENTORY] | ferry lab status [-f INVENTORY] [-o json]

The runbook's example environment on this machine: real etcd 3.4 members on loopback addresses (10.17.33.x
becomes 127.17.33.x), each host with its own root folder and services run by a lab supervisor; stand-ins that
speak the real formats and APIs for what cannot run here (kube-apiserver, kube-controller-manager,
kube-scheduler, kubelet, kube-proxy, flanneld, kube2sky, skydns, the DomeOS server).
  up       start the OLD side of the inventory (default examples/lab-seed.yaml): the old etcd members seeded with
           data, the old master on them, the nodes Ready on it, the DNS add-on (skydns-svc 127.16.40.1, kube2sky
           and skydns as pods; try \`dig @127.16.40.1 kubernetes.default.svc.domeos.local\`), and the DomeOS
           server (admin/admin) with the cluster's record and a running watcher; prepare the new hosts (empty).
           --nodes N: N nodes in all (the inventory's, then generated lab-node-<i>); 1000 fit on 2 cores
           --no-dns: without the DNS add-on
  status   show the lab's hosts, services and etcd members
  down     stop every lab process and remove the lab's state

Example:
  ferry lab up && ferry lab status && ferry lab down
`,
  node: `ferry node update-config [--master URL] [--etcd LIST] [--lab-host ADDRESS] [--lab-dir DIR]
                         [--backup-dir DIR] [--timeout SECONDS] [-o text|json|yaml]

Repoint THIS node at a new master and/or etcd cluster (runbook step 5, what update_node_configs.sh did).
Rewrites only these values, keeping every other byte: API_SERVERS (/etc/sysconfig/kubelet), KUBE_MASTER
(/etc/sysconfig/kube-proxy), \`server:\` in /etc/sysconfig/kubelet.config (https master) and FLANNEL_ETCD
(/etc/sysconfig/flanneld). It prints each change (file, key, old → new) and backs up every file it
changes first. Then it restarts flanneld, kubelet and kube-proxy (those whose configuration changed),
checks each is active, and waits until the node is Ready, with a fresh heartbeat, on the master.
On any failure it restores the files byte for byte, restarts the services and prints \`Rollback finished\`.
Running it again is harmless: nothing changes, nothing restarts, Ready is still checked.

Options:
  --master URL        the new kube-apiserver: http://ip:port or https://ip:port
  --etcd LIST         the WHOLE new etcd cluster, comma-separated; entries without a scheme get http://
                      (give --master, --etcd or both)
  --lab-host ADDRESS  change this lab host instead of this machine
  --lab-dir DIR       the lab folder (default $FERRY_HOME/lab; only with --lab-host)
  --backup-dir DIR    backups on the node (default /var/lib/ferry/node-backup; an existing backup is kept)
  --timeout SECONDS   how long to wait for Ready (default 60)

Exit codes: 0 done or already up to date · 1 failed and rolled back · 2 bad input, nothing changed
            3 rollback failed: restore the backups by hand (the error says how) · 130 interrupted before any change

Example:
  sudo ferry node update-config --master http://10.17.33.20:8080 \\
      --etcd 10.17.33.21:4012,10.17.33.22:4012,10.17.33.23:4012
`,
  demo: `ferry demo [--scope etcd|master] [-f INVENTORY] [--keep] [-o text|json]

Bring up the lab, run all nine phases of the runbook on it while a writer puts unique keys into etcd and a
probe watches the apiservers, and report: the cluster before and after side by side (etcd members and leader,
the master, every node, DNS answering, the console's cluster record and watcher), the timeline of phases,
the longest etcd write stall, the apiserver outage window, every file changed on every host with its backup,
and that every acknowledged write and every seeded key (v3 and v2) is on the new members.
--keep leaves the lab up afterwards; -o json prints the report as JSON.
Exit codes: 0 done and nothing lost · 1 something was lost · others as for apply.

Example:
  ferry demo
  ferry demo --keep -o json > report.json
`,
};
