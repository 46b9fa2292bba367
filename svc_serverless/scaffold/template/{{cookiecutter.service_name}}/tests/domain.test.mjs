{%- set Entity = cookiecutter.__entity_pascal -%}
// The shared domain layer, tested once here for both functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CREATED, DELETED, UPDATED, Conflict, EventPublisher, NotFound, Repository, ValidationFailed, {{ Entity }}Service, changeEvent, parse } from '../layers/domain/index.mjs';
import { memoryTable } from '../layers/domain/testing.mjs';

function setup() {
  const table = memoryTable();
  let n = 0;
  const repository = new Repository(table, 'test');
  const service = new {{ Entity }}Service(repository, {
    clock: () => '2025-01-01T00:00:00.000Z',
    newId: () => `id-${n++}`,
  });
  return { table, repository, service };
}

test('create sets the service fields', async () => {
  const { service } = setup();
  const item = await service.create({ name: 'a', price: 9.5 });
  assert.deepEqual(item, { name: 'a', price: 9.5, id: 'id-0', version: 1, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' });
  assert.deepEqual(await service.get('id-0'), item);
});

test('a stale write is a conflict', async () => {
  const { repository, service } = setup();
  const item = await service.create({ name: 'a' });
  await service.update(item.id, { name: 'b' });
  await assert.rejects(repository.replace({ ...item, name: 'stale', version: 2 }, item.version), Conflict);
});

test('reserved and oversized fields are refused', async () => {
  const { service } = setup();
  await assert.rejects(service.create({ version: 7 }), ValidationFailed);
  await assert.rejects(service.create({ blob: 'x'.repeat(70000) }), ValidationFailed);
  await assert.rejects(service.get(''), ValidationFailed);
});

test('an unknown command is refused', async () => {
  const { service } = setup();
  await assert.rejects(service.handle({ action: 'launch' }), /unknown action/);
});

test('deleting twice is not found', async () => {
  const { service } = setup();
  const item = await service.create({ name: 'a' });
  await service.delete(item.id);
  await assert.rejects(service.delete(item.id), NotFound);
});

test('the publisher throws when EventBridge refuses', async () => {
  const refusing = { putEvents: async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDenied', ErrorMessage: 'no' }] }) };
  await assert.rejects(new EventPublisher(refusing, { source: 'x' }).publish({ detailType: CREATED, detail: { id: 'x' } }), /AccessDenied/);
});

test('change events name the changed fields but carry no data', async () => {
  const { table, service } = setup();
  const item = await service.create({ name: 'secret', keep: 1 });
  await service.update(item.id, { name: 'b' });
  await service.delete(item.id);
  const events = table.stream.map(changeEvent);
  assert.deepEqual(events, [
    { detailType: CREATED, detail: { id: 'id-0', version: 1, changedFields: ['keep', 'name'] } },
    { detailType: UPDATED, detail: { id: 'id-0', version: 2, changedFields: ['name'] } },
    { detailType: DELETED, detail: { id: 'id-0', version: 2, changedFields: ['keep', 'name'] } },
  ]);
  assert.ok(!JSON.stringify(events).includes('secret'));
});

test('parse refuses what the table cannot store', () => {
  for (const text of ['NaN', '[Infinity]', '1e400', '-1e126', '1e-200', '{']) {
    assert.throws(() => parse(text), ValidationFailed, text);
  }
  assert.deepEqual(parse('{"a": [1, 2.5, -3e10, 0, "x", null, true]}'), { a: [1, 2.5, -3e10, 0, 'x', null, true] });
});
