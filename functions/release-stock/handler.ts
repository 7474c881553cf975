import { stepHandler } from '../lib/handler';
import { PostingRef, releaseStock } from '../lib/lifecycle';

export const handler = stepHandler(PostingRef, releaseStock);
