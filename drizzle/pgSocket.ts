/**
 * The socket node-postgres talks to PostgreSQL through (Node): what it writes in one turn of the
 * event loop leaves in one system call. node-postgres writes each query on its own (and, in
 * pipeline mode, each as soon as it is asked for): a batch's members, resumed together, would
 * otherwise cost a `writev` each. Held only while the socket is connected and writable; the
 * bytes and their order are unchanged, and nothing waits past the current turn. Under TLS node-postgres writes through its TLS socket
 * instead, and nothing is held.
 */
import { Socket } from "node:net"

export function coalescingSocket(): Socket {
  const socket = new Socket()
  let holding = false
  const release = () => {
    holding = false
    socket.uncork()
  }
  // Installed once connected: `connect` puts net.Socket's own `write` back on the socket.
  socket.once("connect", () => {
    const write = socket.write
    socket.write = function(this: Socket, ...args: Parameters<Socket["write"]>) {
      if (!holding && socket.writable) {
        holding = true
        socket.cork()
        process.nextTick(release)
      }
      return write.apply(this, args)
    } as Socket["write"]
  })
  return socket
}
