// POST /api/models/validate: hebb's validator, the model with its defaults.
// The body is read in the validator thread, from its text (validator.ts).

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorReply } from '../../protocol/rest.js';
import type { Validator } from '../validator.js';
import { httpError } from '../errors.js';

export const modelRoutes: FastifyPluginAsyncTypebox<{ validator: Validator }> = async (app, { validator }) => {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => done(null, text));
  app.post('/api/models/validate', {
    // 200 is ValidateReply (protocol/rest.ts), made as text in the validator thread.
    schema: { response: { 200: Type.String({ description: 'ValidateReply (protocol/rest.ts) as JSON text' }), 400: ErrorReply, 413: ErrorReply } },
  }, async (request, reply) => {
    if (typeof request.body !== 'string') throw httpError(400, 'HEBB_ERR_BAD_REQUEST', 'the body must be a JSON object (Content-Type: application/json)');
    // Already JSON: sent as it is, not serialized again on this thread.
    return reply.type('application/json; charset=utf-8').send(await validator.validate(request.body));
  });
};
