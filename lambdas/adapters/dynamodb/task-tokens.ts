/** Step Functions task tokens of the wait states, by what waits: taken once. */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskTokenKey, TaskTokenKind, TaskTokenStore } from '../../ports';
import { keys, PK, releasePartition } from './keys';
import type { StoreTable } from './store-table';

export class DynamoDbTaskTokens implements TaskTokenStore {
  constructor(private readonly table: StoreTable) {}

  async putTaskToken(key: TaskTokenKey, token: string): Promise<void> {
    // A retried wait state brings a new token for the same key; the newest is the live one.
    await this.table.call(
      this.table.documents.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.taskToken(key), entity: 'taskToken', ...key, token },
        }),
      ),
    );
  }

  async takeTaskToken(key: TaskTokenKey): Promise<string | undefined> {
    // Deleting and reading are one operation, and only an existing token can be deleted: of two
    // callers, exactly one gets it (the condition also keeps DynamoDB Local honest, which can
    // otherwise return the old item to both of two simultaneous deletes).
    const outcome = await this.table.conditionally(
      this.table.documents.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keys.taskToken(key),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    const token = 'written' in outcome ? outcome.written.Attributes?.token : undefined;
    return token === undefined ? undefined : String(token);
  }

  async listTaskTokens(
    releaseId: string,
    kind?: TaskTokenKind,
  ): Promise<Array<TaskTokenKey & { token: string }>> {
    const items = await this.table.queryPrefix(
      releasePartition(releaseId),
      kind ? `TOKEN#${kind}#` : 'TOKEN#',
    );
    return items.map((item) => ({
      releaseId: String(item.releaseId),
      kind: item.kind as TaskTokenKind,
      name: String(item.name),
      token: String(item.token),
    }));
  }
}
