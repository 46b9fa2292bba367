// Publisher: the relay of the {{ cookiecutter.service_name }} service's transactional outbox.
//
// Invoked with batches of the table's stream records (committed changes, in order per
// {{ cookiecutter.entity }}), it puts one event per change on the default bus (changeEvent in the layer
// says what an event holds). Changes are published one by one, in order: on the first failure
// that change and every later one of the batch are reported as failed, so the stream retries
// from there and no event is published twice or out of order. Changes that still fail after
// every retry go to EventsDeadLetterQueue. Powertools batch processing is not used here on
// purpose: it would go on after a failure, and those events would be published again on retry.

// Where the layer's build puts the shared domain module on Lambda and in `sam local`.
const DOMAIN_MODULE = '/opt/nodejs/index.mjs';

/** The publisher wired to EventBridge; imported on first use only. */
export async function defaultApp(env = process.env, domain = import(DOMAIN_MODULE)) {
  const [layer, { EventBridgeClient, PutEventsCommand }, { Metrics, MetricUnit }] = await Promise.all([
    domain,
    import('@aws-sdk/client-eventbridge'),
    import('@aws-lambda-powertools/metrics'),
  ]);
  const bridge = new EventBridgeClient({});
  const events = { putEvents: (input) => bridge.send(new PutEventsCommand(input)) };
  const metrics = new Metrics();
  return {
    publisher: new layer.EventPublisher(events, { source: env.EVENT_SOURCE, busName: env.EVENT_BUS_NAME ?? 'default' }),
    changeEvent: layer.changeEvent,
    count(published, failed) {
      if (published) metrics.addMetric('EventsPublished', MetricUnit.Count, published);
      // The function itself succeeds (the stream retries): PublisherErrorsAlarm watches this.
      if (failed) metrics.addMetric('EventsNotPublished', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}

/** Builds the Lambda handler around a function that returns the app (tests pass fakes). */
export function createHandler(getApp) {
  return async (event) => {
    const { publisher, changeEvent, count } = await getApp();
    const records = event.Records ?? [];
    let batchItemFailures = [];
    for (const [index, record] of records.entries()) {
      try {
        await publisher.publish(changeEvent(record));
      } catch (err) {
        console.error(JSON.stringify({ level: 'ERROR', message: 'publishing failed; the stream retries from this change', eventID: record.eventID, error: String(err?.stack ?? err) }));
        batchItemFailures = records.slice(index).map((later) => ({ itemIdentifier: later.dynamodb.SequenceNumber }));
        break;
      }
    }
    count?.(records.length - batchItemFailures.length, batchItemFailures.length);
    return { batchItemFailures };
  };
}

let app;
// A failed start-up is retried on the next invocation instead of being cached.
export const handler = createHandler(() => (app ??= defaultApp().catch((err) => {
  app = undefined;
  throw err;
})));
