import { stepHandler } from '../lib/handler';
import { releaseStock, PostingRef } from '../lib/lifecycle';

export const handler = stepHandler(PostingRef, releaseStock);
