// 'hebb/server': the live view's server, to embed or start from code.
export { buildApp, DEFAULT_SERVER_LIMITS, type ServerOptions } from './app.js';
export { startServer } from './start.js';
