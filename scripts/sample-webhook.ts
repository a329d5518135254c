/**
 * `npm run sample:webhook`: sends the local gateway a WhatsApp webhook signed as Meta signs
 * them, so a newcomer sees a conversation appear without a Meta account.
 *
 *   WHATSAPP_APP_SECRET=try-it LOKET_ADMIN_TOKEN=try-it npm start      # terminal 1
 *   npm run sample:webhook                                            # terminal 2
 *
 * Reads LOKET_URL (default http://127.0.0.1:8080), WHATSAPP_APP_SECRET and LOKET_ADMIN_TOKEN
 * (both default `try-it`, as in the README), and an optional message text as its argument.
 * The resident is made up: a number from the range the Dutch regulator keeps for fiction.
 */
import { contact, sign, textMessage, webhookBody } from "../adapters/whatsapp-cloud/fixtures.ts"

const base = (process.env.LOKET_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "")
const secret = process.env.WHATSAPP_APP_SECRET ?? "try-it"
const token = process.env.LOKET_ADMIN_TOKEN ?? "try-it"
const text = process.argv.slice(2).join(" ") || "Goedemiddag, mijn container is vandaag niet geleegd. Wanneer komen jullie langs?"
const waId = "31612000000"

const raw = JSON.stringify(webhookBody({
  contacts: [contact({ waId, name: "Sanne de Vries" })],
  messages: [textMessage({ from: waId, body: text, id: `wamid.sample.${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)) })]
}))

async function main() {
  let res: Response
  try {
    res = await fetch(`${base}/webhooks/whatsapp`, {
      method: "POST", body: raw, headers: { "content-type": "application/json", "x-hub-signature-256": sign(raw, secret) }
    })
  } catch {
    console.error(`No gateway answers at ${base}: start one first (WHATSAPP_APP_SECRET=${secret} LOKET_ADMIN_TOKEN=${token} npm start).`)
    return 1
  }
  const answer = await res.text()
  if (res.status === 503 && answer.includes("channel_not_configured")) {
    console.error(`The gateway has no WHATSAPP_APP_SECRET: restart it with WHATSAPP_APP_SECRET=${secret} npm start.`)
    return 1
  }
  if (res.status === 401) {
    console.error(`The gateway's WHATSAPP_APP_SECRET is not '${secret}': run this with the same value (WHATSAPP_APP_SECRET=… npm run sample:webhook).`)
    return 1
  }
  if (res.status !== 200) {
    console.error(`The gateway answered ${res.status}: ${answer}`)
    return 1
  }
  console.log(`Sent as Meta would: "${text}" — the gateway answered 200 ${answer}`)
  console.log(`\nRead it through the agent API:\n  curl -H "Authorization: Bearer ${token}" ${base}/api/v1/conversations`)
  console.log(`Follow new messages live (run this, then send another sample):\n  curl -N -H "Authorization: Bearer ${token}" ${base}/api/v1/events`)
  return 0
}

process.exitCode = await main()
