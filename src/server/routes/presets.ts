// GET /api/presets, /api/presets/:name: the shipped models.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listPresets, loadPreset } from '../../model/load.js';
import { UsageError } from '../../core/errors.js';
import { PresetInfo, ErrorReply } from '../../protocol/rest.js';
import { httpError } from '../errors.js';

export const presetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/presets', { schema: { response: { 200: Type.Array(PresetInfo) } } },
    async () => listPresets().map(({ name, description }) => ({ name, description })));

  app.get('/api/presets/:name', {
    schema: { params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }), response: { 200: Type.Unknown({ description: 'the preset, a model' }), 404: ErrorReply } },
  }, async (request) => {
    try {
      return loadPreset(request.params.name);
    } catch (e) {
      if (e instanceof UsageError) throw httpError(404, 'HEBB_ERR_NO_PRESET', e.message);
      throw e;
    }
  });
};
