// Starts the server: loopback by default, the URL printed.

import { buildApp, type ServerOptions } from './app.js';
import type { FastifyInstance } from 'fastify';

export async function startServer(options: ServerOptions & { port?: number; host?: string } = {}): Promise<{ app: FastifyInstance; url: string }> {
  const host = options.host ?? '127.0.0.1';
  const app = await buildApp({ listenHost: host, ...options });
  const address = await app.listen({ port: options.port ?? 8080, host });
  return { app, url: address.replace('://[::1]', '://localhost').replace('://127.0.0.1', '://localhost') };
}
