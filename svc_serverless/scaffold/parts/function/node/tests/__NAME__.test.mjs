// Unit tests of the __NAME__ function alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { handler } from '../index.mjs';

const EVENTS = {
  api: { routeKey: 'GET /__SERVICE__/__NAME__' },
  queue: { Records: [{ messageId: 'm1', body: '{}' }, { messageId: 'm2', body: 'not json' }] },
  schedule: { time: '2025-01-01T00:00:00Z' },
  event: { source: 'other', 'detail-type': 'Something' },
};
const EXPECTED = {
  api: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ function: '__NAME__' }) },
  queue: { batchItemFailures: [{ itemIdentifier: 'm2' }] },
  schedule: { ran: true },
  event: { handled: 'Something' },
};

test('the handler answers its trigger', async () => {
  assert.deepEqual(await handler(EVENTS['__TRIGGER__']), EXPECTED['__TRIGGER__']);
});
