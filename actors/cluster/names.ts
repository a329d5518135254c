/** Names of everything Loket keeps in NATS, under one namespace (`LOKET_NATS_NAMESPACE`). */
export const clusterNames = (ns: string) => ({
  /** JetStream stream of accepted events. */
  stream: `${ns}_events`,
  /** Subject prefix of events: `<events>.<partition>`. */
  events: `${ns}.events`,
  eventsOf: (partition: number) => `${ns}.events.${partition}`,
  /**
   * Durable consumer of one partition under one lease: each new owner makes its own (named by its
   * fencing token) after deleting its predecessors'. A deposed owner's client never pulls from its
   * successor's consumer: pull requests go by name, and a recreated consumer of the same name would
   * serve them.
   */
  consumerOf: (partition: number, token: number) => `${ns}_p${partition}_t${token}`,
  /** The fencing token in a partition's consumer name; 0 for the name used before tokens were in it (`<ns>_p<partition>`). */
  consumerToken: (name: string, partition: number): number | undefined => {
    const legacy = `${ns}_p${partition}`
    if (name === legacy) return 0
    const token = name.startsWith(`${legacy}_t`) ? name.slice(legacy.length + 2) : ""
    return /^\d+$/.test(token) ? Number(token) : undefined
  },
  /** Agents' commands and the dispatcher's results for a partition's conversations, to its owner. */
  commandsOf: (partition: number) => `${ns}.cmd.${partition}`,
  /** Domain events for every instance's SSE stream. */
  domainEvents: `${ns}.domain`,
  /** Rings the outbox dispatcher (on the leader) when a send was accepted anywhere. */
  outboxBell: `${ns}.outbox.wake`,
  /** Tells every instance that the settings reached a new version (`{"version":n}`). */
  settingsChanged: `${ns}.settings.changed`,
  /** Token ids revoked on any instance, so every instance ends the SSE streams opened with them. */
  tokensRevoked: `${ns}.tokens.revoked`
})

export type ClusterNames = ReturnType<typeof clusterNames>
