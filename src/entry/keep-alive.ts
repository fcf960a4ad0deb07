/**
 * How long the Node listeners keep an idle kept-alive connection. Node closes one after 5 s; a
 * Directory Server (or a load balancer) that reuses it at that very moment gets ECONNRESET for a
 * request the ACS never saw: the import bench's load generator met nine in a 1M-row import. At
 * 65 s the server outlasts the 60 s idle timeout clients and balancers commonly use, so the client
 * closes first. Node's advice is a headers timeout above it, else a reused socket can be cut while
 * its next request's headers arrive.
 */
import type { ServerType } from '@hono/node-server';
import type { Server } from 'node:http';

export const KEEP_ALIVE_MS = 65_000;

export function keepConnectionsAlive(server: ServerType): void {
  const listener = server as Server;
  listener.keepAliveTimeout = KEEP_ALIVE_MS;
  listener.headersTimeout = KEEP_ALIVE_MS + 1_000;
}
