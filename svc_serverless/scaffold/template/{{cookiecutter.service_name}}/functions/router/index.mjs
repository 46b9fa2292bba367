{%- set Entity = cookiecutter.__entity_pascal -%}
// HTTP API of the {{ cookiecutter.service_name }} service: maps each route to the domain service.
//
// Routes (payload format 2.0, IAM-authorised by the API):
//   POST   /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}        create   -> 201
//   GET    /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}        list     -> 200 {"items": [...], "nextToken": ...}
//   GET    /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}/{id}   read     -> 200
//   PUT    /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}/{id}   update   -> 200
//   DELETE /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}/{id}   delete   -> 204

export const COLLECTION = '/{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}';
export const MEMBER = `${COLLECTION}/{id}`;

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
    const route = event.routeKey ?? '';
    const id = event.pathParameters?.id ?? '';
    try {
      switch (route) {
        case `POST ${COLLECTION}`:
          return response(201, await service.create(body(event)));
        case `GET ${COLLECTION}`: {
          const query = event.queryStringParameters ?? {};
          return response(200, await service.list({ limit: limit(query), nextToken: query.nextToken ?? null }));
        }
        case `GET ${MEMBER}`:
          return response(200, await service.get(id));
        case `PUT ${MEMBER}`:
          return response(200, await service.update(id, body(event)));
        case `DELETE ${MEMBER}`:
          await service.delete(id);
          return response(204);
        default:
          return response(404, { message: `no route ${JSON.stringify(route)}` });
      }
    } catch (err) {
      if (typeof err?.status === 'number') return response(err.status, { message: err.message });
      // Details go to the log, never to the caller.
      console.error(JSON.stringify({ message: 'request failed', routeKey: route, error: String(err?.stack ?? err) }));
      return response(500, { message: 'internal error' });
    }
  };
}

class BadRequest extends Error {
  status = 400;
}

function body(event) {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? '';
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequest('the request body must be JSON');
  }
}

function limit(query) {
  const value = Number(query.limit ?? '50');
  if (!Number.isInteger(value)) throw new BadRequest('limit must be a number');
  return value;
}

function response(statusCode, payload) {
  const result = { statusCode, headers: { 'content-type': 'application/json' } };
  if (payload !== undefined) result.body = JSON.stringify(payload);
  return result;
}

let service;
// A failed start-up is retried on the next invocation instead of being cached.
export const handler = createHandler(() => (service ??= defaultService().catch((err) => {
  service = undefined;
  throw err;
})));
