/**
 * Error names the state machine matches, taken from the error classes themselves (functions/shared/errors.ts): a
 * renamed class renames its Retry or Catch with it, and no name exists as a string copy.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as C from '#shared/errors';

export const TRANSIENT = [C.OzonRateLimited.name, C.OzonUnavailable.name, C.AwsUnavailable.name];
/**
 * Ran out of time: the task (States.Timeout), the Lambda itself (Sandbox.Timedout, as Step Functions reports it), or
 * middy's early timeout (TimeoutError). Worth another try, never the end of a posting.
 */
export const TIMEOUTS = [sfn.Errors.TIMEOUT, 'Sandbox.Timedout', 'TimeoutError'];
export const CANCELLED = C.PostingCancelled.name;
export const STOCK_SHORT = C.StockShort.name;
export const SHIP_FAILED = C.ShipFailed.name;
export const ASSEMBLY_NOT_REPORTED = C.AssemblyNotReported.name;
export const NOT_PACKED_YET = C.NotPackedYet.name;
export const QUALITY_CHECK_PENDING = C.QualityCheckPending.name;
export const QUALITY_CHECK_FAILED = C.QualityCheckFailed.name;
export const SHIP_REFUSED = C.ShipRefused.name;
export const LABEL_NOT_READY = C.LabelNotReady.name;
export const POSTING_NOT_FOUND = C.PostingNotFound.name;
export const DEADLINE_PASSED = C.DeadlinePassed.name;
export const NOTHING_TO_SHIP = C.NothingToShip.name;
export const ASSEMBLY_DATA_REQUIRED = C.AssemblyDataRequired.name;
export const ASSEMBLY_DATA_MISSING = C.AssemblyDataMissing.name;
export const ASSEMBLY_DATA_CHECKING = C.AssemblyDataChecking.name;
export const AWAITING_APPROVAL = C.AwaitingApproval.name;
export const SHIPS_IN_PACKAGES = C.ShipsInPackages.name;
export const CARRIER_REGISTERING = C.CarrierRegistering.name;
export const CARRIER_REGISTRATION_FAILED = C.CarrierRegistrationFailed.name;
export const PACKING_NEVER_CONFIRMED = C.PackingNeverConfirmed.name;
export const TRACKING_NUMBER_MISSING = C.TrackingNumberMissing.name;
export const IN_ARBITRATION = C.InArbitration.name;
export const NOT_ACCEPTED = C.NotAccepted.name;
export const HANDOVER_TO_CARRIER = C.HandoverToCarrier.name;
export const ACT_NOT_YET = C.ActNotYet.name;
export const ACT_TOO_EARLY = C.ActTooEarly.name;
export const HANDOVER_NOT_DUE = C.HandoverNotDue.name;
export const CANCELLATION_REQUESTED = C.CancellationRequested.name;
export const CANCELLATION_DECISION_ASKED = C.CancellationDecisionAsked.name;
export const CANCELLATION_NOT_APPLIED = C.CancellationNotApplied.name;
export const ACT_NOT_READY = C.ActNotReady.name;
export const NOTHING_TO_HAND_OVER = C.NothingToHandOver.name;
export const RETURN_AWAITING_SELLER = C.ReturnAwaitingSeller.name;
export const RETURN_AWAITING_OZON = C.ReturnAwaitingOzon.name;
export const RETURN_IN_TRANSIT = C.ReturnInTransit.name;
export const RETURN_NOT_COLLECTED = C.ReturnNotCollected.name;
export const RETURN_AWAITING_CHECK = C.ReturnAwaitingCheck.name;
export const POSTING_NOT_SETTLED = C.PostingNotSettled.name;
export const REFUND_NOT_BOOKED = C.RefundNotBooked.name;
