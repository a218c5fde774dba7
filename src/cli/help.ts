/** Help texts: every command says what it does, its options, and an example. */
export const HELP: Record<string, string> = {
  ferry: `ferry — move a running Kubernetes control plane (master + etcd) onto new machines, member by member.

Usage: ferry <command> [options]

Commands:
  discover   build an inventory from the live cluster: you add only the new hosts
  validate   check an inventory file and report every problem at once
  plan       read the live cluster and print the ordered plan (touches nothing)
  apply      run a plan (asks before the first change unless --yes)
  resume     continue a run that was stopped or killed
  rollback   walk a run back: move etcd back to the old members, the same careful way
  status     show where a run stands
  report     write a run's report.html (timeline, etcd latency, before/after, files, commands)
  restore-check  restore a backup into a scratch etcd member and compare it with the live cluster
  lab        the runbook's example environment on this machine (up, down, status)
  node       repoint this node at the new master / etcd (update-config), rolling back on failure
  demo       lab up + the whole runbook + a before/after report
  serve      the dashboard: a live web page of the runs, on 127.0.0.1, behind a token
  completion print a shell completion script: source <(ferry completion bash)   (or zsh)

Common options:
  -h, --help       help for a command
  -o, --output     text | json | yaml, on every command that prints data (people's words then go to stderr)
  --dry-run        apply, rollback, lab down, node update-config: say what would be done, touch nothing
  --no-color       no ANSI colour (also: NO_COLOR=1, TERM=dumb; colour is only used on a terminal)
  --version        print ferry's version

Environment:
  FERRY_HOME       where runs and the lab live (default ~/.ferry)

Exit codes:
  0   done, or nothing to do
  1   a step failed and was rolled back (ferry resume retries it); demo: a write was lost; an unexpected error
  2   bad input, or a precheck refused (unhealthy cluster, quorum guard, stale plan, run locked): nothing changed
  3   a step failed and its rollback failed too: a person is needed (ferry status shows what was done)
  130 interrupted (Ctrl-C, SIGTERM): ferry resume continues

Errors print their code, what happened, where, and what to try; docs/errors.md lists every code.

Example:
  ferry lab up && ferry plan -f examples/lab-seed.yaml && ferry apply -f examples/lab-seed.yaml --yes
`,
  discover: `ferry discover --etcd URL[,URL] --master HOST [--apiserver URL]
               (--lab [--lab-dir DIR] | --ssh-key FILE [--ssh-user USER] [--ssh-port N] [--known-hosts FILE] [--sudo])
               [--console URL --console-cluster NAME [--console-credentials FILE]]
               [--name NAME] [-o yaml|json] [--out FILE [--force]]

Build an inventory from the live cluster, so that you only add the new hosts. Reads (and changes nothing):
  - the etcd members and who leads, through any client URL of the cluster (--etcd); on each member's host its
    etcd unit and /etc/sysconfig/etcd (data dir, service, binary, config file, cluster token; DomeOS's defaults,
    with a warning, when a host cannot be reached);
  - the master (--master, over SSH or in the lab): its units (kube-apiserver, kube-controller, kube-scheduler,
    kube-proxy, flanneld: present, active), its /etc/sysconfig files (--etcd-servers, bind address and port) and
    \`kube-apiserver --version\` under /usr/sbin/domeos/k8s/current;
  - from the apiserver (--apiserver, default: the bind address and port in /etc/sysconfig/kube-apiserver, else
    http://HOST:8080): the nodes (name, InternalIP) and the DNS add-on (service, kube2sky/skydns controllers,
    --domain);
  - with --console and --console-cluster: the DomeOS console's record of the cluster (api, etcd). The login
    comes from --console-credentials FILE (YAML with username and password) or FERRY_DOMEOS_USERNAME /
    FERRY_DOMEOS_PASSWORD (in the lab: the lab's own login), never from the command line.
Writes a ferry/v1 inventory with comments (-o json: the same inventory as JSON) to stdout or --out (an existing
file only with --force). etcd.new and master.new are left for you, marked FILL IN: \`ferry validate\` refuses
the file until they are filled. Cross-checks (--etcd-servers that differ from the live members, a member or
host that did not answer, a unit not active, a node NotReady, ...) are printed as warnings and written at the
top of the file.

Example:
  ferry discover --etcd http://10.17.33.31:4012 --master 10.17.33.30 --ssh-key ~/.ssh/id_ed25519 \\
      --console http://10.17.33.10:8080 --console-cluster domeos-example --out inventory.yaml
  ferry lab up && ferry discover --lab --etcd http://127.17.33.31:4012 --master 127.17.33.30 \\
      --console http://127.17.33.10:8080 --console-cluster domeos-example
`,
  validate: `ferry validate -f INVENTORY [-o text|json|yaml]

Check an inventory: every problem is reported at once, with its path (etcd.new[1].peerURL) and a hint.
Exit code 2 when there is an error; warnings alone exit 0.

Example:
  ferry validate -f examples/seed.yaml
`,
  plan: `ferry plan -f INVENTORY [--scope all|etcd|master] [--allow-voter-add] [-o text|json|yaml] [--out FILE]

Read the live cluster (etcd, the masters, the nodes, the DNS add-on, the console) and print the ordered plan,
in the runbook's phases: each step with what it does, what it checks and what undoes it. Touches nothing.
With -o json the plan is versioned data that \`ferry apply PLAN.json\` runs (refusing it if the cluster
changed since). --scope etcd plans the etcd members only; --scope master the master and the nodes only.
etcd 3.3 has no learners: new members can only join as voters, which ferry plans only with --allow-voter-add
(or etcd.allowVoterAdd: true in the inventory); without it the plan is refused (ETCD_VOTER_ADD_NOT_ALLOWED).

Example:
  ferry plan -f examples/lab-seed.yaml
  ferry plan -f examples/lab-seed.yaml -o json --out plan.json
`,
  apply: `ferry apply (-f INVENTORY | PLAN.json) [--yes] [--scope all|etcd|master] [--allow-voter-add] [--dry-run]
                   [-o text|json|yaml] [--ui [--port N] [--address IP]]

Run the plan: for each step precheck → apply → verify (health gate) → rollback when the gate fails.
The journal (\`$FERRY_HOME/runs/<run>/journal.jsonl\`) is written before and after every effect, so a run
killed at any instant can be resumed. Without --yes, ferry shows the plan and asks before the first change.

Options:
  -f, --file       the inventory
  --yes            do not ask
  --scope          all (default), etcd (the etcd members only) or master (the master and the nodes)
  --allow-voter-add  etcd before 3.4 (no learners): let each new member join as a voter; from its add until
                   it has caught up the cluster tolerates no failure (the plan says so; see \`ferry plan --help\`)
  --dry-run        print the plan it would run and stop: the same as \`ferry plan\`, nothing is touched
  -o, --output     json or yaml: the run's outcome (run, state, exit code, error) as data on stdout; the
                   live view goes to stderr. With --dry-run: the plan as data.
  --ui             also serve the dashboard of this run (as \`ferry serve\`); its URL is printed before the
                   run starts. On a terminal it keeps serving after the run until Ctrl-C; otherwise it stops
                   with the run.
  --port N         the dashboard's port (with --ui; default: a free one)
  --address IP     listen there instead of 127.0.0.1 (with --ui; printed with a warning)

Example:
  ferry apply -f examples/lab-seed.yaml --dry-run
  ferry apply -f examples/lab-seed.yaml --yes
  ferry apply -f examples/lab-seed.yaml --yes --ui
`,
  resume: `ferry resume [--run RUN] [-f INVENTORY] [--yes] [-o text|json|yaml] [--ui [--port N] [--address IP]]

Continue a run that was interrupted, killed (even with kill -9) or stopped by a failure, from where its
journal says it stood. Steps already done are not redone; a step that was in flight is re-entered and adopts
what it finds (a member already added, a service already started). The newest run by default.
-f checks that INVENTORY is the one the run was planned from (the run keeps its own copy).
-o json|yaml prints the outcome as data on stdout, the live view on stderr.
--ui [--port N] [--address IP] also serves the run's dashboard, as for \`ferry apply --ui\`.

Example:
  ferry resume --yes
  ferry resume --yes --ui --port 8080
`,
  rollback: `ferry rollback [--run RUN] [--yes] [--dry-run] [--allow-voter-add] [-o text|json|yaml]

Walk a run back: etcd moves from the new members back to the old ones. This is planned from the live cluster
by the same planner, so it works whatever state the run stopped in (done, half-way, interrupted inside a
step), with the same learner-first steps, quorum guard, health gates and journal (a new run, in its own
folder). The old members come back with fresh data dirs: the ones the run archived stay archived.
Holds the original run's lock, so it cannot run alongside \`ferry resume\` of the same run.
--dry-run prints the walk-back plan and stops (no lock taken, nothing touched; -o json|yaml: the plan as data).
--allow-voter-add: on etcd before 3.4, let the old members join back as voters (a run applied with the flag
keeps it, in its inventory.json).
-o json|yaml prints the outcome as data on stdout, the live view on stderr.

Example:
  ferry rollback --dry-run
  ferry rollback --yes
`,
  status: `ferry status [--run RUN] [--all] [-o text|json|yaml]

Show where a run stands: each step's state and duration, the step in flight, the last error.
--all lists every run.

Example:
  ferry status
  ferry status --run 20261127-054500-ab12 -o json
`,
  report: `ferry report [RUN] [-o html|json|yaml] [--out FILE]

Make a run's report (default: the newest run) from its folder: a self-contained HTML page to attach to a change
ticket — the timeline of phases, etcd write latency across the run, the cluster before and after, every file
changed with its backup, every command run on every host, errors and rollbacks, and the plan's steps. Every run
(apply, resume, rollback, demo) writes it at its end; this command makes it again.
With html (the default) it writes <run folder>/report.html (or FILE) and prints its path; json and yaml print
the report's data (or write it to FILE).

Options:
  RUN              the run id (also --run RUN)
  -o, --output     html (default), json or yaml
  --out FILE       write here instead

Example:
  ferry report
  ferry report 20261127-054500-ab12 --out /tmp/change-4711.html
  ferry report -o json | jq .latency.summary
`,
  lab: `ferry lab up [-f INVENTORY] [--lab-dir DIR] [--nodes N] [--no-dns] [--etcd 3.4|3.3|DIR] [-o text|json|yaml]
       ferry lab down [-f INVENTORY] [--lab-dir DIR] [--dry-run] [-o text|json|yaml]
       ferry lab status [-f INVENTORY] [--lab-dir DIR] [-o text|json|yaml]
       ferry lab etcd [--etcd 3.4|3.3|DIR] [-o text|json|yaml]

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
           --etcd 3.4: this machine's etcd (Debian's, the default); 3.3: Debian bullseye's 3.3.25, fetched once
           with apt-get download into ~/.cache/ferry (FERRY_CACHE); DIR: a folder holding etcd and etcdctl. The
           version is read from the binary (\`ferry lab status\` shows it)
  status   show the lab's hosts, services and etcd members
  down     stop every lab process and remove the lab's state
           --dry-run: list the processes it would stop and the folders it would remove, and stop there
  etcd     the etcd \`up --etcd\` would run: its version and binaries (fetches etcd 3.3 into the cache if need be)
--lab-dir DIR: the lab folder (default: the inventory's access.labDir, else $FERRY_HOME/lab)

Example:
  ferry lab up && ferry lab status && ferry lab down
`,
  node: `ferry node update-config [--master URL] [--etcd LIST] [--lab-host ADDRESS] [--lab-dir DIR]
                         [--backup-dir DIR] [--timeout SECONDS] [--dry-run] [-o text|json|yaml]

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
  --dry-run           read the files, print each change it would make (file, key, old → new), the backups it
                      would write and the services it would restart; change nothing, restart nothing

Exit codes: 0 done or already up to date · 1 failed and rolled back · 2 bad input, nothing changed
            3 rollback failed: restore the backups by hand (the error says how) · 130 interrupted before any change

Example:
  sudo ferry node update-config --master http://10.17.33.20:8080 \\
      --etcd 10.17.33.21:4012,10.17.33.22:4012,10.17.33.23:4012
`,
  demo: `ferry demo [--scope all|etcd|master] [-f INVENTORY] [--keep] [--etcd 3.4|3.3|DIR] [--allow-voter-add]
             [-o text|json|yaml]

Bring up the lab, run all nine phases of the runbook on it while a writer puts unique keys into etcd and a
probe watches the apiservers, and report: the cluster before and after side by side (etcd members and leader,
the master, every node, DNS answering, the console's cluster record and watcher), the timeline of phases,
the longest etcd write stall, the apiserver outage window, every file changed on every host with its backup,
and that every acknowledged write and every seeded key (v3 and v2) is on the new members.
--keep leaves the lab up afterwards; -o json (or yaml) prints the report as data, the progress on stderr.
--etcd runs the lab on another etcd (as \`ferry lab up --etcd\`); etcd 3.3 needs --allow-voter-add
(\`ferry demo --scope etcd --etcd 3.3 --allow-voter-add\`).
Exit codes: 0 done and nothing lost · 1 something was lost · others as for apply.

Example:
  ferry demo
  ferry demo --keep -o json > report.json
`,
  'restore-check': `ferry restore-check [SNAPSHOT.db [--v2-dump DUMP.json]] [--run RUN] [-f INVENTORY] [--bin-dir DIR]
                    [-o text|json|yaml]

Is a backup good enough to bring the cluster back? The v3 snapshot is checked as a file (etcd's sha256 trailer,
\`etcdctl snapshot status\`) and restored into a scratch etcd member on this machine (127.0.0.1, free ports, removed
afterwards); every key and value it holds is compared with the live cluster read at the snapshot's own revision.
The v2 dump is written into the same member and read back (keys, values, dirs, TTLs), and compared with the live
v2 store while that is still at the dump's index. A backup without a v2 dump, of a cluster whose v2 store holds
keys, is not verified. Without SNAPSHOT: the snapshot and v2 dump of a run (--run RUN, default the newest), with
the sha256 its journal recorded, compared with the run's cluster. -f names the live cluster instead.

Options:
  SNAPSHOT.db      a v3 snapshot (a run's snapshots/etcd-before-*.db, or \`etcdctl snapshot save\`'s)
  --v2-dump FILE   the v2 dump beside it (a run's snapshots/etcd-v2-before-*.json)
  --run RUN        the run whose backup to check (default: the newest)
  -f, --file       the inventory of the live cluster to compare with
  --bin-dir DIR    where the etcd and etcdctl that restore and run the scratch member are (default /usr/bin)

Exit codes: 0 verified · 1 not verified (each check marked ✗ says why) · 2 bad input

Example:
  ferry restore-check
  ferry restore-check ~/.ferry/runs/20261207-211401-0c01/snapshots/etcd-before-1.db -f inventory.yaml
`,
  serve: `ferry serve [--run RUN] [--port N] [--address IP]

Serve the dashboard: a live web page of every run in $FERRY_HOME/runs, opening RUN (default: the newest).
For each run: the nine phases and their steps with states and durations, the etcd members old and new (leader,
learners and their catch-up), the masters and which services run, the nodes as a grid of squares coloured by
state, the event log, and on failure what failed, why and what was rolled back; the cluster before and after
as pictures. It is fed live from the run's journal (the same events as the terminal view), so it follows a run
in progress and replays a finished or stopped one. The page is self-contained: no network beyond this machine.
It listens on 127.0.0.1 only, and every request needs the token in the URL it prints (the page then keeps it in
a cookie); without it: 401. Runs until Ctrl-C or SIGTERM.

Options:
  --run RUN        the run to open first (the page can switch to any other)
  --port N         the port (default: a free one, in the URL printed)
  --address IP     listen there instead of 127.0.0.1 (printed with a warning: anyone who can reach it and has
                   the URL can watch the runs)

Example:
  ferry serve
  ferry serve --run 20261127-054500-ab12 --port 8080
  ssh -L 8080:127.0.0.1:8080 HOST      # from a laptop, to the host running \`ferry serve --port 8080\`;
                                       # then open the printed URL on the laptop
`,
  completion: `ferry completion bash|zsh

Print a shell completion script for ferry's commands, subcommands and flags: the values of -o and --scope,
files for -f, folders for --lab-dir, run ids (from $FERRY_HOME/runs) for --run. Generated from the same table
ferry parses its arguments with.
  bash     load it in this shell: source <(ferry completion bash)
           in every shell: ferry completion bash > /etc/bash_completion.d/ferry  (or the source line in ~/.bashrc)
  zsh      load it in this shell (after compinit): source <(ferry completion zsh)
           in every shell: ferry completion zsh > "\${fpath[1]}/_ferry", then start a new shell

Example:
  source <(ferry completion bash)
`,
};
