import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Connections that never carried a request. Node's `server.close()` waits for them without end
 * (it closes idle connections only once they served one): a browser's preconnect, or a client
 * that opens a spare connection after an aborted request, would hold a shutdown forever.
 */
export function trackUnusedSockets(server: Server): { destroyAll(): void } {
  const unused = new Set<Socket>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    // Between close() and the listener closing, a new connection could only wait forever.
    if (closing) {
      socket.destroy();
      return;
    }
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  server.on('request', (request: { socket: Socket }) => {
    unused.delete(request.socket);
  });
  return {
    /** Destroys them, and from now on every new connection as it comes. */
    destroyAll() {
      closing = true;
      for (const socket of unused) socket.destroy();
      unused.clear();
    },
  };
}
