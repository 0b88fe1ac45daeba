// hebb serve: the live view (npm start).

import type { Command } from './command.js';
import { numberOption } from './options.js';
import { UsageError } from '../core/errors.js';

export const serveCommand: Command = {
  summary: 'start the web server: watch networks run in the browser',
  usage: `hebb serve [--port 8080] [--host 127.0.0.1] [--max-runs N] [--allow-host NAME]...

  --port N           port to listen on (0 picks a free one; default 8080)
  --host ADDR        address to listen on (default 127.0.0.1: this machine only)
  --max-runs N       runs that may be active at once (default 4)
  --allow-host NAME  also answer to this host name, and to pages served from
                     it (repeatable; .example.org covers its subdomains;
                     '*' turns the Host and Origin checks off)

The server answers to IP addresses, localhost and the --host name; any
other Host, and any request from a page of another origin, gets 403 (this
keeps web pages you visit from driving it; see "Security and limits" in
the README).

Opens nothing by itself: visit the printed URL. Ctrl-C stops the server
and every run (their files are finished first).`,
  options: { port: { type: 'string' }, host: { type: 'string' }, 'max-runs': { type: 'string' }, 'allow-host': { type: 'string', multiple: true } },
  positionals: [0, 0],
  async run({ values }) {
    const port = numberOption(values.port, '--port', { min: 0, integer: true }) ?? 8080;
    if (port > 65535) throw new UsageError(`must be at most 65535 (got ${port})`, '--port');
    const maxActiveRuns = numberOption(values['max-runs'], '--max-runs', { min: 1, integer: true });
    const host = values.host === undefined ? '127.0.0.1' : String(values.host);
    const allowedHosts = ((values['allow-host'] ?? []) as string[]).map((h) => {
      if (h !== '*' && !/^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(h)) {
        throw new UsageError(`"${h.slice(0, 100)}" is not a host name (letters, digits, hyphens and dots; a leading dot covers subdomains; or *)`, '--allow-host');
      }
      return h;
    });
    const { startServer } = await import('../server/start.js');
    let started;
    try {
      started = await startServer({ port, host, allowedHosts, ...(maxActiveRuns ? { maxActiveRuns } : {}) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use (try --port 0)`, '--port');
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on ${host}`, '--host');
      throw e;
    }
    process.stdout.write(`hebb is serving at ${started.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stderr.write('stopping the server\n');
    await started.app.close();
    return 0;
  },
};
