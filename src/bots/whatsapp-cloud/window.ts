/** WhatsApp's customer-service window: free-form messages only within 24 h of the patient's last one. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 3600_000;

/**
 * Whether a business-initiated message (a reminder, a cancellation by the clinic) must be an
 * approved template: the patient never wrote, or wrote 24 hours ago or more. Replies to an
 * inbound message are always inside the window and never need one.
 */
export function needsTemplate(lastInboundAt: Date | null | undefined, now: Date): boolean {
  if (!lastInboundAt) return true;
  return now.getTime() - lastInboundAt.getTime() >= CUSTOMER_SERVICE_WINDOW_MS;
}
