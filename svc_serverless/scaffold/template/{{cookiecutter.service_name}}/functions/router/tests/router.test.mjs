// Unit tests of the HTTP handler alone: a stub stands in for the domain service (the layer
// is tested in tests/, and with this handler in tests/api.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { COLLECTION, MEMBER, createHandler } from '../index.mjs';
import { parse } from '../../../layers/domain/index.mjs';

class Refused extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** A service stub that records each call and answers with `answer(method, args)`. */
function stub(answer = (method, args) => ({ method, args })) {
  const calls = [];
  const record = (method) => async (...args) => {
    calls.push([method, ...args]);
    return answer(method, args);
  };
  const service = { create: record('create'), get: record('get'), list: record('list'), update: record('update'), delete: record('delete') };
  const createOnce = async (request) => {
    calls.push(['createOnce', request]);
    return answer('createOnce', [request]);
  };
  return { calls, handler: createHandler(async () => ({ service, createOnce, parse })) };
}

const event = (method, path, extra = {}) => ({ routeKey: `${method} ${path}`, ...extra });

test('each route calls the service with the parsed request', async () => {
  const { calls, handler } = stub();
  await handler(event('POST', COLLECTION, { body: '{"name":"a"}' }));
  await handler(event('GET', COLLECTION, { queryStringParameters: { limit: '5', nextToken: 't' } }));
  await handler(event('GET', COLLECTION));
  await handler(event('GET', MEMBER, { pathParameters: { id: 'x' } }));
  await handler(event('PUT', MEMBER, { pathParameters: { id: 'x' }, body: '{"name":"b"}' }));
  await handler(event('DELETE', MEMBER, { pathParameters: { id: 'x' } }));
  assert.deepEqual(calls, [
    ['create', { name: 'a' }],
    ['list', { limit: 5, nextToken: 't' }],
    ['list', { limit: 50, nextToken: null }],
    ['get', 'x'],
    ['update', 'x', { name: 'b' }],
    ['delete', 'x'],
  ]);
});

test('status codes and JSON bodies', async () => {
  const { handler } = stub(() => ({ id: 'x' }));
  const created = await handler(event('POST', COLLECTION, { body: '{}' }));
  const deleted = await handler(event('DELETE', MEMBER, { pathParameters: { id: 'x' } }));
  assert.equal(created.statusCode, 201);
  assert.deepEqual(JSON.parse(created.body), { id: 'x' });
  assert.equal(created.headers['content-type'], 'application/json');
  assert.equal(deleted.statusCode, 204);
  assert.equal(deleted.body, undefined);
});

test('a base64 body is decoded', async () => {
  const { calls, handler } = stub();
  const body = Buffer.from('{"name":"b64"}').toString('base64');
  await handler(event('POST', COLLECTION, { body, isBase64Encoded: true }));
  assert.deepEqual(calls, [['create', { name: 'b64' }]]);
});

test('a body that is not JSON or a limit that is not a number is 400', async () => {
  const { calls, handler } = stub();
  assert.equal((await handler(event('POST', COLLECTION, { body: '{' }))).statusCode, 400);
  assert.equal((await handler(event('GET', COLLECTION, { queryStringParameters: { limit: 'ten' } }))).statusCode, 400);
  assert.deepEqual(calls, []);
});

test("the service's refusals keep their status and message", async () => {
  const { handler } = stub(() => {
    throw new Refused('no such thing', 404);
  });
  const response = await handler(event('GET', MEMBER, { pathParameters: { id: 'x' } }));
  assert.equal(response.statusCode, 404);
  assert.deepEqual(JSON.parse(response.body), { message: 'no such thing' });
});

test('an unknown route is 404', async () => {
  const { handler } = stub();
  assert.equal((await handler(event('PATCH', COLLECTION))).statusCode, 404);
});

test('unexpected errors are thrown so Lambda counts them', async (t) => {
  t.mock.method(console, 'error', () => {});
  const { handler } = stub(() => {
    throw new Error('secret detail');
  });
  // Thrown, not answered: Lambda's Errors metric (the alarm that rolls deploys back) counts it,
  // and API Gateway answers the caller a bare 500 without the details.
  await assert.rejects(handler(event('GET', MEMBER, { pathParameters: { id: 'x' } })), /secret detail/);
});

test('numbers the table cannot hold are 400', async () => {
  const { calls, handler } = stub();
  for (const body of ['{"n": NaN}', '{"n": 1e400}', '[-1e400]', '{"n": 1e200}']) {
    assert.equal((await handler(event('POST', COLLECTION, { body }))).statusCode, 400, body);
  }
  assert.deepEqual(calls, []);
});

test('POST with an Idempotency-Key creates through createOnce', async () => {
  const { calls, handler } = stub();
  await handler(event('POST', COLLECTION, { body: '{"name":"a"}', headers: { 'Idempotency-Key': 'k-1' } }));
  assert.deepEqual(calls, [['createOnce', { key: 'k-1', body: { name: 'a' } }]]);
  const tooLong = await handler(event('POST', COLLECTION, { body: '{}', headers: { 'idempotency-key': 'x'.repeat(129) } }));
  assert.equal(tooLong.statusCode, 400);
});

test('a reused Idempotency-Key with another body is 422', async () => {
  const { handler } = stub(() => {
    throw Object.assign(new Error('mismatch'), { name: 'IdempotencyValidationError' });
  });
  const response = await handler(event('POST', COLLECTION, { body: '{}', headers: { 'idempotency-key': 'k' } }));
  assert.equal(response.statusCode, 422);
});
