/**
 * The seller's rating (swagger SellerRating): /v1/rating/summary, /v1/rating/history. The model is rating.ts.
 */
import { z } from 'zod';
import { json, parse } from './http.js';
import { ApiError } from './model.js';
import type { Handler } from './routes.js';

const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 date-time');

const S = {
  // swagger: the request is v1Empty
  summary: z.object({}).passthrough(),
  // swagger v1RatingHistoryV1Request: ratings, date_from, date_to required
  history: z.object({
    date_from: dateTime,
    date_to: dateTime,
    ratings: z.array(z.string().min(1)).min(1),
    with_premium_scores: z.boolean().optional(),
  }),
};

export const RATING_READ_ONLY = ['/v1/rating/summary', '/v1/rating/history'];

export const RATING_ROUTES: Record<string, Handler> = {
  '/v1/rating/summary': (body, ctx) => {
    parse(S.summary, body);
    return json(200, ctx.rating.summary());
  },

  '/v1/rating/history': (body, ctx) => {
    const b = parse(S.history, body);
    const from = Date.parse(b.date_from);
    const to = Date.parse(b.date_to);
    if (to < from) throw new ApiError(400, 3, 'invalid request payload: date_to must not be before date_from');
    return json(200, ctx.rating.history(b.ratings, from, to, b.with_premium_scores ?? false));
  },
};
