/**
 * Hadolint-style rules over a Dockerfile parsed by dockerfile-ast: each takes the parsed file and
 * returns its violations. Ids are hadolint's where hadolint has the rule; LOKET-* are this
 * project's own. Not enforced: DL3008 (pinning apt package versions), which breaks builds as
 * soon as Debian moves a package on; the base image tag pins the distribution instead.
 */
import { type Dockerfile, type From, type Healthcheck, type Instruction, type JSONInstruction, type ModifiableInstruction } from "dockerfile-ast"
import { type Rule, rule } from "./rule.ts"

export type DockerfileRule = Rule<Dockerfile>

interface Stage { readonly from: From; readonly instructions: ReadonlyArray<Instruction> }

export function stagesOf(df: Dockerfile): Stage[] {
  const stages: Array<{ from: From; instructions: Instruction[] }> = []
  for (const instruction of df.getInstructions()) {
    if (instruction.getKeyword() === "FROM") stages.push({ from: instruction as From, instructions: [] })
    else stages.at(-1)?.instructions.push(instruction)
  }
  return stages
}

const finalStage = (df: Dockerfile): Stage | undefined => stagesOf(df).at(-1)
const line = (i: Instruction) => `line ${i.getRange().start.line + 1}`
const runs = (instructions: ReadonlyArray<Instruction>) => instructions.filter((i) => i.getKeyword() === "RUN")
const content = (i: Instruction) => i.getArgumentsContent() ?? ""
/** The shell commands of a RUN, split at `&&`, `||`, `;` and `|`, as word lists. */
const commands = (i: Instruction) => content(i).split(/&&|\|\||;|\|/).map((c) => c.trim().split(/\s+/).filter((w) => w !== ""))
const flag = (i: Instruction, name: string) => (i as ModifiableInstruction).getFlags().find((f) => f.getName() === name)
const aptInstalls = (i: Instruction) => commands(i).filter((words) => words[0] === "apt-get" && words.includes("install"))

/** Images pulled from a registry: FROM lines that do not name an earlier stage or scratch. */
function pulledImages(df: Dockerfile): From[] {
  const stages = new Set<string>()
  return df.getFROMs().filter((from) => {
    const image = from.getImageName() ?? ""
    const pulled = image !== "scratch" && !stages.has(image.toLowerCase())
    const alias = from.getBuildStage()
    if (alias) stages.add(alias.toLowerCase())
    return pulled
  })
}

export const dockerfileRules: ReadonlyArray<DockerfileRule> = [
  rule("DL3006", "Always tag the version of an image explicitly", (df) =>
    pulledImages(df).filter((f) => !f.getImageTag() && !f.getImageDigest()).map((f) => `${line(f)}: ${f.getImage()} has no tag`)),

  rule("DL3007", "Using latest is prone to errors if the image will ever update", (df) =>
    pulledImages(df).filter((f) => f.getImageTag() === "latest").map((f) => `${line(f)}: ${f.getImage()}`)),

  rule("DL3015", "Avoid additional packages by specifying --no-install-recommends", (df) =>
    runs(df.getInstructions()).filter((i) => aptInstalls(i).some((w) => !w.includes("--no-install-recommends"))).map((i) => `${line(i)}: apt-get install without --no-install-recommends`)),

  rule("DL3014", "Use the -y switch to avoid manual input with apt-get install", (df) =>
    runs(df.getInstructions()).filter((i) => aptInstalls(i).some((w) => !w.some((x) => /^-[a-z]*y[a-z]*$/.test(x) || x === "--yes" || x === "--assume-yes")))
      .map((i) => `${line(i)}: apt-get install without -y`)),

  rule("DL3009", "Delete the apt-get lists after installing something (in the same RUN)", (df) =>
    runs(df.getInstructions()).filter((i) => aptInstalls(i).length > 0 && !/rm\s+-(rf|fr)\s+\/var\/lib\/apt\/lists\/\*/.test(content(i)))
      .map((i) => `${line(i)}: /var/lib/apt/lists/* stays in the layer`)),

  rule("DL3002", "Last USER should not be root (and there must be one: the image runs as a non-root user)", (df) => {
    const users = (finalStage(df)?.instructions ?? []).filter((i) => i.getKeyword() === "USER")
    const last = users.at(-1)
    if (last === undefined) return ["the final stage has no USER: it runs as root"]
    return /^(root|0)(:|$)/.test(content(last)) ? [`${line(last)}: USER ${content(last)}`] : []
  }),

  rule("DL3025", "Use arguments JSON notation for CMD and ENTRYPOINT arguments", (df) =>
    df.getInstructions().filter((i) => ["CMD", "ENTRYPOINT"].includes(i.getKeyword()) && (i as JSONInstruction).getOpeningBracket() === null)
      .map((i) => `${line(i)}: ${i.getKeyword()} ${content(i)} (shell form: signals do not reach the process)`)),

  rule("DL3020", "Use COPY instead of ADD for files and folders", (df) =>
    df.getInstructions().filter((i) => i.getKeyword() === "ADD")
      .filter((i) => i.getArguments().slice(0, -1).some((a) => !/^https?:\/\/|\.(tar(\.\w+)?|tgz)$/.test(a.getValue())))
      .map((i) => `${line(i)}: ADD ${content(i)}`)),

  rule("DL4006", "Set the SHELL option -o pipefail before RUN with a pipe in it", (df) =>
    stagesOf(df).flatMap(({ instructions }) => {
      let pipefail = false
      return instructions.flatMap((i) => {
        if (i.getKeyword() === "SHELL") pipefail = /pipefail/.test(content(i))
        const unquoted = content(i).replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, "")
        return i.getKeyword() === "RUN" && !pipefail && /(^|[^|])\|([^|]|$)/.test(unquoted) ? [`${line(i)}: a pipe without pipefail hides failures`] : []
      })
    })),

  rule("DL3004", "Do not use sudo", (df) =>
    runs(df.getInstructions()).filter((i) => commands(i).some((w) => w[0] === "sudo")).map((i) => `${line(i)}: sudo`)),

  rule("DL3003", "Use WORKDIR to switch to a directory", (df) =>
    runs(df.getInstructions()).filter((i) => commands(i).some((w) => w[0] === "cd")).map((i) => `${line(i)}: cd`)),

  rule("DL3000", "Use absolute WORKDIR", (df) =>
    df.getInstructions().filter((i) => i.getKeyword() === "WORKDIR" && !/^(\/|\$)/.test(content(i))).map((i) => `${line(i)}: WORKDIR ${content(i)}`)),

  rule("LOKET-MULTI-STAGE", "Build in one stage, run in another: two or more FROM, the final stage copies from an earlier one", (df) => {
    const stages = stagesOf(df)
    if (stages.length < 2) return [`${stages.length} stage(s)`]
    const copiesFromBuild = (stages.at(-1)?.instructions ?? []).some((i) => i.getKeyword() === "COPY" && flag(i, "from") !== undefined)
    return copiesFromBuild ? [] : ["the final stage copies nothing from an earlier stage"]
  }),

  rule("LOKET-HEALTHCHECK", "The final stage has one HEALTHCHECK, and it asks /healthz or /readyz", (df) => {
    const checks = (finalStage(df)?.instructions ?? []).filter((i) => i.getKeyword() === "HEALTHCHECK") as Healthcheck[]
    if (checks.length !== 1) return [`${checks.length} HEALTHCHECK instructions in the final stage (DL3012: at most one)`]
    const check = checks[0]!
    if (check.getSubcommand()?.getValue().toUpperCase() !== "CMD") return [`${line(check)}: HEALTHCHECK ${content(check)}`]
    return /\/(healthz|readyz)\b/.test(content(check)) ? [] : [`${line(check)}: does not ask /healthz or /readyz`]
  }),

  rule("LOKET-COPY-CHOWN", "COPY into the final stage sets --chown (the runtime user owns its files; no chown -R layer)", (df) =>
    (finalStage(df)?.instructions ?? []).filter((i) => ["COPY", "ADD"].includes(i.getKeyword()) && flag(i, "chown") === undefined)
      .map((i) => `${line(i)}: ${i.getKeyword()} ${content(i)} without --chown`))
]

/** .dockerignore: what must stay out of the build context (and so out of the image). */
export const DOCKERIGNORE_REQUIRED = ["node_modules", "data", ".tmp", ".git", "dist", ".env"] as const

export function dockerignoreMissing(text: string): string[] {
  const patterns = new Set(text.split("\n").map((l) => l.trim().replace(/^\/|\/$/g, "")).filter((l) => l !== "" && !l.startsWith("#")))
  return DOCKERIGNORE_REQUIRED.filter((entry) => !patterns.has(entry))
}
