/**
 * Headless Stripe webhook receiver: `npm run webhooks [-- --host 0.0.0.0 --port 47720]`.
 * Needs NNP_STRIPE_WEBHOOK_SECRET (the endpoint's whsec_…); the database is the app's (DATABASE_URL
 * for a server, else the embedded cluster in NNP_DATA_DIR — not while the desktop app holds it).
 * Listens on 127.0.0.1 unless a host is given (a server behind a TLS proxy).
 */
import { appConfig, createServices, openDatabase } from '../app';
import { createWebhookServer, webhookSettingsFromEnv } from '../http/webhooks';
import { cliArgs } from './args';

const log = (m: string) => console.error(`[webhooks] ${m}`);

async function main() {
  const { values } = cliArgs({ host: { type: 'string' }, port: { type: 'string' } });
  const s = webhookSettingsFromEnv();
  if (!s.secret) {
    log('Falta NNP_STRIPE_WEBHOOK_SECRET (el secreto whsec_… del endpoint en Stripe).');
    process.exit(2);
  }
  const database = await openDatabase({ log });
  const services = createServices(database, appConfig(database.mode), (m, extra) => log(extra === undefined ? m : `${m} ${JSON.stringify(extra)}`));
  const receiver = createWebhookServer({ services, secret: s.secret, toleranceSeconds: s.toleranceSeconds });
  const { url } = await receiver.listen(values.port ? Number(values.port) : s.port, values.host ?? s.host);
  log(`recibiendo eventos de Stripe en ${url} (tolerancia ${s.toleranceSeconds} s)`);
  console.log(url);
  const stop = () =>
    void receiver
      .close()
      .then(() => database.shutdown())
      .then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
