// Unit tests of the receiver alone: a stub stands in for the domain service (the layer is
// tested in tests/, and with this handler in tests/api.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createHandler } from '../index.mjs';
import { memoryIdempotency, sequentialBatch } from '../../../layers/domain/testing.mjs';

/** A service whose handle() records each command and fails those with action "fail". */
function stub() {
  const handled = [];
  const service = {
    async handle(command) {
      handled.push(command);
      if (command?.action === 'fail') throw Object.assign(new Error('refused'), { name: 'NotFound' });
      return { done: command.action };
    },
  };
  const once = memoryIdempotency({ key: (record) => record.messageId });
  const runOnce = once(async (record) => service.handle(JSON.parse(record.body)));
  return { handled, handler: createHandler(async () => ({ service, runOnce, processBatch: sequentialBatch })) };
}

const batch = (...bodies) => ({ Records: bodies.map((body, n) => ({ messageId: `m${n}`, body, eventSource: 'aws:sqs' })) });

test('a batch runs every command', async () => {
  const { handled, handler } = stub();
  const result = await handler(batch('{"action":"create"}', '{"action":"delete","id":"x"}'));
  assert.deepEqual(result, { batchItemFailures: [] });
  assert.deepEqual(handled, [{ action: 'create' }, { action: 'delete', id: 'x' }]);
});

test('a batch reports only the failed messages', async (t) => {
  t.mock.method(console, 'error', () => {});
  const { handled, handler } = stub();
  const result = await handler(batch('{"action":"create"}', '{"action":"fail"}', 'not json', '{"action":"update"}'));
  assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
  assert.equal(handled.length, 3);
});

test('a redelivered message runs once', async () => {
  const { handled, handler } = stub();
  await handler(batch('{"action":"create"}'));
  assert.deepEqual(await handler(batch('{"action":"create"}')), { batchItemFailures: [] });
  assert.equal(handled.length, 1);
});

test('a direct invocation returns the result', async () => {
  const { handler } = stub();
  assert.deepEqual(await handler({ action: 'process', id: 'x' }), { done: 'process' });
});

test('a direct invocation throws so the workflow step fails', async () => {
  const { handler } = stub();
  await assert.rejects(handler({ action: 'fail' }), { name: 'NotFound' });
});
