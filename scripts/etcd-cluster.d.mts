/** A three-member etcd cluster on loopback ports of its own (see etcd-cluster.mjs). */
export interface TestCluster {
  /** `etcd://127.0.0.1:<port>,127.0.0.1:<port>,127.0.0.1:<port>` */
  readonly url: string;
  /** The members' client URLs, `http://127.0.0.1:<port>`. */
  readonly endpoints: readonly string[];
  /** The index of the member that leads now (waits for one to be elected). */
  leader(): Promise<number>;
  /** kill -9 of a member. */
  kill(member: number): Promise<void>;
  /** Starts a killed member again, on its data directory (it rejoins the cluster). */
  start(member: number): Promise<void>;
  /** Whether every running member answers as healthy. */
  healthy(): Promise<boolean>;
  /** Kills every member and removes the directory. */
  stop(): void;
}

export interface ClusterOptions {
  /** Each member's listening address (default 127.0.0.1), e.g. a veth address for a member in a namespace. */
  readonly addresses?: readonly (string | undefined)[];
  /** Each member's network namespace (`ip netns exec`), or none. */
  readonly netns?: readonly (string | undefined)[];
}

/** Starts a three-member cluster (installs etcd with apt-get if missing); resolves once it is healthy and has a leader. */
export function startCluster(options?: ClusterOptions): Promise<TestCluster>;
