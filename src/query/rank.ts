// Fifth step of the query chain: orders the targets into batches, likeliest first. For now one
// batch holds every target; affinity ranking (user -> app, app <-> app) replaces this handler
// and may split them, and the fan-out runs the batches one after another.

import { LogfedError } from '../errors/index.js';
import type { Middleware } from './request.js';

export const rank: Middleware = (next) => (ctx, req) => {
  if (!req.targets) throw new LogfedError('INTERNAL', 'rank runs after plan');
  return next(ctx, { ...req, batches: req.batches ?? [req.targets] });
};
