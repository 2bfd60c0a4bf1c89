/** A free TCP port for a DynamoDB Local started by us (the embedded server, the class archive's recording). */
import { createServer } from 'node:net';

/** A port nothing listens on now; DynamoDB Local binds all interfaces, so probe the wildcard address. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
