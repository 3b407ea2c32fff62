import { describe, expect, it } from 'vitest';
import { PagingStalledError, pages } from '../../../lambdas/adapters/aws/paging';

/** Pages of a listing by token: each answers its items and the next token. */
function listing(answers: Record<string, { items: number[]; next?: unknown }>) {
  const asked: unknown[] = [];
  const fetch = async (token: unknown) => {
    asked.push(token);
    return answers[JSON.stringify(token ?? null)]!;
  };
  return { asked, fetch };
}

async function collect(generator: AsyncGenerator<{ items: number[] }>): Promise<number[]> {
  const items: number[] = [];
  for await (const page of generator) items.push(...page.items);
  return items;
}

describe('pages', () => {
  it('follows tokens, compound ones too, until a page gives none', async () => {
    const { asked, fetch } = listing({
      null: { items: [1], next: { name: 'a.', type: 'A' } },
      '{"name":"a.","type":"A"}': { items: [2], next: { name: 'b.', type: 'A' } },
      '{"name":"b.","type":"A"}': { items: [3] },
    });
    expect(await collect(pages('the listing', fetch, (page) => page.next))).toEqual([1, 2, 3]);
    expect(asked).toHaveLength(3);
  });

  it('stops with PagingStalledError when a token comes back, even after others', async () => {
    const { asked, fetch } = listing({
      null: { items: [1], next: 'p2' },
      '"p2"': { items: [2], next: 'p3' },
      '"p3"': { items: [3], next: 'p2' },
    });
    await expect(collect(pages('DescribeRules of a listener', fetch, (page) => page.next))).rejects.toThrow(
      new PagingStalledError(
        'DescribeRules of a listener returned a page token it had returned before: the listing does not advance',
      ),
    );
    expect(asked).toEqual([undefined, 'p2', 'p3']);
  });
});
