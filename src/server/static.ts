// The page and its modules: web/index.html, the compiled page scripts
// (dist/web: web/*.ts and the shared src/protocol), and the two libraries
// the page imports (uPlot, @msgpack/msgpack ESM builds), mapped in the page's
// import map. Nothing is built at run time.

import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep, extname } from 'node:path';
import { packagePath } from '../core/paths.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.svg': 'image/svg+xml',
};

function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(`${sep}node_modules${sep}${name.replace('/', sep)}`) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function registerStatic(app: FastifyInstance): void {
  const roots: Record<string, string> = {
    app: packagePath('dist', 'web'),
    uplot: join(packageDir('uplot'), 'dist'),
    msgpack: join(packageDir('@msgpack/msgpack'), 'dist.esm'),
  };
  const serve = async (root: string, path: string, reply: import('fastify').FastifyReply) => {
    const file = resolve(root, path);
    // No escape from the root (../ in the path).
    if (!file.startsWith(root + sep) || !TYPES[extname(file)]) return reply.code(404).send({ statusCode: 404, code: 'HEBB_ERR_NOT_FOUND', error: 'Not Found', message: `no file ${path}` });
    try {
      const body = await readFile(file);
      return reply.header('content-type', TYPES[extname(file)]!).header('cache-control', 'no-cache').send(body);
    } catch {
      return reply.code(404).send({ statusCode: 404, code: 'HEBB_ERR_NOT_FOUND', error: 'Not Found', message: `no file ${path}` });
    }
  };
  app.get('/', async (_request, reply) => serve(packagePath('web'), 'index.html', reply));
  app.get('/app/*', async (request, reply) => serve(roots.app!, (request.params as { '*': string })['*'], reply));
  app.get('/vendor/uplot/*', async (request, reply) => serve(roots.uplot!, (request.params as { '*': string })['*'], reply));
  app.get('/vendor/msgpack/*', async (request, reply) => serve(roots.msgpack!, (request.params as { '*': string })['*'], reply));
}
