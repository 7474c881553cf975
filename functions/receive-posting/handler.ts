import { stepHandler } from '../lib/handler';
import { ReceiveInput, receivePosting } from '../lib/lifecycle';

export const handler = stepHandler(ReceiveInput, receivePosting);
