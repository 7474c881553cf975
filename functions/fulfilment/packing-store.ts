/**
 * The seller's packing data: which offers ship in a package of their own (the posting is then split on Ozon) and
 * how many boxes a unit of a multi-box offer takes. Per offer, not per warehouse — one small item for the account,
 * set through the seller API (`packing`) and read by ConfirmPosting for every posting: a copy is kept in memory for
 * PACKING_CACHE_MS, so a posting costs no read of it and a change reaches every function within that time.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { onReset } from '#shared/clients';
import { env } from '#shared/config';
import { db, keys } from '#shared/db';
import type { OrderLine } from '#shared/order';
import { packagesFor } from './rules';

export const PACKING_CACHE_MS = 5 * 60_000;

export const Packing = z.object({
  /** Offers whose every unit ships alone. */
  alone: z._default(z.array(z.string()), []),
  /** Boxes per unit of a multi-box offer. */
  boxes: z._default(z.record(z.string(), z.int().check(z.positive())), {}),
  /** Grams per packed unit, to check a parcel against its drop-off point's limits. */
  grams: z._default(z.record(z.string(), z.number().check(z.positive())), {}),
  /**
   * Offers the warehouse checks before Ozon is asked to assemble (quality/): set by the seller, and by the product
   * when an offer's defect returns reach QUALITY_DEFECT_THRESHOLD.
   */
  check: z._default(z.array(z.string()), []),
});
export type Packing = z.infer<typeof Packing>;

let cached: { packing: Packing; at: number } | undefined;
onReset(() => {
  cached = undefined;
});

const table = () => env('table').TABLE_NAME;

/**
 * The packing data, from memory when read less than PACKING_CACHE_MS ago — wall-clock time, not the product's
 * clock: the copy is about how often one process reads, which a simulated clock (locally, days in seconds) would
 * turn into a read per posting. A change through the seller API clears the copy at once.
 */
export async function packingData(): Promise<Packing> {
  if (cached && Date.now() - cached.at < PACKING_CACHE_MS) return cached.packing;
  const { Item } = await db().send(new GetCommand({ TableName: table(), Key: keys.packing() }));
  cached = { packing: Packing.parse(Item ?? {}), at: Date.now() };
  return cached.packing;
}

/** The packages a posting's lines ship in, by the seller's packing data (rules `packagesFor`). */
export async function packagesOf(lines: OrderLine[]) {
  return packagesFor(lines, new Set((await packingData()).alone));
}

/** One offer's packing data, as the seller says it now. */
export async function setPacking(
  offerId: string,
  data: { shipsAlone?: boolean; boxesPerUnit?: number; gramsPerUnit?: number; qualityCheck?: boolean },
) {
  const current = Packing.parse(
    (await db().send(new GetCommand({ TableName: table(), Key: keys.packing(), ConsistentRead: true }))).Item ?? {},
  );
  const alone = new Set(current.alone);
  if (data.shipsAlone === true) alone.add(offerId);
  if (data.shipsAlone === false) alone.delete(offerId);
  const boxes = { ...current.boxes };
  if (data.boxesPerUnit !== undefined) boxes[offerId] = data.boxesPerUnit;
  const grams = { ...current.grams };
  if (data.gramsPerUnit !== undefined) grams[offerId] = data.gramsPerUnit;
  const check = new Set(current.check);
  if (data.qualityCheck === true) check.add(offerId);
  if (data.qualityCheck === false) check.delete(offerId);
  // Last writer wins: the seller's tools send one offer at a time, and a lost concurrent update is re-sent.
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.packing(),
      UpdateExpression: 'SET alone = :alone, boxes = :boxes, grams = :grams, #check = :check',
      ExpressionAttributeNames: { '#check': 'check' },
      ExpressionAttributeValues: {
        ':alone': [...alone].sort(),
        ':boxes': boxes,
        ':grams': grams,
        ':check': [...check].sort(),
      },
    }),
  );
  cached = undefined;
  return {
    offerId,
    shipsAlone: alone.has(offerId),
    boxesPerUnit: boxes[offerId],
    gramsPerUnit: grams[offerId],
    qualityCheck: check.has(offerId),
  };
}
