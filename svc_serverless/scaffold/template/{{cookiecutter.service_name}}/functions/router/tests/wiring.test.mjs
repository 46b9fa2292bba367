// The real wiring (defaultApp): the AWS SDK and Powertools idempotency, with DynamoDB mocked by
// aws-sdk-client-mock. Needs this function's dependencies (`npm ci` here); skipped otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const deps = await Promise.all([
  import('aws-sdk-client-mock'),
  import('@aws-sdk/client-dynamodb'),
  import('@aws-sdk/lib-dynamodb'),
]).catch(() => null);
const skip = deps ? false : 'the SDK wiring needs the dependencies: run npm ci in functions/router';
const context = { functionName: 'router', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 10000 };

test('POST with an Idempotency-Key records the key, then puts the item only if it is new', { skip }, async () => {
  const [{ mockClient }, { DynamoDBClient, PutItemCommand, UpdateItemCommand }, { DynamoDBDocumentClient, PutCommand }] = deps;
  process.env.AWS_REGION ??= 'us-east-1';
  const dynamodb = mockClient(DynamoDBClient).on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({});
  const documents = mockClient(DynamoDBDocumentClient).on(PutCommand).resolves({});
  try {
    const { COLLECTION, createHandler, defaultApp } = await import('../index.mjs');
    const app = await defaultApp({ TABLE_NAME: 'items', IDEMPOTENCY_TABLE_NAME: 'keys' }, import('../../../layers/domain/index.mjs'));
    const handler = createHandler(async () => app);

    const response = await handler({ routeKey: `POST ${COLLECTION}`, headers: { 'idempotency-key': 'k-1' }, body: '{"name":"a"}' }, context);

    assert.equal(response.statusCode, 201);
    const [put] = documents.commandCalls(PutCommand).map((call) => call.args[0].input);
    assert.equal(put.TableName, 'items');
    assert.equal(put.ConditionExpression, 'attribute_not_exists(id)');
    assert.deepEqual(dynamodb.commandCalls(PutItemCommand).map((call) => call.args[0].input.TableName), ['keys']);
    assert.deepEqual(dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input.TableName), ['keys']);
  } finally {
    dynamodb.restore();
    documents.restore();
  }
});
