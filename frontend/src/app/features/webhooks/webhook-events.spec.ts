import { eventsText, responseText, webhookUrlProblem } from './webhook-events';

describe('webhook helpers', () => {
  it('names the subscribed events, an empty list being all of them', () => {
    expect(eventsText([])).toBe('All events');
    expect(eventsText(['job.completed', 'job.failed', 'image.analyzed'])).toBe('All events');
    expect(eventsText(['image.analyzed', 'job.failed'])).toBe('Photo analysed, Job failed');
  });

  it('checks URLs before the server does', () => {
    expect(webhookUrlProblem('https://hooks.example.com/in')).toBeNull();
    expect(webhookUrlProblem('')).toContain('Enter the URL');
    expect(webhookUrlProblem('hooks.example.com')).toContain('full URL');
    expect(webhookUrlProblem('ftp://hooks.example.com')).toContain('https://');
    expect(webhookUrlProblem('https://user:pw@hooks.example.com')).toContain('credentials');
  });

  it('shows the answer of a delivery, or why there was none', () => {
    const base = { response_status: null, error_message: null, status: 'pending' };
    expect(responseText({ ...base, response_status: 500, status: 'failed' })).toBe('HTTP 500');
    expect(responseText({ ...base, error_message: 'timed out', status: 'failed' })).toBe(
      'timed out',
    );
    expect(responseText(base)).toBe('Not sent yet');
  });
});
