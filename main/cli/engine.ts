/**
 * The engine service on its own, beside a shared PostgreSQL server: `npm run engine`.
 * The one process that holds the owner's credentials (DATABASE_URL: the role that owns the tables,
 * the same one migrations run as) and runs the procedures staff desktops ask of it — closes,
 * recomputes, genealogy moves, an order's payment or refund, Stripe syncs (main/ipc/engine.ts).
 * Desktops then need no owner credentials for these. A second one started against the same
 * database waits on standby and takes over when the first stops. Without DATABASE_URL it serves the
 * embedded cluster in NNP_DATA_DIR (not while the desktop app holds it).
 */
import { appConfig, createAppRouter, createServices, openDatabase } from '../app';
import { startDailyLedgerChecks } from '../services/ledger/check';

const log = (m: string) => console.error(`[engine] ${m}`);

async function main() {
  const database = await openDatabase({ log });
  const services = createServices(database, appConfig(database.mode), (m, extra) => log(extra === undefined ? m : `${m} ${JSON.stringify(extra)}`));
  const router = createAppRouter(services);
  // The daily ledger check runs where the owner's credentials are (its result shows on the dashboard).
  const stopChecks = startDailyLedgerChecks(services);
  log('servicio de cálculo en marcha: atiende cierres, recálculos, movimientos de genealogía, pagos y reembolsos de pedidos y sincronizaciones de Stripe');
  const stop = () =>
    void router
      .stop()
      .then(() => stopChecks())
      .then(() => services.connections?.endAll())
      .then(() => database.shutdown())
      .then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
