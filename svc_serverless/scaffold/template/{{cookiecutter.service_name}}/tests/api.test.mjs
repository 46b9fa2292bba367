{%- set Entity = cookiecutter.__entity_pascal -%}
// The functions and the domain layer together, as deployed: the HTTP API and the receiver
// share one table, and the publisher relays its committed changes as events (the outbox).
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import { COLLECTION, MEMBER, createHandler } from '../functions/router/index.mjs';
import { createHandler as createReceiver } from '../functions/receiver/index.mjs';
import { createHandler as createPublisher } from '../functions/publisher/index.mjs';
// Wired as on Lambda, where the layer provides the domain module, with in-memory AWS.
import { EventPublisher, Repository, {{ Entity }}Service, changeEvent, parse } from '../layers/domain/index.mjs';
import { memoryEvents, memoryIdempotency, memoryTable, sequentialBatch } from '../layers/domain/testing.mjs';

let events;
let handler;
let receiver;
let relay;

beforeEach(() => {
  events = memoryEvents();
  const table = memoryTable();
  const service = new {{ Entity }}Service(new Repository(table, 'test'));
  const createOnce = memoryIdempotency({ key: (request) => request.key, payload: (request) => request.body })((request) => service.create(request.body));
  const runOnce = memoryIdempotency({ key: (record) => record.messageId })((record) => service.handle(parse(record.body)));
  handler = createHandler(async () => ({ service, createOnce, parse }));
  receiver = createReceiver(async () => ({ service, runOnce, processBatch: sequentialBatch }));
  const publisher = createPublisher(async () => ({ publisher: new EventPublisher(events, { source: '{{ cookiecutter.service_name }}' }), changeEvent }));
  // What Lambda's stream source does: hand the new changes to the publisher, failed ones again.
  let position = 0;
  relay = async () => {
    const { batchItemFailures } = await publisher({ Records: table.stream.slice(position) });
    position = batchItemFailures.length ? table.stream.findIndex((r) => r.dynamodb.SequenceNumber === batchItemFailures[0].itemIdentifier) : table.stream.length;
  };
});

async function request(method, path, { body, ...extra } = {}) {
  const event = { routeKey: `${method} ${path}`, ...extra };
  if (body !== undefined) event.body = JSON.stringify(body);
  const response = await handler(event);
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
}

async function create(fields) {
  const response = await request('POST', COLLECTION, { body: fields });
  assert.equal(response.statusCode, 201, response.body);
  return response.json;
}

test('create then read', async () => {
  const created = await create({ name: 'first' });
  const read = await request('GET', MEMBER, { pathParameters: { id: created.id } });
  assert.equal(read.statusCode, 200);
  assert.deepEqual(read.json, created);
  assert.equal(created.version, 1);
});

test('create publishes a thin {{ Entity }}Created with the service as source', async () => {
  const created = await create({ name: 'first' });
  await relay();
  assert.deepEqual(events.entries.map((e) => [e.Source, e.DetailType, e.Detail]), [['{{ cookiecutter.service_name }}', '{{ Entity }}Created', { id: created.id, version: 1, changedFields: ['name'] }]]);
});

test('a redelivered command with a throttled publish makes one {{ cookiecutter.entity }} and one event', async (t) => {
  t.mock.method(console, 'error', () => {});
  const put = events.putEvents;
  let calls = 0;
  events.putEvents = async (input) => {
    calls += 1;
    if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    return put(input);
  };
  const message = { messageId: 'm-1', body: JSON.stringify({ action: 'create', data: { name: 'a' } }) };
  assert.deepEqual(await receiver({ Records: [message] }), { batchItemFailures: [] });
  await relay(); // throttled: the change stays on the stream
  assert.deepEqual(await receiver({ Records: [message] }), { batchItemFailures: [] }); // SQS delivers it again
  await relay();
  const { items } = (await request('GET', COLLECTION)).json;
  assert.equal(items.length, 1);
  assert.deepEqual(events.entries.map((e) => [e.DetailType, e.Detail.id]), [['{{ Entity }}Created', items[0].id]]);
});

test('a retried POST with the same Idempotency-Key makes one {{ cookiecutter.entity }} and one event', async () => {
  const post = { routeKey: `POST ${COLLECTION}`, headers: { 'idempotency-key': 'client-1' }, body: '{"name":"a"}' };
  const first = await handler(post);
  const retry = await handler(post);
  await relay();
  assert.equal(retry.statusCode, 201);
  assert.deepEqual(JSON.parse(retry.body), JSON.parse(first.body));
  const { items } = (await request('GET', COLLECTION)).json;
  assert.equal(items.length, 1);
  assert.deepEqual(events.entries.map((e) => e.DetailType), ['{{ Entity }}Created']);
  const reused = await handler({ ...post, body: '{"name":"b"}' });
  assert.equal(reused.statusCode, 422);
});

test('body may be base64', async () => {
  const body = Buffer.from(JSON.stringify({ name: 'b64' })).toString('base64');
  const response = await handler({ routeKey: `POST ${COLLECTION}`, body, isBase64Encoded: true });
  assert.equal(response.statusCode, 201);
});

test('list pages through everything', async () => {
  const ids = new Set();
  for (let n = 0; n < 5; n += 1) ids.add((await create({ n })).id);
  const seen = new Set();
  let nextToken = null;
  do {
    const query = { limit: '2', ...(nextToken ? { nextToken } : {}) };
    const page = (await request('GET', COLLECTION, { queryStringParameters: query })).json;
    page.items.forEach((item) => seen.add(item.id));
    nextToken = page.nextToken;
  } while (nextToken);
  assert.deepEqual([...seen].sort(), [...ids].sort());
});

test('update merges fields and bumps the version', async () => {
  const created = await create({ name: 'old', keep: 'yes' });
  const updated = await request('PUT', MEMBER, { body: { name: 'new' }, pathParameters: { id: created.id } });
  assert.equal(updated.statusCode, 200);
  assert.equal(updated.json.name, 'new');
  assert.equal(updated.json.keep, 'yes');
  assert.equal(updated.json.version, 2);
  await relay();
  assert.deepEqual(events.entries.filter((e) => e.DetailType === '{{ Entity }}Updated').map((e) => e.Detail), [{ id: created.id, version: 2, changedFields: ['name'] }]);
});

test('delete then read is 404', async () => {
  const created = await create({ name: 'gone' });
  assert.equal((await request('DELETE', MEMBER, { pathParameters: { id: created.id } })).statusCode, 204);
  assert.equal((await request('GET', MEMBER, { pathParameters: { id: created.id } })).statusCode, 404);
  await relay();
  assert.equal(events.entries.at(-1).DetailType, '{{ Entity }}Deleted');
});

test('a missing {{ cookiecutter.entity }} is 404', async () => {
  for (const method of ['GET', 'PUT', 'DELETE']) {
    const response = await request(method, MEMBER, { body: method === 'PUT' ? { a: 1 } : undefined, pathParameters: { id: 'nope' } });
    assert.equal(response.statusCode, 404, method);
  }
});

test('bad input is 400', async () => {
  const statuses = [
    (await handler({ routeKey: `POST ${COLLECTION}`, body: '{' })).statusCode,
    (await request('POST', COLLECTION, { body: [1, 2] })).statusCode,
    (await request('POST', COLLECTION, { body: { id: 'mine' } })).statusCode,
    (await request('GET', COLLECTION, { queryStringParameters: { limit: '0' } })).statusCode,
    (await request('GET', COLLECTION, { queryStringParameters: { nextToken: '???' } })).statusCode,
  ];
  assert.deepEqual(statuses, [400, 400, 400, 400, 400]);
});

test('an unknown route is 404', async () => {
  assert.equal((await request('PATCH', COLLECTION)).statusCode, 404);
});

test('a command on the queue changes what the API serves', async () => {
  const created = await create({ name: 'queued' });
  const message = { messageId: 'm1', body: JSON.stringify({ action: 'update', id: created.id, data: { name: 'changed' } }) };
  assert.deepEqual(await receiver({ Records: [message] }), { batchItemFailures: [] });
  const read = await request('GET', MEMBER, { pathParameters: { id: created.id } });
  assert.equal(read.json.name, 'changed');
});

test('the workflow command processes a {{ cookiecutter.entity }} created through the API', async () => {
  const created = await create({ name: 'to-process' });
  const processed = await receiver({ action: 'process', id: created.id });
  assert.equal(processed.status, 'processed');
  assert.equal((await request('GET', MEMBER, { pathParameters: { id: created.id } })).json.version, 2);
});
