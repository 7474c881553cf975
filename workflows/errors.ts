/**
 * Error names the state machine matches. They are the `name`s of the classes in functions/shared/errors.ts; a test
 * checks the two lists agree, so a renamed class cannot silently break a Retry or Catch.
 */
export const TRANSIENT = ['OzonRateLimited', 'OzonUnavailable', 'AwsUnavailable'] as const;
export const CANCELLED = 'PostingCancelled';
export const STOCK_SHORT = 'StockShort';
export const SHIP_FAILED = 'ShipFailed';
export const SHIP_REFUSED = 'ShipRefused';
export const LABEL_NOT_READY = 'LabelNotReady';
export const POSTING_NOT_FOUND = 'PostingNotFound';
export const OZON_AUTH = 'OzonAuthError';
export const DEADLINE_PASSED = 'DeadlinePassed';
export const NOTHING_TO_SHIP = 'NothingToShip';
export const MARKING_CODES_REQUIRED = 'MarkingCodesRequired';
export const PACKING_NEVER_CONFIRMED = 'PackingNeverConfirmed';
export const TRACKING_NUMBER_MISSING = 'TrackingNumberMissing';
export const IN_ARBITRATION = 'InArbitration';
export const NOT_ACCEPTED = 'NotAccepted';
export const ALL = [
  ...TRANSIENT,
  CANCELLED,
  STOCK_SHORT,
  SHIP_FAILED,
  SHIP_REFUSED,
  LABEL_NOT_READY,
  POSTING_NOT_FOUND,
  OZON_AUTH,
  DEADLINE_PASSED,
  NOTHING_TO_SHIP,
  MARKING_CODES_REQUIRED,
  PACKING_NEVER_CONFIRMED,
  TRACKING_NUMBER_MISSING,
  IN_ARBITRATION,
  NOT_ACCEPTED,
] as const;
