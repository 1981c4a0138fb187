import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../../core/api/models';

export const EVENT_LABELS: Record<WebhookEventType, string> = {
  'job.completed': 'Job completed',
  'job.failed': 'Job failed',
  'image.analyzed': 'Photo analysed',
};

/** What an endpoint receives, in words: an empty list means every event type. */
export function eventsText(eventTypes: readonly string[]): string {
  if (eventTypes.length === 0 || WEBHOOK_EVENT_TYPES.every((type) => eventTypes.includes(type))) {
    return 'All events';
  }
  return eventTypes.map((type) => EVENT_LABELS[type as WebhookEventType] ?? type).join(', ');
}

/** The URL checks the browser can make; the server also refuses private addresses. */
export function webhookUrlProblem(raw: string): string | null {
  const value = raw.trim();
  if (!value) {
    return 'Enter the URL that receives the events.';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full URL, e.g. https://hooks.example.com/imagineai.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'The URL must start with https://.';
  }
  if (url.username || url.password) {
    return 'Leave credentials out of the URL; verify the signature instead.';
  }
  return null;
}

/** How a delivery's answer reads: the HTTP status, else the error (timeout, refused). */
export function responseText(delivery: {
  response_status: number | null;
  error_message: string | null;
  status: string;
}): string {
  if (delivery.response_status !== null) {
    return `HTTP ${delivery.response_status}`;
  }
  if (delivery.error_message) {
    return delivery.error_message;
  }
  return delivery.status === 'pending' ? 'Not sent yet' : '—';
}
