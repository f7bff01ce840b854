// The inbox as a live stream: GET /api/v1/events (Server-Sent Events).
// EventSource sends the session cookie by itself (same origin) and the
// endpoint takes it like any GET (no CSRF token is needed to read), so no
// token ever reaches script. On reconnect the browser sends
// Last-Event-ID and the node resumes after it; nothing is lost.
const KINDS = ['match', 'watch', 'silent_search', 'silent_match', 'silent_read', 'notice', 'request', 'request_answer',
  'request_overdue', 'request_escalated'];

// onAlert(alert) for each event; onState('live'|'down') as the stream
// opens and fails (the caller polls while it is down). Returns close().
export function openLive(after, onAlert, onState) {
  if (!window.EventSource) { onState('down'); return () => {}; }
  const src = new EventSource(`/api/v1/events?after=${encodeURIComponent(after)}`);
  const handle = (ev) => {
    try { onAlert(JSON.parse(ev.data)); } catch (e) { /* not an alert */ }
  };
  for (const k of KINDS) src.addEventListener(k, handle);
  src.onmessage = handle;
  src.onopen = () => onState('live');
  src.onerror = () => onState('down');
  return () => src.close();
}
