import { stepHandler } from '../lib/handler';
import { cancelPosting, PostingRef } from '../lib/lifecycle';

export const handler = stepHandler(PostingRef, cancelPosting);
