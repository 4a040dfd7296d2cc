/**
 * A server that answers 503 first: a page route that refuses the first `times` matching requests
 * with the API's own busy answer (JSON + Retry-After), then lets them through to the real server.
 */
import type { Page, Route } from 'playwright-core';

export interface BusyRoute {
  /** Requests answered 503 so far. */
  refused(): number;
  /** Requests let through to the server so far. */
  passed(): number;
}

export async function answerBusyFirst(page: Page, match: (url: URL, method: string) => boolean, times: number, retryAfterS = 1): Promise<BusyRoute> {
  let refused = 0;
  let passed = 0;
  await page.route(
    (url) => match(url, ''),
    async (route: Route) => {
      const req = route.request();
      if (!match(new URL(req.url()), req.method())) return route.continue();
      if (refused < times) {
        refused++;
        return route.fulfill({
          status: 503,
          headers: { 'retry-after': String(retryAfterS), 'cache-control': 'no-store' },
          contentType: 'application/json',
          body: JSON.stringify({ error: 'busy', message: 'server busy (test route); retry' }),
        });
      }
      passed++;
      return route.continue();
    },
  );
  return { refused: () => refused, passed: () => passed };
}
