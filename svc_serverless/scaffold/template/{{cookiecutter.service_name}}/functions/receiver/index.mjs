{%- set Entity = cookiecutter.__entity_pascal -%}
// Receiver of the {{ cookiecutter.service_name }} service: runs {{ cookiecutter.entity }} commands.
//
// Commands are JSON objects such as {"action": "create", "data": {...}},
// {"action": "update", "id": "...", "data": {...}}, {"action": "delete", "id": "..."} or
// {"action": "process", "id": "..."}. They arrive two ways:
// - from the SQS queue, in batches: failed messages are reported one by one
//   (ReportBatchItemFailures, Powertools batch processing) so the others are not retried; after
//   five failures a message moves to the dead-letter queue. SQS delivers at least once, so each
//   message runs once per message id (Powertools idempotency): a redelivered message gets the
//   first result instead of a second write;
// - invoked directly by the service's own workflow with one command: the result is returned
//   and an error fails the workflow step.

// Where the layer's build puts the shared domain module on Lambda and in `sam local`.
const DOMAIN_MODULE = '/opt/nodejs/index.mjs';
const IDEMPOTENCY_SECONDS = 24 * 60 * 60;

/**
 * The service wired to DynamoDB, each queue message run once by Powertools idempotency and the
 * batch processed by Powertools. Imported on first use only; `domain` is the layer's module.
 */
export async function defaultApp(env = process.env, domain = import(DOMAIN_MODULE)) {
  const [layer, { DynamoDBClient }, lib, { makeIdempotent, IdempotencyConfig }, { DynamoDBPersistenceLayer }, batch, { Metrics, MetricUnit }] = await Promise.all([
    domain,
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('@aws-lambda-powertools/idempotency'),
    import('@aws-lambda-powertools/idempotency/dynamodb'),
    import('@aws-lambda-powertools/batch'),
    import('@aws-lambda-powertools/metrics'),
  ]);
  const doc = lib.DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const db = {
    get: (input) => doc.send(new lib.GetCommand(input)),
    put: (input) => doc.send(new lib.PutCommand(input)),
    delete: (input) => doc.send(new lib.DeleteCommand(input)),
    scan: (input) => doc.send(new lib.ScanCommand(input)),
  };
  const service = new layer.{{ Entity }}Service(new layer.Repository(db, env.TABLE_NAME));
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'messageId', expiresAfterSeconds: IDEMPOTENCY_SECONDS });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE_NAME });
  const runOnce = makeIdempotent(async (record) => service.handle(layer.parse(record.body)), { persistenceStore, config });
  const metrics = new Metrics();
  async function processBatch(event, recordHandler, context) {
    const processor = new batch.BatchProcessor(batch.EventType.SQS);
    try {
      return await batch.processPartialResponse(event, recordHandler, processor, { context });
    } finally {
      // Failed commands count here (the function itself succeeds); ReceiverErrorsAlarm watches it.
      const failed = processor.failureMessages.length;
      if (failed) metrics.addMetric('CommandsFailed', MetricUnit.Count, failed);
      metrics.publishStoredMetrics();
    }
  }
  return { service, runOnce, processBatch, config };
}

/** Builds the Lambda handler around a function that returns the app (tests pass fakes). */
export function createHandler(getApp) {
  return async (event, context) => {
    const app = await getApp();
    if (context) app.config?.registerLambdaContext(context);
    if (!Array.isArray(event?.Records)) return app.service.handle(event);
    return app.processBatch(event, async (record) => {
      try {
        return await app.runOnce(record);
      } catch (err) {
        console.error(JSON.stringify({ level: 'ERROR', message: 'command failed', messageId: record.messageId, error: String(err?.stack ?? err) }));
        throw err;
      }
    }, context);
  };
}

let app;
// A failed start-up is retried on the next invocation instead of being cached.
export const handler = createHandler(() => (app ??= defaultApp().catch((err) => {
  app = undefined;
  throw err;
})));
