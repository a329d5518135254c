/** Names of everything Loket keeps in NATS, under one namespace (`LOKET_NATS_NAMESPACE`). */
export const clusterNames = (ns: string) => ({
  /** JetStream stream of accepted events. */
  stream: `${ns}_events`,
  /** Subject prefix of events: `<events>.<partition>`. */
  events: `${ns}.events`,
  eventsOf: (partition: number) => `${ns}.events.${partition}`,
  /** Durable consumer of one partition, recreated by each new owner. */
  consumerOf: (partition: number) => `${ns}_p${partition}`,
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
