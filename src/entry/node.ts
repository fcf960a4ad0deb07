/**
 * Node entry: `npm start`. Wires the runtime (environment, embedded libSQL file, static files,
 * interval scheduler, the optional HTTPS listener for the DS link) and nothing else.
 */
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { createApp } from '../app.ts';
import { checkAcsSigning } from '../app-channel/signing.ts';
import { adjustableClock, systemClock } from '../clock.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { startServices } from '../services.ts';
import { assembleDeps } from './assemble.ts';
import { keepConnectionsAlive } from './keep-alive.ts';
import { configOrExit, orExitOnConfigError, openDatabase } from './local.ts';
import { loadTlsOptions, serveTls } from './tls.ts';

const { config, extra: tls } = configOrExit(process.env, loadTlsOptions);
const log = createLogger({ level: config.LOG_LEVEL });
const client = await openDatabase(config);

const deps = await assembleDeps({
  config,
  client,
  // The sandbox may move time forward to show timeouts; production always runs on the system clock.
  clock: config.SANDBOX ? adjustableClock() : systemClock,
  log,
  assets: serveStatic({ root: './' }),
  connInfo: getConnInfo,
});
await migrateDatabase(deps.db);
// The app channel's signing keys (or the sandbox's own chain), checked and loaded before the first AReq.
await orExitOnConfigError(checkAcsSigning(deps));
const services = await startServices(deps);

const app = createApp(deps);
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  log.info('listening', { url: `http://localhost:${info.port}`, publicUrl: config.PUBLIC_URL, env: config.NODE_ENV });
});
exitOnListenError(server, 'PORT', config.PORT);
keepConnectionsAlive(server);
const servers = [server];

if (tls) {
  const tlsServer = serveTls({ fetch: app.fetch, port: tls.port, hostname: config.HOST, serverOptions: tls.serverOptions }, (info) => {
    log.info('listening (DS link, TLS)', {
      url: `https://localhost:${info.port}`,
      clientCertificates: tls.verifiesClients ? 'verified against TLS_CLIENT_CA_FILE' : 'not requested',
      mtlsRequired: config.MTLS_REQUIRED,
    });
  });
  exitOnListenError(tlsServer, 'TLS_PORT', tls.port);
  keepConnectionsAlive(tlsServer);
  servers.push(tlsServer);
}

/** A port that cannot be bound stops the start with one line naming its variable. */
function exitOnListenError(target: ServerType, name: string, port: number) {
  const onError = (error: NodeJS.ErrnoException) => {
    console.error(`Cannot listen on ${name} ${port}: ${error.code ?? error.message}`);
    process.exit(1);
  };
  target.once('error', onError);
  target.once('listening', () => target.off('error', onError));
}

function shutdown(signal: string) {
  log.info('shutting down', { signal });
  services.stop();
  let open = servers.length;
  for (const s of servers) {
    s.close(() => {
      if (--open > 0) return;
      client.close();
      process.exit(0);
    });
  }
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
