// In-memory stand-ins for DynamoDB and EventBridge, with the shapes the domain module expects.
// Used by the tests only: package.json's "files" keeps this module out of the deployed layer.

const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/** DynamoDB's typed JSON, as stream records carry it (enough of it for these tests). */
export function marshall(value) {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(marshall) };
  return { M: Object.fromEntries(Object.entries(value).map(([key, item]) => [key, marshall(item)])) };
}

const image = (item) => (item ? marshall(item).M : undefined);

/**
 * A DynamoDB table holding items by `id`; understands the conditions the Repository uses.
 * `stream` holds its committed changes as stream records (NEW_AND_OLD_IMAGES), in order.
 */
export function memoryTable() {
  const items = new Map();
  const stream = [];
  const record = (eventName, next, old) => stream.push({
    eventID: String(stream.length + 1),
    eventName,
    dynamodb: { SequenceNumber: String(stream.length + 1), NewImage: image(next), OldImage: image(old) },
  });
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  const check = (input, current) => {
    const condition = input.ConditionExpression;
    if (!condition) return;
    if (condition === 'attribute_not_exists(id)' && current) throw conditionFailed();
    if (condition === 'attribute_exists(id)' && !current) throw conditionFailed();
    if (condition === '#version = :expected' && current?.version !== input.ExpressionAttributeValues[':expected']) throw conditionFailed();
  };
  return {
    items,
    stream,
    async get({ Key }) {
      return { Item: copy(items.get(Key.id)) };
    },
    async put(input) {
      const current = items.get(input.Item.id);
      check(input, current);
      items.set(input.Item.id, copy(input.Item));
      record(current ? 'MODIFY' : 'INSERT', input.Item, current);
      return {};
    },
    async delete(input) {
      const current = items.get(input.Key.id);
      check(input, current);
      items.delete(input.Key.id);
      record('REMOVE', undefined, current);
      return { Attributes: copy(current) };
    },
    async scan({ Limit, ExclusiveStartKey }) {
      const ids = [...items.keys()].sort();
      const start = ExclusiveStartKey ? ids.indexOf(ExclusiveStartKey.id) + 1 : 0;
      const page = ids.slice(start, start + Limit);
      const more = start + Limit < ids.length;
      return { Items: page.map((id) => copy(items.get(id))), LastEvaluatedKey: more ? { id: page.at(-1) } : undefined };
    },
  };
}

/** An event bus that records what was put on it. */
export function memoryEvents() {
  const entries = [];
  return {
    entries,
    async putEvents({ Entries }) {
      entries.push(...Entries.map((entry) => ({ ...entry, Detail: JSON.parse(entry.Detail) })));
      return { FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: 'local' })) };
    },
  };
}

/**
 * Runs `fn` once per key, as Powertools idempotency does: a repeated key gets the first result,
 * the same key with another payload is refused, and a failure is not remembered.
 */
export function memoryIdempotency({ key, payload = () => undefined }) {
  const done = new Map();
  return (fn) => async (input) => {
    const id = key(input);
    const seen = done.get(id);
    if (seen) {
      if (JSON.stringify(seen.payload) !== JSON.stringify(payload(input))) {
        throw Object.assign(new Error('payload does not match'), { name: 'IdempotencyValidationError' });
      }
      return structuredClone(seen.result);
    }
    const result = await fn(input);
    done.set(id, { payload: payload(input), result: structuredClone(result) });
    return result;
  };
}

/** Processes SQS records one by one and reports the failed ones, like Powertools' BatchProcessor. */
export async function sequentialBatch(event, recordHandler) {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      await recordHandler(record);
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
