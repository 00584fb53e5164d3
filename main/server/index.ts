// The browser mode's public face.
export { startServer, LOOPBACK, type RunningServer, type ServerOptions } from './http-server';
