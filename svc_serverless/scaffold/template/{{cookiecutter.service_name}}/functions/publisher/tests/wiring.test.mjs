// The real wiring (defaultApp): the EventBridge client, mocked by aws-sdk-client-mock. Needs
// this function's dependencies (`npm ci` here); skipped otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const deps = await Promise.all([import('aws-sdk-client-mock'), import('@aws-sdk/client-eventbridge')]).catch(() => null);
const skip = deps ? false : 'the SDK wiring needs the dependencies: run npm ci in functions/publisher';
const change = (sequence, id) => ({ eventID: sequence, eventName: 'INSERT', dynamodb: { SequenceNumber: sequence, NewImage: { id: { S: id }, version: { N: '1' }, name: { S: 'secret' } } } });

test('a committed change becomes a thin event; a throttled one is retried from there', { skip }, async (t) => {
  t.mock.method(console, 'error', () => {});
  t.mock.method(console, 'log', () => {});
  const [{ mockClient }, { EventBridgeClient, PutEventsCommand }] = deps;
  process.env.AWS_REGION ??= 'us-east-1';
  const bridge = mockClient(EventBridgeClient);
  bridge.on(PutEventsCommand)
    .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] })
    .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  try {
    const { createHandler, defaultApp } = await import('../index.mjs');
    const app = await defaultApp({ EVENT_SOURCE: '{{ cookiecutter.service_name }}' }, import('../../../layers/domain/index.mjs'));
    const handler = createHandler(async () => app);

    const result = await handler({ Records: [change('1', 'a'), change('2', 'b')] });

    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: '2' }] });
    const [entry] = bridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries;
    assert.deepEqual(entry, {
      Source: '{{ cookiecutter.service_name }}',
      DetailType: '{{ cookiecutter.__entity_pascal }}Created',
      Detail: JSON.stringify({ id: 'a', version: 1, changedFields: ['name'] }),
      EventBusName: 'default',
    });
  } finally {
    bridge.restore();
  }
});
