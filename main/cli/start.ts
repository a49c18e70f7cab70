import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startDailyLedgerChecks } from '../services/ledger/check';
import {
  appConfig,
  createAppRouter,
  createServices,
  ensureFirstAdmin,
  openDatabase,
  projectRoot,
  seedIfEmpty,
  staffServerUrl,
  startStaffDesktop,
} from '../app';
import { createBridge } from '../http/bridge';
import { startChangeFeed } from '../db/changes';
import { cliArgs } from './args';
import { ensureRendererBuilt } from './renderer-build';

const log = (m: string) => console.error(`[nnprotect] ${m}`);

/** The Electron binary, when its install step has downloaded it (never on a machine without internet). */
export function electronBinary(): string | null {
  try {
    const bin = createRequire(import.meta.url)('electron') as unknown;
    return typeof bin === 'string' ? bin : null;
  } catch {
    return null;
  }
}

async function main() {
  const { values } = cliArgs({
    browser: { type: 'boolean', default: false },
    electron: { type: 'boolean', default: false },
    port: { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
  });
  const bin = electronBinary();
  if (values.electron && !bin) {
    log('Electron no está instalado en esta máquina: ejecute `npm run electron:install` (requiere internet) o use --browser.');
    process.exit(1);
  }
  if (bin && !values.browser) {
    // The desktop shell owns the database and the router in its own main process.
    const { buildElectron } = await import('../electron/build');
    const entry = await buildElectron();
    const child = spawn(bin, [entry], { stdio: 'inherit', env: process.env, cwd: projectRoot });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }

  const port = values.port ? Number(values.port) : Number(process.env.NNP_PORT ?? 0);
  // A staff desktop pointed at the company's server without owner credentials (README, deployment).
  const serverUrl = staffServerUrl();
  if (serverUrl) return serveStaffDesktop(serverUrl, port);

  const database = await openDatabase({ log });
  const admin = await ensureFirstAdmin(database);
  if (admin?.generated) {
    console.log(
      `Primer administrador creado. Usuario: ${admin.username}  Contraseña: ${admin.password}  (se pedirá cambiarla al entrar; no se volverá a mostrar)`,
    );
  } else if (admin) {
    console.log(`Primer administrador creado: usuario ${admin.username}, contraseña de NNP_ADMIN_PASSWORD.`);
  }
  if (!values['no-seed']) await seedIfEmpty(database, log);

  const services = createServices(database, appConfig(database.mode));
  const router = createAppRouter(services);
  startDailyLedgerChecks(services);
  const staticDir = await ensureRendererBuilt(log);
  // Another desktop's (or a SQL client's) committed changes reach this one's screens live.
  const changes = startChangeFeed(database.url, { log });
  const bridge = createBridge({ router, staticDir, changes });
  const { url } = await bridge.listen(port);
  log(`modo navegador: abra esta dirección (solo accesible desde este equipo):`);
  console.log(url);

  const stop = async () => {
    await bridge.close();
    await router.stop();
    await changes.close();
    await services.connections?.endAll();
    await database.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Browser mode on a staff desktop that holds no owner credentials: no migrations, no first admin,
 * no demo data, no engine and no ledger checks here (the server's `npm run engine` does those);
 * sign-in is PostgreSQL's and every call runs on the person's own login.
 */
async function serveStaffDesktop(serverUrl: string, port: number) {
  const { services, router, changes } = startStaffDesktop(serverUrl, appConfig('external'), log);
  const staticDir = await ensureRendererBuilt(log);
  const bridge = createBridge({ router, staticDir, changes });
  const { url } = await bridge.listen(port);
  log(`modo navegador, puesto de personal sin credenciales de propietario (servidor ${new URL(serverUrl).host}): abra esta dirección:`);
  console.log(url);
  const stop = async () => {
    await bridge.close();
    await changes.close();
    await services.connections?.endAll();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (path.resolve(process.argv[1] ?? '') === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    // NNP_DEBUG=1 shows where a start failed; people see the message alone.
    log(e instanceof Error ? (process.env.NNP_DEBUG ? (e.stack ?? e.message) : e.message) : String(e));
    process.exit(1);
  });
}
