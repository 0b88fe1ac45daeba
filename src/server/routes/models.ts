// POST /api/models/validate: hebb's validator, the model with its defaults.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { validateModel, type Limits } from '../../model/validate.js';
import { ValidateBody, ValidateReply, ErrorReply } from '../../protocol/rest.js';

export const modelRoutes: FastifyPluginAsyncTypebox<{ limits: Partial<Limits> }> = async (app, { limits }) => {
  app.post('/api/models/validate', {
    schema: { body: ValidateBody, response: { 200: ValidateReply, 400: ErrorReply, 413: ErrorReply } },
  }, async (request) => ({ valid: true, model: validateModel(request.body.model, { limits }) }));
};
