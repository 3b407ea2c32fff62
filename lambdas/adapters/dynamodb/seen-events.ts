/** Event ids already handled: EventBridge delivers at least once. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SeenEventStore } from '../../ports';
import { epochSeconds, keys, PK, TTL } from './keys';
import type { StoreTable } from './store-table';

export class DynamoDbSeenEvents implements SeenEventStore {
  constructor(private readonly table: StoreTable) {}

  async markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean> {
    const now = this.table.clock.now().getTime();
    const seenUntilMs = now + Math.max(0, ttlSeconds) * 1000;
    const outcome = await this.table.conditionally(
      this.table.documents.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.event(eventId),
            entity: 'seenEvent',
            eventId,
            seenUntilMs,
            [TTL]: epochSeconds(seenUntilMs),
          },
          // TTL deletes late (typically within a few days of expiry), so an id is "unseen" again
          // once its window has passed by the clock, whether or not TTL has removed it:
          // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
          ConditionExpression: 'attribute_not_exists(#pk) OR seenUntilMs <= :now',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':now': now },
        }),
      ),
    );
    return 'written' in outcome;
  }
}
