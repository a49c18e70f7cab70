import os from 'node:os';
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startDailyLedgerChecks } from '../services/ledger/check';
import {
  appConfig,
  createAppRouter,
  createServices,
  ensureFirstAdmin,
  openDatabase,
  seedIfEmpty,
  staffServerUrl,
  startStaffDesktop,
  type OpenedDatabase,
  type AppRouter,
} from '../app';
import { rendererDir } from '../db/paths';
import { CONTENT_SECURITY_POLICY } from '../http/bridge';
import { startUpdateChecks } from './updates';
import { startChangeFeed, type ChangeFeed } from '../db/changes';

/**
 * The desktop shell: the same database, services and router as browser mode, reached through one
 * IPC channel. The session token never enters the renderer: it is kept here per window.
 */
const tokens = new Map<number, string>();
let database: OpenedDatabase | null = null;
let router: AppRouter | null = null;
let changes: ChangeFeed | null = null;
/** The signed-in people's own database connections (issue 16), ended before the server stops. */
let endStaffConnections: () => Promise<void> = async () => {};
const indexUrl = pathToFileURL(path.join(rendererDir, 'index.html')).toString();

function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return event.senderFrame === event.sender.mainFrame && url.startsWith(indexUrl.replace(/index\.html$/, ''));
}

async function handleInvoke(event: IpcMainInvokeEvent, name: unknown, input: unknown) {
  if (!trustedSender(event) || typeof name !== 'string' || !router) {
    return { ok: false, error: { code: 'FORBIDDEN', message: 'Origen no permitido.' } };
  }
  const id = event.sender.id;
  const result = await router.call(name, input, { transport: 'electron', token: tokens.get(id) ?? null, source: `electron:${os.hostname()}` });
  if (result.ok && name === 'auth.login') {
    const data = result.data as { token: string };
    tokens.set(id, data.token);
    return { ok: true, data: { ...data, token: '' } };
  }
  if (name === 'auth.logout') tokens.delete(id);
  return result;
}

async function createWindow() {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'NNProtect Back Office',
    webPreferences: {
      preload: path.join(import.meta.dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(indexUrl)) e.preventDefault();
  });
  win.on('closed', () => tokens.delete(win.webContents.id));
  await win.loadURL(indexUrl);
}

app
  .whenReady()
  .then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
      cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    const exportsDir = process.env.NNP_EXPORT_DIR ?? app.getPath('downloads');
    const serverUrl = staffServerUrl();
    if (serverUrl) {
      // A staff desktop without owner credentials: sign-in by PostgreSQL, every call on the person's
      // login, the engine's procedures served by the server's engine (README, deployment).
      const desk = startStaffDesktop(serverUrl, { ...appConfig('external'), exportsDir }, console.error);
      endStaffConnections = () => desk.services.connections?.endAll() ?? Promise.resolve();
      router = desk.router;
      changes = desk.changes;
    } else {
      database = await openDatabase({ dataDir: process.env.NNP_DATA_DIR ?? path.join(app.getPath('userData')), log: console.error });
      const admin = await ensureFirstAdmin(database);
      if (admin?.generated) console.log(`Primer administrador: ${admin.username} / ${admin.password}`);
      await seedIfEmpty(database, console.error);
      const services = createServices(database, { ...appConfig(database.mode), exportsDir });
      endStaffConnections = () => services.connections?.endAll() ?? Promise.resolve();
      router = createAppRouter(services);
      startDailyLedgerChecks(services);
      // Committed changes of other desktops (and of SQL clients) go to the signed-in windows only.
      changes = startChangeFeed(database.url, { log: console.error });
    }
    ipcMain.handle('nnp:invoke', handleInvoke);
    changes.subscribe((areas) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (tokens.has(win.webContents.id)) win.webContents.send('nnp:changed', areas);
      }
    });
    await createWindow();
    startUpdateChecks(app.isPackaged, console.error);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) void createWindow();
    });
  })
  .catch((e) => {
    console.error(e);
    app.exit(1);
  });

app.on('window-all-closed', async () => {
  await router?.stop();
  await changes?.close();
  await endStaffConnections();
  await database?.shutdown();
  app.quit();
});
