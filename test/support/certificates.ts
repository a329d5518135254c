/** Throwaway TLS certificates for tests, made with the machine's `openssl`: a CA, a server certificate for 127.0.0.1, a client certificate. */
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

export interface TestCertificates {
  readonly dir: string
  readonly ca: string
  readonly serverCert: string
  readonly serverKey: string
  readonly clientCert: string
  readonly clientKey: string
  /** A CA that signed none of these (for "the wrong CA" cases). */
  readonly otherCa: string
}

const openssl = (dir: string, args: ReadonlyArray<string>) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] })
const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

function ca(dir: string, name: string) {
  openssl(dir, ["req", "-x509", ...newKey, "-keyout", `${name}-key.pem`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=Loket test ${name}`])
}

function signed(dir: string, name: string, extensions: string) {
  writeFileSync(join(dir, `${name}.ext`), extensions)
  openssl(dir, ["req", ...newKey, "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${name}`])
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`])
}

export function makeCertificates(dir: string): TestCertificates {
  ca(dir, "ca")
  ca(dir, "other-ca")
  signed(dir, "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
  signed(dir, "client", "extendedKeyUsage=clientAuth\n")
  const at = (file: string) => join(dir, file)
  return {
    dir, ca: at("ca.pem"), serverCert: at("server.pem"), serverKey: at("server-key.pem"),
    clientCert: at("client.pem"), clientKey: at("client-key.pem"), otherCa: at("other-ca.pem")
  }
}
