import { stepHandler } from '../lib/handler';
import { receivePosting, ReceiveInput } from '../lib/lifecycle';

export const handler = stepHandler(ReceiveInput, receivePosting);
