{%- set Entity = cookiecutter.__entity_pascal -%}
// Receiver of the {{ cookiecutter.service_name }} service: runs {{ cookiecutter.entity }} commands.
//
// Commands are JSON objects such as {"action": "create", "data": {...}},
// {"action": "update", "id": "...", "data": {...}}, {"action": "delete", "id": "..."} or
// {"action": "process", "id": "..."}. They arrive two ways:
// - from the SQS queue, in batches: failed messages are reported one by one
//   (ReportBatchItemFailures) so the others are not retried; after five failures a message
//   moves to the dead-letter queue;
// - invoked directly by the service's own workflow with one command: the result is returned
//   and an error fails the workflow step.

// Where the layer's build puts the shared domain module on Lambda and in `sam local`.
const DOMAIN_MODULE = '/opt/nodejs/index.mjs';

/** The service wired to DynamoDB and EventBridge; the SDK is imported on first use only. */
export async function defaultService(env = process.env) {
  const [domain, { DynamoDBClient }, lib, { EventBridgeClient, PutEventsCommand }] = await Promise.all([
    import(DOMAIN_MODULE),
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('@aws-sdk/client-eventbridge'),
  ]);
  const doc = lib.DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const bridge = new EventBridgeClient({});
  const db = {
    get: (input) => doc.send(new lib.GetCommand(input)),
    put: (input) => doc.send(new lib.PutCommand(input)),
    delete: (input) => doc.send(new lib.DeleteCommand(input)),
    scan: (input) => doc.send(new lib.ScanCommand(input)),
  };
  const events = { putEvents: (input) => bridge.send(new PutEventsCommand(input)) };
  return new domain.{{ Entity }}Service(
    new domain.Repository(db, env.TABLE_NAME),
    new domain.EventPublisher(events, { source: env.EVENT_SOURCE, busName: env.EVENT_BUS_NAME ?? 'default' }),
  );
}

/** Builds the Lambda handler around a function that returns the service (tests pass fakes). */
export function createHandler(getService) {
  return async (event) => {
    const service = await getService();
    if (Array.isArray(event?.Records)) return runBatch(event.Records, service);
    return service.handle(event);
  };
}

async function runBatch(records, service) {
  const batchItemFailures = [];
  for (const record of records) {
    try {
      await service.handle(JSON.parse(record.body));
    } catch (err) {
      console.error(JSON.stringify({ message: 'command failed', messageId: record.messageId, error: String(err?.stack ?? err) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

let service;
// A failed start-up is retried on the next invocation instead of being cached.
export const handler = createHandler(() => (service ??= defaultService().catch((err) => {
  service = undefined;
  throw err;
})));
