// In-memory stand-ins for DynamoDB and EventBridge, with the shapes the domain module expects.
// Used by the tests only: package.json's "files" keeps this module out of the deployed layer.

const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/** A DynamoDB table holding items by `id`; understands the conditions the Repository uses. */
export function memoryTable() {
  const items = new Map();
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
    async get({ Key }) {
      return { Item: copy(items.get(Key.id)) };
    },
    async put(input) {
      check(input, items.get(input.Item.id));
      items.set(input.Item.id, copy(input.Item));
      return {};
    },
    async delete(input) {
      const current = items.get(input.Key.id);
      check(input, current);
      items.delete(input.Key.id);
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
