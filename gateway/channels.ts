/**
 * The channels' outbound sides, built from the configuration: today WhatsApp's Graph API
 * client (sending, read receipts, uploads) and its template source.
 */
import { Layer, Redacted } from "effect"
import { makeGraphSendClient } from "../adapters/whatsapp-cloud/send/graph-client.ts"
import { Senders } from "../actors/outbox/Senders.ts"
import { TemplateSourceRef } from "../actors/templates/Templates.ts"
import type { LoketConfigValue } from "../config/Config.ts"

function whatsappClient(config: LoketConfigValue) {
  const token = config.whatsapp.accessToken
  return token === undefined ? undefined : makeGraphSendClient({ graphApiUrl: config.whatsapp.graphApiUrl, accessToken: Redacted.value(token), timeoutMs: config.whatsapp.sendTimeoutMs })
}

export function channelLayers(config: LoketConfigValue) {
  const client = whatsappClient(config)
  const waba = config.whatsapp.businessAccountId
  const senders = Layer.succeed(Senders, Senders.of({ of: (channel) => (channel === "whatsapp" ? client : undefined) }))
  const source = Layer.succeed(
    TemplateSourceRef,
    client === undefined || waba === undefined
      ? undefined
      : {
        accountId: waba,
        list: async () =>
          (await client.listTemplates(waba)).map((t) => ({
            id: t.id, name: t.name, language: t.language, status: t.status, category: t.category,
            components: t.components, parameterCounts: t.parameterCounts
          }))
      }
  )
  return Layer.mergeAll(senders, source)
}
