// Unit tests of the publisher alone: the outbox relay, with a recording event bus.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createHandler } from '../index.mjs';
import { changeEvent } from '../../../layers/domain/index.mjs';

const image = (id, version) => ({ id: { S: id }, version: { N: String(version) } });
const insert = (sequence, id) => ({ eventID: sequence, eventName: 'INSERT', dynamodb: { SequenceNumber: sequence, NewImage: image(id, 1) } });

/** A publisher that refuses the events of one id and records the others. */
function failingOn(id) {
  const published = [];
  return {
    published,
    async publish(event) {
      if (event.detail.id === id) throw new Error('ThrottlingException');
      published.push(event);
    },
  };
}

test('every change becomes one event, in order', async () => {
  const publisher = failingOn(null);
  const handler = createHandler(async () => ({ publisher, changeEvent }));
  assert.deepEqual(await handler({ Records: [insert('1', 'a'), insert('2', 'b')] }), { batchItemFailures: [] });
  assert.deepEqual(publisher.published.map((e) => e.detail.id), ['a', 'b']);
});

test('a failure stops the batch so no event is published twice', async (t) => {
  t.mock.method(console, 'error', () => {});
  const publisher = failingOn('b');
  const handler = createHandler(async () => ({ publisher, changeEvent }));
  const result = await handler({ Records: [insert('1', 'a'), insert('2', 'b'), insert('3', 'c')] });
  assert.deepEqual(publisher.published.map((e) => e.detail.id), ['a']);
  assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }] });
});
