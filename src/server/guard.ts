// Who may talk to the server. A server on 127.0.0.1 is still reachable from
// any web page the user opens: a page can send requests and open WebSockets
// to localhost, and through DNS rebinding a foreign name can come to point
// at 127.0.0.1. So, as development servers do (webpack's allowedHosts,
// Vite's server.allowedHosts):
//
// - Host must name this machine as an address (an IP literal), localhost or
//   a *.localhost name, the name the server listens on, or one allowed by
//   the `allowedHosts` option (`--allow-host`): a rebound foreign name fails
//   here, because the browser sends that name.
// - Origin, when a browser sends one (cross-origin requests, every POST and
//   every WebSocket upgrade), must be the server's own origin (the same
//   host and port as Host) or have an allowed host name: a foreign page
//   gets 403, also for the upgrade to the spike stream.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { httpError } from './errors.js';

export interface GuardOptions {
  /** Extra host names the server answers to; '*' turns both checks off. */
  allowedHosts?: readonly string[];
  /** The address the server listens on (a name there is allowed). */
  listenHost?: string;
}

/** The host name of a Host header or URL authority, lower case, without port or brackets. */
export function hostName(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') < 0 ? undefined : a.indexOf(']'));
  const colon = a.lastIndexOf(':');
  return colon >= 0 && a.indexOf(':') === colon ? a.slice(0, colon) : a;
}

export function makeHostCheck(options: GuardOptions): (name: string) => boolean {
  const extra = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase().replace(/\.$/, '')));
  if (options.listenHost && !isIP(options.listenHost)) extra.add(options.listenHost.toLowerCase());
  return (name) => {
    const n = name.replace(/\.$/, '');
    if (extra.has('*') || extra.has(n)) return true;
    if (isIP(n)) return true;
    if (n === 'localhost' || n.endsWith('.localhost')) return true;
    // '.example.org' allows the name and its subdomains.
    for (const e of extra) if (e.startsWith('.') && (n === e.slice(1) || n.endsWith(e))) return true;
    return false;
  };
}

/** Refuses requests whose Host or Origin is not this server's (403). */
export function registerGuard(app: FastifyInstance, options: GuardOptions): void {
  const hostAllowed = makeHostCheck(options);
  const open = (options.allowedHosts ?? []).includes('*');
  const explicit = makeExplicitCheck(options.allowedHosts ?? []);
  const hint = 'start the server with --allow-host NAME (or the allowedHosts option) to allow it';
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (open) return;
    const host = request.headers.host;
    if (host === undefined || host === '') throw httpError(403, 'HEBB_ERR_FORBIDDEN_HOST', 'the request has no Host header');
    if (!hostAllowed(hostName(host))) {
      throw httpError(403, 'HEBB_ERR_FORBIDDEN_HOST', `this server does not answer to the host "${clip(host)}"; ${hint}`);
    }
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const from = authority(origin);
    if (from === undefined || (from !== authority(`http://${host}`) && !explicit(hostName(from)))) {
      throw httpError(403, 'HEBB_ERR_FORBIDDEN_ORIGIN', `requests from pages at ${clip(origin)} are refused (only this server's own page may call it); ${hint}`);
    }
  });
}

/** Origins are allowed by name only when listed: an IP literal or localhost on another port is another site. */
function makeExplicitCheck(allowed: readonly string[]): (name: string) => boolean {
  const names = allowed.map((h) => h.toLowerCase().replace(/\.$/, ''));
  return (n) => names.some((e) => e === n || (e.startsWith('.') && (n === e.slice(1) || n.endsWith(e))));
}

/** host[:port] of an http(s) URL, normalised (undefined for 'null', file: and the unparseable). */
function authority(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host : undefined;
  } catch {
    return undefined;
  }
}

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}
