/**
 * Named errors. Each class's `name` is what the OrderLifecycle state machine's Retry/Catch `ErrorEquals`
 * matches, so renaming one is a change to the workflow's contract (see workflows/errors.ts).
 */
abstract class NamedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Ozon answered 429 (code 8) or `Circle is open`: transient, retried with backoff. */
export class OzonRateLimited extends NamedError {}
/** Ozon answered 5xx, timed out or the connection failed: transient, retried with backoff. */
export class OzonUnavailable extends NamedError {}
/** DynamoDB, SNS, S3 or Step Functions throttled or timed out: transient, retried with backoff. */
export class AwsUnavailable extends NamedError {}
/** The key is invalid, expired, deactivated or lacks a role, or the method is obsolete: retrying cannot help. */
export class OzonAuthError extends NamedError {}
/** Ozon refused the request (4xx) with its own `code`/`message`, for example `HAS_INCORRECT_STATUS`. */
export class OzonRequestRejected extends NamedError {
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly ozonCode: string | number | undefined,
    readonly ozonMessage: string,
  ) {
    super(`${endpoint} refused (HTTP ${status}, code ${String(ozonCode)}): ${ozonMessage}`);
  }
}
/** A response did not match the endpoint's schema: Ozon changed something we rely on. */
export class OzonResponseInvalid extends NamedError {}
/** A mutating Ozon call was attempted in read-only mode (real credentials without --allow-changes). */
export class MutationNotAllowed extends NamedError {}

/** The posting is cancelled: every phase ends through ReleaseStock into Cancelled. */
export class PostingCancelled extends NamedError {}
/** Ozon does not know the posting number. */
export class PostingNotFound extends NamedError {}
/** Some lines cannot be reserved from the seller's stock. */
export class StockShort extends NamedError {}
/** Ozon's asynchronous assembly ended in `ship_failed`: ship again. */
export class ShipFailed extends NamedError {}
/**
 * Ozon has said nothing of the assembly within the state's assembly timeout: ConfirmPosting asks Ozon (`get`) and
 * ships again only if Ozon has not assembled it.
 */
export class AssemblyNotReported extends NamedError {}
/** Ship failed too often or was refused for a reason the seller has to fix. */
export class ShipRefused extends NamedError {}
/**
 * Not a failure: Ozon needs marking codes, customs data or a box count before it assembles. ConfirmPosting says so
 * and the state machine catches it into PrepareAssembly, which sends them.
 */
export class AssemblyDataRequired extends NamedError {}
/** What Ozon needs before assembly is missing or was refused: the seller has to send it (AwaitMarkingCodes). */
export class AssemblyDataMissing extends NamedError {}
/** The seller never sent (valid) assembly data despite the alerts: the posting waits in NeedsAttention. */
export class AssemblyDataNotSent extends NamedError {}
/** Ozon is still checking the marking codes it was sent (exemplar status `validation_in_process`): ask again. */
export class AssemblyDataChecking extends NamedError {}
/** The posting waits for Ozon's approval (`awaiting_approve`) before it may be assembled (AwaitApproval). */
export class AwaitingApproval extends NamedError {}
/** The seller's packing data puts the posting in several packages: ShipInPackages splits it on Ozon. */
export class ShipsInPackages extends NamedError {}
/** Not a failure: Ozon registers an aggregator's parcel with the carrier (AwaitCarrierRegistration). */
export class CarrierRegistering extends NamedError {}
/** Ozon could not register the parcel with the carrier (`posting_registration_error`). */
export class CarrierRegistrationFailed extends NamedError {}
/** A buyer asked to cancel an rFBS posting (conditional cancellation): DecideCancellationRequest answers it. */
export class CancellationRequested extends NamedError {}
/** The seller decides a cancellation request: the posting waits for the answer (AwaitCancellationDecision). */
export class CancellationDecisionAsked extends NamedError {}
/** A cancellation request was approved on Ozon and the posting is not cancelled yet: looked at again shortly. */
export class CancellationNotApplied extends NamedError {}
/** Return: the policy leaves the request to the seller, who has not answered yet: looked at again hourly. */
export class ReturnAwaitingSeller extends NamedError {}
/** Return: the seller's answer time is over and Ozon has not decided the request yet: looked at again hourly. */
export class ReturnAwaitingOzon extends NamedError {}
/** Return: the parcel is on its way back: looked at again every few hours. */
export class ReturnInTransit extends NamedError {}
/** Return (FBS): the parcel waits at the drop-off point for the seller: looked at again every few hours. */
export class ReturnNotCollected extends NamedError {}
/** Return: the parcel is back and the seller has not reported its check yet: looked at again every few hours. */
export class ReturnAwaitingCheck extends NamedError {}
/** Return: the posting's own payout is not settled yet, so a refund cannot be told from the sale: later. */
export class PostingNotSettled extends NamedError {}
/** Return: the refund is not in Ozon's finance data yet: looked at again every few hours. */
export class RefundNotBooked extends NamedError {}
/** Handover: the day's parcels are still being packed: the act is made `HANDOVER_LEAD_HOURS` before the cutoff. */
export class ActTooEarly extends NamedError {}
/** Handover: Ozon cannot make the carriage's act yet (postings still being packed or registered): ask again. */
export class ActNotYet extends NamedError {}
/** Handover: the act's documents are still being formed. */
export class ActNotReady extends NamedError {}
/** Handover: Ozon refused the act or could not form its documents: the seller makes it in the cabinet. */
export class ActRefused extends NamedError {}
/** Handover: the carriage's cutoff has not passed by the check's margin: its parcels are looked at later. */
export class HandoverNotDue extends NamedError {}
/** Handover: the carriage has nothing to hand over (`no_postings`). */
export class NothingToHandOver extends NamedError {}
/** The seller's policy wants the warehouse's "packed" before Ozon is asked to assemble, and it has not come. */
export class NotPackedYet extends NamedError {}
/** The seller's policy wants the warehouse's quality check of the units first, and it has not come (quality/). */
export class QualityCheckPending extends NamedError {}
/** The warehouse's quality check failed: the unit is written off and another one reserved, if there is one. */
export class QualityCheckFailed extends NamedError {}
/** The quality check failed too often for one posting: the seller looks at the batch (NeedsAttention). */
export class QualityKeepsFailing extends NamedError {}
/** The warehouse never answered the quality check despite the reminders. */
export class QualityNeverChecked extends NamedError {}
/** Short stock and no line can be shipped: the whole posting is cancelled. */
export class NothingToShip extends NamedError {}
/** The warehouse never confirmed "packed" despite the reminders. */
export class PackingNeverConfirmed extends NamedError {}
/** The rFBS carrier sent no tracking number despite the alerts. */
export class TrackingNumberMissing extends NamedError {}
/**
 * Raised through SendTaskFailure, never thrown by a step: a wait's deadline passed (the poller enforces deadlines
 * that moved after the wait began), the parcel is in a dispute, or the sorting centre refused it.
 */
export class DeadlinePassed extends NamedError {}
export class InArbitration extends NamedError {}
export class NotAccepted extends NamedError {}
/**
 * Not a failure: an rFBS parcel goes to the seller's carrier, whose tracking number comes next. RegisterShipment
 * says so with this error (caught into AwaitTrackingNumber) so that no Choice state sits on every FBS posting's way.
 */
export class HandoverToCarrier extends NamedError {}
/** A carriage's label task is not finished yet (Ozon forms the file asynchronously): the state asks again. */
export class LabelNotReady extends NamedError {}
/** The order record is not where a step expects it: a bug or a record deleted by hand. */
export class OrderNotFound extends NamedError {}
/** Configuration is missing or malformed. */
export class ConfigError extends NamedError {}
