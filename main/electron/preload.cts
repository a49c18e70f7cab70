import { contextBridge, ipcRenderer } from 'electron';

// The only thing the renderer gets from Node: one invoke function over one channel.
contextBridge.exposeInMainWorld('nnp', {
  invoke: (procedure: string, input: unknown) => ipcRenderer.invoke('nnp:invoke', procedure, input),
});
