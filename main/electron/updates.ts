import electronUpdater from 'electron-updater';

/**
 * Updates from a configurable feed: NNP_UPDATE_URL at run time overrides the feed baked in at
 * build time (electron-builder.yml `publish`). Only a packaged app checks; development never does.
 */
export function startUpdateChecks(isPackaged: boolean, log: (m: string) => void) {
  if (!isPackaged) return;
  const { autoUpdater } = electronUpdater;
  const url = process.env.NNP_UPDATE_URL;
  if (url) autoUpdater.setFeedURL({ provider: 'generic', url });
  autoUpdater.on('error', (e) => log(`actualizaciones: ${e instanceof Error ? e.message : String(e)}`));
  autoUpdater.on('update-downloaded', (info) => log(`actualización ${info.version} descargada: se instalará al cerrar`));
  void autoUpdater.checkForUpdatesAndNotify();
}
