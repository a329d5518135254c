/**
 * The Dockerfile, checked without a Docker engine: parsed with dockerfile-ast and held to
 * hadolint-style rules (lib/dockerfile-rules.ts). Every rule is also run on a small bad Dockerfile
 * to show it catches what it is for.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { DockerfileParser } from "dockerfile-ast"
import { describe, expect, test } from "vitest"
import { DOCKERIGNORE_REQUIRED, dockerfileRules, dockerignoreMissing } from "./lib/dockerfile-rules.ts"

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const dockerfile = DockerfileParser.parse(readFileSync(root("Dockerfile"), "utf8"))

describe("Dockerfile", () => {
  test.each(dockerfileRules.map((r) => [`${r.id} ${r.title}`, r]))("%s", (_, r) => {
    expect(r.check(dockerfile), `${r.id}: ${r.title}`).toEqual([])
  })
})

test(".dockerignore leaves dependencies, data, build output, git and .env out of the build context", () => {
  expect(dockerignoreMissing(readFileSync(root(".dockerignore"), "utf8")), "missing from .dockerignore").toEqual([])
})

/** A good two-stage file; each bad example below breaks one thing in it. */
const GOOD = `FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
COPY . .
FROM node:24-bookworm-slim
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1))"
CMD ["node", "dist/main.mjs"]
`

const BAD: Record<string, string> = {
  DL3006: GOOD.replace("FROM node:24-bookworm-slim AS build", "FROM node AS build"),
  DL3007: GOOD.replace("FROM node:24-bookworm-slim\n", "FROM node:latest\n"),
  DL3015: GOOD.replace(" --no-install-recommends", ""),
  DL3014: GOOD.replace("install -y", "install"),
  DL3009: GOOD.replace(" && rm -rf /var/lib/apt/lists/*", ""),
  DL3002: GOOD.replace("USER node", "USER root"),
  DL3025: GOOD.replace(`CMD ["node", "dist/main.mjs"]`, "CMD node dist/main.mjs"),
  DL3020: GOOD.replace("COPY . .", "ADD . ."),
  DL4006: GOOD.replace("COPY . .", "COPY . .\nRUN npm ls | grep effect"),
  DL3004: GOOD.replace("COPY . .", "COPY . .\nRUN sudo npm ci"),
  DL3003: GOOD.replace("COPY . .", "COPY . .\nRUN cd gateway && npm ci"),
  DL3000: GOOD.replace("WORKDIR /app\nCOPY --from", "WORKDIR app\nCOPY --from"),
  "LOKET-MULTI-STAGE": GOOD.slice(GOOD.indexOf("FROM node:24-bookworm-slim\n")).replace("--from=build ", ""),
  "LOKET-HEALTHCHECK": GOOD.replace("/healthz", "/"),
  "LOKET-COPY-CHOWN": GOOD.replace("--chown=node:node ", "")
}

describe("every rule catches the mistake it is for", () => {
  test("the good example passes every rule", () => {
    const parsed = DockerfileParser.parse(GOOD)
    expect(dockerfileRules.flatMap((r) => r.check(parsed).map((v) => `${r.id}: ${v}`))).toEqual([])
  })
  test.each(dockerfileRules.map((r) => [r.id, r]))("%s", (id, r) => {
    const bad = BAD[id]
    expect(bad, `no bad example for ${id}`).toBeDefined()
    expect(r.check(DockerfileParser.parse(bad!))).not.toEqual([])
  })
  test("a DL3002 USER that is missing altogether counts (the image would run as root)", () => {
    const rule = dockerfileRules.find((r) => r.id === "DL3002")!
    expect(rule.check(DockerfileParser.parse(GOOD.replace("USER node\n", "")))).not.toEqual([])
  })
  test("DL4006 accepts a pipe after SHELL with -o pipefail, and || is no pipe", () => {
    const rule = dockerfileRules.find((r) => r.id === "DL4006")!
    const withPipefail = GOOD.replace("COPY . .", `SHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN npm ls | grep effect || true`)
    expect(rule.check(DockerfileParser.parse(withPipefail))).toEqual([])
  })
  test.each(DOCKERIGNORE_REQUIRED.map((entry) => [entry]))(".dockerignore without %s is caught", (entry) => {
    const text = readFileSync(root(".dockerignore"), "utf8").split("\n").filter((l) => l.trim() !== entry).join("\n")
    expect(dockerignoreMissing(text)).toEqual([entry])
  })
})
