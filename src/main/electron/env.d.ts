// electron-vite's typings for the main process: import.meta.env (MODE, DEV, PROD) and ELECTRON_RENDERER_URL.
/// <reference types="electron-vite/node" />
