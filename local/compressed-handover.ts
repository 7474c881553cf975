/**
 * The handover day on a compressed clock. The act (and the carriage's labels) are made HANDOVER_LEAD_HOURS before
 * the cutoff, 2 h by default, and the Handover waits for that time hour by hour: at ×10,000 the last hour before a
 * cutoff is 0.36 real seconds, and on a busy machine a carriage's labels were sometimes asked for after it had left
 * (every label refused). Against the sandbox the local runs make the act 6 simulated hours ahead, and the sandbox's
 * day of packing ends then too. On Ozon's clock, with Lambda's own concurrency, the default is plenty.
 */
const HOUR_MS = 3600_000;
export const COMPRESSED_ACT_LEAD_HOURS = 6;

export const compressedHandover = {
  /** Sandbox timing: packing for a carriage ends when its act is made. */
  sandboxTiming: { actWindow: COMPRESSED_ACT_LEAD_HOURS * HOUR_MS },
  /** The functions' configuration. */
  environment: { HANDOVER_LEAD_HOURS: String(COMPRESSED_ACT_LEAD_HOURS) },
};
