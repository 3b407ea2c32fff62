/**
 * Paging through an AWS list call. Every loop stops when a page does not advance: an API (or an
 * emulator: moto never returns Route 53's NextRecordIdentifier) that hands back the token it was
 * given would otherwise keep a Lambda looping until its timeout.
 */

/** An AWS API answered the same page token twice in a row. */
export class PagingStalledError extends Error {
  override readonly name = 'PagingStalledError';
}

/**
 * Yields `fetch(token)` pages, from no token until `next(page)` gives none. A token seen before
 * (compared as JSON, so compound tokens work) is a listing that does not advance.
 */
export async function* pages<Page, Token>(
  what: string,
  fetch: (token: Token | undefined) => Promise<Page>,
  next: (page: Page) => Token | undefined,
): AsyncGenerator<Page> {
  const seen = new Set<string>();
  let token: Token | undefined;
  for (;;) {
    const page = await fetch(token);
    yield page;
    token = next(page);
    if (token === undefined) return;
    const key = JSON.stringify(token);
    if (seen.has(key)) {
      throw new PagingStalledError(
        `${what} returned a page token it had returned before: the listing does not advance`,
      );
    }
    seen.add(key);
  }
}
