{%- set Entity = cookiecutter.__entity_pascal -%}
{%- set entity = cookiecutter.entity -%}
// Domain logic of the {{ cookiecutter.service_name }} service, shared by its functions through the layer.
//
// This module is the only code the functions share. It imports no AWS SDK and no Powertools:
// the functions build the clients and pass them in, so everything here is tested without AWS.
// The service only writes the table; the publisher function publishes the events of the
// committed changes from the table's stream (the transactional outbox, changeEvent below).
// On Lambda (and in `sam local`) SAM's layer build puts it at /opt/nodejs/index.mjs.

import { randomUUID } from 'node:crypto';

// The events this service publishes (source "{{ cookiecutter.service_name }}"); catalog-info.yaml lists them.
export const CREATED = '{{ Entity }}Created';
export const UPDATED = '{{ Entity }}Updated';
export const DELETED = '{{ Entity }}Deleted';

const RESERVED_FIELDS = new Set(['id', 'version', 'createdAt', 'updatedAt']);
// Set by the service on every write: never news by themselves.
const BOOKKEEPING = RESERVED_FIELDS;
// DynamoDB numbers: magnitude below 1E+126 and above 1E-130.
const MAX_MAGNITUDE = 1e125;
const MIN_MAGNITUDE = 1e-129;
const MAX_BYTES = 64 * 1024;
const MAX_PAGE = 100;

/** A request the service refuses; `status` is the HTTP status the router answers with. */
export class DomainError extends Error {
  constructor(message, status = 400) {
    super(message);
    this.name = this.constructor.name;
    this.status = status;
  }
}
export class ValidationFailed extends DomainError {}
export class NotFound extends DomainError {
  constructor(message) { super(message, 404); }
}
/** The {{ entity }} changed (or appeared) since it was read: retry with fresh data. */
export class Conflict extends DomainError {
  constructor(message) { super(message, 409); }
}

const isConditionFailure = (err) => err?.name === 'ConditionalCheckFailedException';

/**
 * The service's DynamoDB table. `db` has get/put/delete/scan taking DynamoDB DocumentClient
 * inputs (the functions adapt @aws-sdk/lib-dynamodb to it). Writes are conditional on
 * `version`, so two concurrent updates cannot silently overwrite each other.
 */
export class Repository {
  constructor(db, tableName) {
    this.db = db;
    this.tableName = tableName;
  }

  async get(id) {
    const { Item } = await this.db.get({ TableName: this.tableName, Key: { id }, ConsistentRead: true });
    return Item ?? null;
  }

  async create(item) {
    await this.#put(item, { ConditionExpression: 'attribute_not_exists(id)' });
  }

  async replace(item, expectedVersion) {
    await this.#put(item, {
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': expectedVersion },
    });
  }

  async delete(id) {
    try {
      const { Attributes } = await this.db.delete({
        TableName: this.tableName,
        Key: { id },
        ConditionExpression: 'attribute_exists(id)',
        ReturnValues: 'ALL_OLD',
      });
      return Attributes;
    } catch (err) {
      if (isConditionFailure(err)) throw new NotFound(`no {{ entity }} with id ${JSON.stringify(id)}`);
      throw err;
    }
  }

  async list(limit, nextToken) {
    const input = { TableName: this.tableName, Limit: limit };
    if (nextToken) input.ExclusiveStartKey = decodeToken(nextToken);
    const { Items = [], LastEvaluatedKey } = await this.db.scan(input);
    return { items: Items, nextToken: LastEvaluatedKey ? encodeToken(LastEvaluatedKey) : null };
  }

  async #put(item, condition) {
    try {
      await this.db.put({ TableName: this.tableName, Item: item, ...condition });
    } catch (err) {
      if (isConditionFailure(err)) throw new Conflict(`{{ entity }} ${JSON.stringify(item.id)} changed meanwhile: read it again`);
      throw err;
    }
  }
}

const encodeToken = (key) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeToken(token) {
  let key;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (!key || typeof key !== 'object' || Object.keys(key).join() !== 'id') {
    throw new ValidationFailed('nextToken is not a token this API returned');
  }
  return key;
}

/**
 * Request and command bodies: JSON that DynamoDB can store. JSON.parse turns 1e400 into
 * Infinity; such numbers are refused with ValidationFailed (a 400) instead of failing later at
 * the table (a 500).
 */
export function parse(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationFailed('the body must be JSON');
  }
  checkNumbers(value);
  return value;
}

function checkNumbers(value) {
  if (typeof value === 'number') {
    const size = Math.abs(value);
    if (!Number.isFinite(value) || (size !== 0 && (size > MAX_MAGNITUDE || size < MIN_MAGNITUDE))) {
      throw new ValidationFailed(`the number ${value} is out of range`);
    }
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) checkNumbers(item);
  }
}

const DETAIL_TYPES = { INSERT: CREATED, MODIFY: UPDATED, REMOVE: DELETED };

/**
 * The event for one DynamoDB stream record (NEW_AND_OLD_IMAGES): a thin notice with the id,
 * the new version and the names of the changed fields, never the data, so the data stays behind
 * the service's key and API. Consumers may see an event twice: `id` and `version` identify it.
 */
export function changeEvent(record) {
  const { NewImage: next = {}, OldImage: old = {} } = record.dynamodb;
  const image = Object.keys(next).length ? next : old;
  const names = new Set([...Object.keys(next), ...Object.keys(old)].filter((name) => !BOOKKEEPING.has(name)));
  const changedFields = [...names].filter((name) => JSON.stringify(next[name]) !== JSON.stringify(old[name])).sort();
  return {
    detailType: DETAIL_TYPES[record.eventName],
    detail: { id: image.id.S, version: Number(image.version.N), changedFields },
  };
}

/**
 * Puts events on the default bus with this service as their source. `events` has
 * putEvents taking a PutEvents input. The publisher function's IAM policy only allows
 * events:PutEvents with events:source = {{ cookiecutter.service_name }}, so the source is fixed here.
 */
export class EventPublisher {
  constructor(events, { source, busName = 'default' }) {
    this.events = events;
    this.source = source;
    this.busName = busName;
  }

  async publish({ detailType, detail }) {
    const response = await this.events.putEvents({
      Entries: [{ Source: this.source, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: this.busName }],
    });
    if (response?.FailedEntryCount) {
      const [failure] = response.Entries;
      throw new Error(`EventBridge refused ${detailType}: ${failure.ErrorCode} ${failure.ErrorMessage}`);
    }
  }
}

/**
 * What the service does with {{ cookiecutter.entity_plural }}, whichever function is asked: the router calls it
 * for HTTP requests, the receiver for commands from the queue or the workflow.
 */
export class {{ Entity }}Service {
  constructor(repository, { clock = () => new Date().toISOString(), newId = randomUUID } = {}) {
    this.repository = repository;
    this.clock = clock;
    this.newId = newId;
  }

  async create(data) {
    const fields = validated(data);
    const now = this.clock();
    const item = { ...fields, id: this.newId(), version: 1, createdAt: now, updatedAt: now };
    await this.repository.create(item);
    return item;
  }

  async get(id) {
    const item = await this.repository.get(validatedId(id));
    if (!item) throw new NotFound(`no {{ entity }} with id ${JSON.stringify(id)}`);
    return item;
  }

  async list({ limit = 50, nextToken = null } = {}) {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new ValidationFailed(`limit must be between 1 and ${MAX_PAGE}`);
    }
    return this.repository.list(limit, nextToken);
  }

  async update(id, data) {
    const fields = validated(data);
    const current = await this.get(id);
    const item = { ...current, ...fields, version: current.version + 1, updatedAt: this.clock() };
    await this.repository.replace(item, current.version);
    return item;
  }

  async delete(id) {
    await this.repository.delete(validatedId(id));
  }

  /** The service's own processing step (run by the workflow); replace with real work. */
  async process(id) {
    return this.update(id, { status: 'processed', processedAt: this.clock() });
  }

  /** Run one command: {action: "create" | "update" | "delete" | "process", ...}. */
  async handle(command) {
    if (!command || typeof command !== 'object' || Array.isArray(command)) {
      throw new ValidationFailed("a command is a JSON object with an 'action'");
    }
    switch (command.action) {
      case 'create': return this.create(command.data);
      case 'update': return this.update(String(command.id ?? ''), command.data);
      case 'delete':
        await this.delete(String(command.id ?? ''));
        return { id: command.id, deleted: true };
      case 'process': return this.process(String(command.id ?? ''));
      default:
        throw new ValidationFailed(`unknown action ${JSON.stringify(command.action)}: use create, update, delete or process`);
    }
  }
}

function validated(data) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationFailed('the {{ entity }} must be a JSON object');
  }
  const reserved = Object.keys(data).filter((key) => RESERVED_FIELDS.has(key)).sort();
  if (reserved.length) throw new ValidationFailed(`these fields are set by the service: ${reserved.join(', ')}`);
  if (JSON.stringify(data).length > MAX_BYTES) throw new ValidationFailed(`the {{ entity }} is larger than ${MAX_BYTES} bytes`);
  return { ...data };
}

function validatedId(id) {
  if (typeof id !== 'string' || !id || id.length > 128) {
    throw new ValidationFailed('an id is a non-empty string of at most 128 characters');
  }
  return id;
}
