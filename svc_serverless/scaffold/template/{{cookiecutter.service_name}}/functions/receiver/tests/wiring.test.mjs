// The real wiring (defaultApp): the AWS SDK, Powertools batch processing and idempotency, with
// DynamoDB mocked by aws-sdk-client-mock. Needs this function's dependencies (`npm ci` here);
// skipped otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const deps = await Promise.all([
  import('aws-sdk-client-mock'),
  import('@aws-sdk/client-dynamodb'),
  import('@aws-sdk/lib-dynamodb'),
]).catch(() => null);
const skip = deps ? false : 'the SDK wiring needs the dependencies: run npm ci in functions/receiver';
const context = { functionName: 'receiver', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 10000 };
const message = (messageId, command) => ({ messageId, body: JSON.stringify(command), eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} });

test('each message is recorded by its id and a failed one is reported alone', { skip }, async (t) => {
  t.mock.method(console, 'error', () => {});
  const [{ mockClient }, { DynamoDBClient, PutItemCommand, UpdateItemCommand, DeleteItemCommand }, { DynamoDBDocumentClient, PutCommand }] = deps;
  process.env.AWS_REGION ??= 'us-east-1';
  const dynamodb = mockClient(DynamoDBClient).on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({}).on(DeleteItemCommand).resolves({});
  const documents = mockClient(DynamoDBDocumentClient).on(PutCommand).resolves({});
  try {
    const { createHandler, defaultApp } = await import('../index.mjs');
    const app = await defaultApp({ TABLE_NAME: 'items', IDEMPOTENCY_TABLE_NAME: 'keys' }, import('../../../layers/domain/index.mjs'));
    const handler = createHandler(async () => app);

    const result = await handler({ Records: [message('m-1', { action: 'create', data: { name: 'a' } }), message('m-2', { action: 'launch' })] }, context);

    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    assert.deepEqual(documents.commandCalls(PutCommand).map((call) => call.args[0].input.TableName), ['items']);
    assert.deepEqual(dynamodb.commandCalls(PutItemCommand).map((call) => call.args[0].input.TableName), ['keys', 'keys']);
    // The failed message's record is removed, so its redelivery runs again.
    assert.equal(dynamodb.commandCalls(DeleteItemCommand).length, 1);
  } finally {
    dynamodb.restore();
    documents.restore();
  }
});
