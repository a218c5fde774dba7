/** One named check of a health gate and what it found: the unit every gate (etcd, master, DNS, console) reports in. */
export interface GateCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}
