import { contextBridge, ipcRenderer } from 'electron';

// What the renderer gets from Node: one invoke function over one channel, and the names of the
// areas another desktop changed (live updates; never data).
contextBridge.exposeInMainWorld('nnp', {
  invoke: (procedure: string, input: unknown) => ipcRenderer.invoke('nnp:invoke', procedure, input),
  onChanged: (fn: (areas: string[]) => void) => {
    const listener = (_e: unknown, areas: unknown) => {
      if (Array.isArray(areas)) fn(areas.filter((a): a is string => typeof a === 'string'));
    };
    ipcRenderer.on('nnp:changed', listener);
    return () => {
      ipcRenderer.removeListener('nnp:changed', listener);
    };
  },
});
