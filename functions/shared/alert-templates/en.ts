/** Alerts in English. */
import { type DigestWords, digestBody, lines, type Templates } from './text';

const DIGEST: DigestWords = {
  incidents: {
    confirmation_missed: 'confirmed late',
    handover_missed: 'carriages missed',
    seller_cancelled: 'cancelled by you',
    delivery_late: 'delivered late',
    buyer_unanswered: 'buyers left waiting',
    stalled: 'parcels stalled',
    payout_gap: 'payout gaps',
    quality_failed: 'failed quality checks',
  },
  metrics: {
    revenue: 'revenue',
    ordered_units: 'ordered',
    hits_view: 'views',
    conv_tocart: 'to cart',
    cancellations: 'cancelled',
    returns: 'returned',
  },
  none: 'no SKU figures',
};

export const en: Templates = {
  out_of_stock: (f) => ({
    what: `Not enough stock to reserve: ${lines(f)} missing.`,
    todo: 'Restock these items (or add stock in the product); the posting is reserved as soon as stock arrives.',
  }),
  ship_refused: (f) => ({
    what: `Ozon refused to assemble the posting: ${f.reason}.`,
    todo: 'Fix the cause in the Ozon seller cabinet (marking codes, quantities, status) before the deadline.',
  }),
  rfbs_handover: (f) => ({
    what: 'The posting is packed and labelled for your carrier.',
    todo: `Hand it to your carrier and send the tracking number to ${f.callbackPath}.`,
  }),
  delivery_stalled: (f) => ({
    what: `No delivery progress: status "${f.status}" since ${f.since}.`,
    todo: 'Ask the carrier where the parcel is; open a claim if it is lost.',
  }),
  cancelled_after_ship: (f) => ({
    what: `The posting was cancelled after it left your warehouse (${f.reason}).`,
    todo: 'Arrange the return of the parcel from the carrier or the sorting centre.',
  }),
  payout_mismatch: (f) => ({
    what: `Ozon accrued ${f.actual} ${f.currency}, expected ${f.expected} (difference ${f.difference}).`,
    todo: 'Check the accruals in Finance → Accruals and dispute the difference with Ozon support if it is wrong.',
  }),
  payout_missing: (f) => ({
    what:
      f.expected === undefined
        ? 'Ozon accrued no sale for the posting within the settlement window (its expected payout was never known).'
        : `No accruals from Ozon within the settlement window (expected ${f.expected} ${f.currency}).`,
    todo: 'Check Finance → Accruals; contact Ozon support if the posting is missing.',
  }),
  stock_publish_refused: (f) => ({
    what: `Ozon refused the stock figures for ${f.items.length} item(s): ${f.items
      .slice(0, 10)
      .map((i) => `${i.offerId} at ${i.warehouseId} (${i.code})`)
      .join('; ')}. Ozon keeps selling from its old figure.`,
    todo: 'Fix the offer in the cabinet (price sent, warehouse active, offer_id as in your stock), then record any stock change to publish again.',
  }),
  stock_drift: (f) => ({
    what: `Ozon's stock differs from yours for ${f.items.length} item(s): ${f.items
      .slice(0, 10)
      .map((i) => `${i.offerId} at ${i.warehouseId}: Ozon ${i.ozon}, yours ${i.product}`)
      .join('; ')}. The product publishes your figures again now.`,
    todo: 'If a figure was changed in the cabinet or sold elsewhere, record the real count with the seller API `stock` action.',
  }),
  pack_batch: (f) => ({
    what: `Pack ${f.postings.length} parcel(s) at warehouse ${f.warehouseId}: ${f.postings.slice(0, 20).join(', ')}${f.fragile ? ` — ${f.fragile} fragile line(s), see the handling notes` : ''}. Packing list: ${f.packingList} (links valid for ${f.linksValidHours} h).`,
    todo: 'Pick and pack by the list. FBS labels come for the whole carriage with its handover alert; rFBS labels are your carrier’s.',
  }),
  ozon_access: (f) => ({
    what: `Ozon refuses the product's API key: ${f.message}. No posting can be read or changed until this is fixed.`,
    todo: 'Create or extend the key in the seller cabinet (Settings → API keys) with the roles `npm run doctor` lists, and store it in the OzonCredentials secret.',
  }),
  partial_cancel: (f) => ({
    what: `Cancelled on Ozon the lines that could not be stocked in time: ${lines(f)}. The rest ships.`,
    todo: 'Nothing for this posting; restock these items to avoid further cancellations.',
  }),
  stock_cancelled: (f) => ({
    what: `Cancelled on Ozon as out of stock (reason 352): ${lines(f)} missing at the decision deadline.`,
    todo: 'Restock these items and check the stock you publish to Ozon: seller-fault cancellations count against your rating.',
  }),
  packing_reminder: () => ({
    what: 'The warehouse has not confirmed the posting as packed.',
    todo: 'Pack it and confirm (POST <SellerApiUrl>/<token>/packed); it is shipped on Ozon right after.',
  }),
  confirmation_deadline: () => ({
    what: 'The posting is not assembled yet and its shipping deadline is near.',
    todo: 'Pack it now; after the deadline Ozon charges late-shipment tariffs and may cancel it.',
  }),
  confirmation_deadline_missed: (f) => ({
    what: `The shipping deadline passed before the posting was assembled. ${f.cost}`,
    todo: 'Assemble and hand it over today, or cancel it yourself before Ozon does.',
  }),
  marking_codes_required: (f) => ({
    what: `Ozon needs more before it assembles this posting: ${f.problems.join('; ')}.`,
    todo: `Send the corrected data to ${f.callbackPath}; the posting waits and is assembled as soon as Ozon accepts it.`,
  }),
  marking_codes_refused: (f) => ({
    what: `Ozon refused what was sent for this posting's assembly: ${f.problems.join('; ')}.`,
    todo: `Send the corrected data to ${f.callbackPath}; the posting waits and is assembled as soon as Ozon accepts it.`,
  }),
  carrier_registration_failed: (f) => ({
    what: `Ozon could not register the parcel with the carrier${f.carrier ? ` ${f.carrier}` : ''} (${f.substatus}).`,
    todo: 'Check the address and the parcel data in the seller cabinet, fix them or choose another carrier, then resume the posting.',
  }),
  dropoff_limits: (f) => ({
    what: `The drop-off point will refuse this parcel: ${f.problems.join('; ')}.`,
    todo: 'Split the posting or take it to a drop-off point that accepts it, before the shipment date.',
  }),
  posting_split: (f) => ({
    what: `The posting ships in ${f.postings.length} packages: Ozon made a posting of each (${f.postings.join(', ')}).`,
    todo: 'Pack each package separately and label each with its own posting number; each is followed on its own.',
  }),
  tariff_step: (f) => ({
    what: `Ozon's tariff for this late posting rises to ${f.rate}%${f.type ? ` (${f.type})` : ''} at the deadline.`,
    todo: 'Assemble and hand the posting over before then, or cancel it yourself if it cannot ship.',
  }),
  handover: (f) => ({
    what: `Hand over ${f.parcels} parcel(s) of ${f.deliveryMethod} (warehouse ${f.warehouseId}) by ${f.deadline}. Act and waybill (PDF): ${f.act} · carriage barcode: ${f.barcode}${f.labels.length ? ` · labels (PDF): ${f.labels.join(' · ')}` : ''} (links valid for ${f.linksValidHours} h).${f.notPacked ? ` ${f.notPacked} posting(s) due today are not packed yet.` : ''}${f.unprinted.length ? ` No label printed for: ${f.unprinted.join('; ')}.` : ''}${f.removed.length ? ` Left out of the act (next carriage): ${f.removed.join(', ')}.` : ''}`,
    todo: 'Print the labels and stick each on its parcel; print the act, bring it with the barcode and the parcels to the drop-off point before the cutoff.',
  }),
  label_unprinted: (f) => ({
    what: `Ozon could not print this posting's label with its carriage: ${f.reason}.`,
    todo: 'Print the label in the seller cabinet (FBS → the posting → label) before the cutoff; a parcel without its label is not accepted.',
  }),
  handover_missed: (f) => ({
    what: `The parcel was not handed over by its carriage's cutoff. ${f.cost}`,
    todo: 'Bring it to the drop-off point with the next carriage (its act and labels come in the next handover alert), or cancel it yourself before Ozon does.',
  }),
  cancellation_request: (f) => ({
    what: `The buyer asked to cancel this posting, which is already with the carrier: "${f.reason}". Ozon approves the request itself at the deadline, and you then pay the delivery both ways.`,
    todo: f.callbackPath
      ? `Answer before the deadline: send {"postingNumber", "approve": true|false, "comment"} to ${f.callbackPath}; without an answer the product rejects it shortly before the deadline.`
      : 'Answer the request in the seller cabinet (rFBS → Cancellation requests) before the deadline.',
  }),
  cancellation_answered: (f) => ({
    what: `The buyer's cancellation request ("${f.reason}") was ${f.decision === 'approved' ? 'approved' : 'rejected'} by ${f.by === 'policy' ? 'your policy' : f.by === 'seller' ? 'you' : 'Ozon'}${f.comment ? `, comment: "${f.comment}"` : ''}.`,
    todo:
      f.decision === 'approved'
        ? 'Nothing: the posting is cancelled and its units go back on the shelf (or the parcel comes back from the carrier).'
        : 'Ship as planned; the buyer may still refuse the parcel at delivery.',
  }),
  return_request: (f) => ({
    what: `The buyer asks to return ${f.offerId} (${f.price} ${f.currency}): "${f.reason}".${f.photos.length ? ` Photos: ${f.photos.join(' ')}` : ''} No rule of yours decides it; Ozon approves it itself at the deadline.`,
    todo: `Answer before the deadline: send {"returnId", "answer": "approve" (take it back for a check) | "refund" (refund, keep nothing back) | "compensate" with "amount" | "reject" with "comment"} to ${f.callbackPath}, or answer in the seller cabinet.`,
  }),
  return_answered: (f) => ({
    what: `The return request for ${f.offerId} ("${f.reason}") was ${{ approve: 'approved: the unit comes back for a check', refund: 'refunded without taking the unit back', compensate: `answered with a partial compensation of ${f.amount ?? ''}`, reject: 'rejected' }[f.answer]} by ${f.by === 'policy' ? 'your rules' : f.by === 'seller' ? 'you' : 'Ozon or the cabinet'}.`,
    todo:
      f.answer === 'approve'
        ? 'Nothing now: you are told when the parcel is back.'
        : 'Nothing: the refund is checked against Ozon’s finance data.',
  }),
  return_unanswered: (f) => ({
    what: `The return request for ${f.offerId} ("${f.reason}") has no answer and your time is over: Ozon approves it itself at the deadline and the buyer sends the unit back.`,
    todo: 'Answer in the seller cabinet now if you disagree; otherwise nothing: the return is followed either way.',
  }),
  return_arrived: (f) => ({
    what: `The returned ${f.offerId} is ${f.where === 'post' ? 'at the post office' : 'at your drop-off point'}.`,
    todo: `Collect and check it, then send {"returnId", "condition": "resellable" | "defective", "refund": true | false, "comment"} to ${f.callbackPath}: resellable units go back on the shelf and to Ozon's stock.`,
  }),
  return_storage: (f) => ({
    what: `The returned ${f.offerId} still waits at the drop-off point: ${f.stage === 'paid_storage' ? 'paid storage starts' : 'Ozon utilizes it'} at the deadline.`,
    todo: 'Collect it from the drop-off point before the deadline.',
  }),
  return_done: (f) => ({
    what: `The return of ${f.offerId} is over: ${{ restocked: 'the unit is back on the shelf and in Ozon’s stock', written_off: 'the unit is written off', utilized: 'Ozon utilized the unit', rejected: 'the request was rejected', refunded: 'the buyer was refunded' }[f.outcome]}.`,
    todo: 'Nothing.',
  }),
  return_left: (f) => ({
    what: `The product stopped following the return of ${f.offerId}: ${f.reason}.`,
    todo: 'Finish it in the seller cabinet (Returns), and put the unit back on the shelf through the seller API if it is resellable.',
  }),
  payout_reversed: (f) => ({
    what: `A refund after the payout: this posting's net payout went from ${f.before} to ${f.after} ${f.currency} (${f.difference}).`,
    todo: 'Nothing if the refund is right; otherwise dispute it with Ozon support with the posting number.',
  }),
  quality_check: (f) => ({
    what: `Check ${lines(f)} before this posting is confirmed on Ozon${f.failures ? ` (the next unit: ${f.failures} failed already)` : ''}: it works, it is complete, it is undamaged.`,
    todo: `Send the result to ${f.callbackPath} ({"passed": true}, or {"passed": false, "offerId", "reason"}) before the deadline; the posting waits for it.`,
  }),
  quality_failed: (f) => ({
    what: `${f.offerId} ×${f.units} failed the quality check (${f.reason}) and was written off your stock.${f.next === 'next_unit' ? ' Another unit is reserved for the posting.' : f.next === 'short' ? ' No other unit is in stock: the posting waits for a restock.' : ` ${f.failures} checks failed: the posting stops until you resume it.`}`,
    todo:
      f.next === 'next_unit'
        ? `Check the next unit and send the result to ${f.callbackPath}.`
        : f.next === 'short'
          ? 'Restock the offer before the deadline, or the posting is cancelled as out of stock.'
          : 'Look at the batch on the shelf and the supplier; resume the posting to check another unit.',
  }),
  quality_check_due: (f) => ({
    what: 'The quality check of this posting is still not answered; Ozon is asked to assemble only after it.',
    todo: `Check the units and send the result to ${f.callbackPath} before the deadline.`,
  }),
  quality_flag: (f) => ({
    what: `${f.offerId} has had ${f.defects} returns for a defect: it is checked before packing from now on.`,
    todo: 'Check the units on the shelf and the supplier’s batch.',
  }),
  rating_warning: (f) => ({
    what: `Ozon rates your shop's "${f.name}" (${f.rating}) ${f.status}: ${f.value}${f.past !== undefined ? ` (was ${f.past})` : ''}.${f.postings.length ? ` Postings the product saw count against it: ${f.postings.slice(0, 20).join(', ')}${f.postings.length > 20 ? ` and ${f.postings.length - 20} more` : ''}.` : ''}`,
    todo: 'Open Ratings in the seller cabinet: fix what weighs on it before Ozon limits or fines the shop (confirm and hand over on time, restock instead of cancelling, answer buyers within a day).',
  }),
  digest: (f) => {
    const b = digestBody(f, DIGEST);
    return {
      what: `Your week ${f.from} – ${f.to}: ${b.figures}.${b.offers ? ` By product: ${b.offers}.` : ''} By SKU (Ozon analytics): ${b.skus}.${f.missing.length ? ` Not in your plan: ${f.missing.map((m) => DIGEST.metrics[m] ?? m).join(', ')} per SKU (Premium Plus).` : ''}${f.unavailable ? ` Ozon's analytics could not be read this week (${f.unavailable}).` : ''}`,
      todo: 'Look at what went wrong on the postings the alerts named; open Analytics in the seller cabinet for the rest.',
    };
  },
  rating_penalty: () => ({
    what: 'Ozon says your penalty points are over the limit (penalty_score_exceeded).',
    todo: 'Open Ratings in the seller cabinet now: Ozon may restrict the shop until the points fall.',
  }),
  buyer_not_told: (f) => ({
    what: `The buyer could not be told (${f.moment}) through Ozon's chat: ${f.reason}. The message was: "${f.text}"`,
    todo: 'Tell the buyer another way if it matters (the chat in the cabinet once the buyer writes).',
  }),
  buyer_message: (f) => ({
    what: `A buyer wrote${f.posting ? ` about ${f.posting}` : ''} (chat ${f.chatId}): "${f.text}"`,
    todo: `Reply before the deadline (Ozon's rating counts replies within 24 h): send {"chatId", "text"} to ${f.callbackPath}, or answer in the cabinet's chats.`,
  }),
  buyer_reply_due: (f) => ({
    what: `A buyer is still waiting for your reply${f.posting ? ` about ${f.posting}` : ''} (chat ${f.chatId}): "${f.text}"`,
    todo: `Reply now: send {"chatId", "text"} to ${f.callbackPath}. If you replied in the cabinet already, nothing.`,
  }),
  removed_from_act: (f) => ({
    what: `Ozon left this posting out of the carriage's act ${f.actId}: it ships with the next carriage.`,
    todo: 'Keep the parcel for the next carriage; if its shipment date is today, check in the cabinet why it was left out.',
  }),
  handover_failed: (f) => ({
    what: `The act for ${f.deliveryMethod} (warehouse ${f.warehouseId}) could not be made: ${f.reason}.`,
    todo: `Make the act in the seller cabinet (FBS → Shipments) before ${f.deadline} and print it with the barcode.`,
  }),
  tracking_missing: () => ({
    what: 'Your carrier has not sent a tracking number for this rFBS posting.',
    todo: 'Get the tracking number from the carrier and send it (POST <SellerApiUrl>/<token>/tracking).',
  }),
  delivery_window_passed: () => ({
    what: 'The delivery window promised to the buyer has passed and the posting is not delivered.',
    todo: 'Ask the carrier for the parcel status and tell the buyer when it will arrive.',
  }),
  possibly_lost: (f) => ({
    what: `Possibly lost: status "${f.status}" since ${f.since}, ${f.checks} checks without progress.`,
    todo: 'Open a search or claim with the carrier (or Ozon support for FBS); prepare a refund or a replacement.',
  }),
  arbitration: (f) => ({
    what: `The posting is in a dispute (${f.status}).`,
    todo: 'Send Ozon the hand-over documents (act, photos) in the seller cabinet to win the dispute.',
  }),
  not_accepted: () => ({
    what: 'The sorting centre did not accept the parcel.',
    todo: 'Collect the parcel from the sorting centre and check the packaging and label before shipping again.',
  }),
  cancel_skipped: (f) => ({
    what: `The posting was not cancelled: Ozon shows it as "${f.status}", where the seller can no longer cancel it.`,
    todo: 'Nothing was changed on Ozon. The product follows the posting from its current status; check the stock count.',
  }),
  needs_attention: (f) => ({
    what: `The posting is stopped and needs you: ${f.problem} — ${f.cause}`,
    todo: 'Fix the cause (in the Ozon cabinet or your stock), then resume: seller API POST /resume {"postingNumber"} or npm run resume -- <posting>. It is re-checked with Ozon daily meanwhile.',
  }),
};
