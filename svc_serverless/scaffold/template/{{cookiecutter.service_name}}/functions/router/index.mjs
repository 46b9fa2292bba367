{%- set Entity = cookiecutter.__entity_pascal -%}
// HTTP API of the {{ cookiecutter.service_name }} service: maps each route to the domain service.
//
// Routes (payload format 2.0, IAM-authorised by the API):
//   POST   /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}        create   -> 201
//   GET    /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}        list     -> 200 {"items": [...], "nextToken": ...}
//   GET    /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}/{id}   read     -> 200
//   PUT    /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}/{id}   update   -> 200
//   DELETE /{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}/{id}   delete   -> 204
//
// Refusals are {"message": ...} with 400, 404, 409 or 422. An unexpected failure is thrown, so
// Lambda counts it in Errors (the alarm that rolls a deploy back) and the API answers a bare 500.
// POST takes an Idempotency-Key header: a retry with the same key and body gets the first answer
// (the same {{ cookiecutter.entity }}) instead of creating another; the same key with another body is a 422.
// Keys are remembered for a day (Powertools idempotency, IdempotencyTable).

export const COLLECTION = '/{{ cookiecutter.service_name }}/{{ cookiecutter.entity_plural }}';
export const MEMBER = `${COLLECTION}/{id}`;

// Where the layer's build puts the shared domain module on Lambda and in `sam local`.
const DOMAIN_MODULE = '/opt/nodejs/index.mjs';
const IDEMPOTENCY_HEADER = 'idempotency-key'; // HTTP API payload 2.0 lower-cases header names
const IDEMPOTENCY_SECONDS = 24 * 60 * 60;
const MAX_KEY_LENGTH = 128;

/**
 * The service wired to DynamoDB, with POST made idempotent by Powertools. The SDK and Powertools
 * are imported on first use only (the unit tests need neither); `domain` is the layer's module.
 */
export async function defaultApp(env = process.env, domain = import(DOMAIN_MODULE)) {
  const [layer, { DynamoDBClient }, lib, { makeIdempotent, IdempotencyConfig }, { DynamoDBPersistenceLayer }] = await Promise.all([
    domain,
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('@aws-lambda-powertools/idempotency'),
    import('@aws-lambda-powertools/idempotency/dynamodb'),
  ]);
  const doc = lib.DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const db = {
    get: (input) => doc.send(new lib.GetCommand(input)),
    put: (input) => doc.send(new lib.PutCommand(input)),
    delete: (input) => doc.send(new lib.DeleteCommand(input)),
    scan: (input) => doc.send(new lib.ScanCommand(input)),
  };
  const service = new layer.{{ Entity }}Service(new layer.Repository(db, env.TABLE_NAME));
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'body', expiresAfterSeconds: IDEMPOTENCY_SECONDS });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE_NAME });
  const createOnce = makeIdempotent(async (request) => service.create(request.body), { persistenceStore, config });
  return { service, createOnce, parse: layer.parse, config };
}

/** Builds the Lambda handler around a function that returns the app (tests pass fakes). */
export function createHandler(getApp) {
  return async (event, context) => {
    const app = await getApp();
    if (context) app.config?.registerLambdaContext(context);
    const { service } = app;
    const route = event.routeKey ?? '';
    const id = event.pathParameters?.id ?? '';
    try {
      switch (route) {
        case `POST ${COLLECTION}`:
          return response(201, await create(event, app));
        case `GET ${COLLECTION}`: {
          const query = event.queryStringParameters ?? {};
          return response(200, await service.list({ limit: limit(query), nextToken: query.nextToken ?? null }));
        }
        case `GET ${MEMBER}`:
          return response(200, await service.get(id));
        case `PUT ${MEMBER}`:
          return response(200, await service.update(id, body(event, app)));
        case `DELETE ${MEMBER}`:
          await service.delete(id);
          return response(204);
        default:
          return response(404, { message: `no route ${JSON.stringify(route)}` });
      }
    } catch (err) {
      if (typeof err?.status === 'number') return response(err.status, { message: err.message });
      if (err?.name === 'IdempotencyValidationError') return response(422, { message: 'this Idempotency-Key was used with another request body' });
      if (err?.name === 'IdempotencyAlreadyInProgressError') return response(409, { message: 'a request with this Idempotency-Key is in progress: retry later' });
      // Details go to the log, never to the caller; throwing makes the failure count in Lambda's
      // Errors metric, and API Gateway answers 500 {"message": "Internal Server Error"}.
      console.error(JSON.stringify({ level: 'ERROR', message: 'request failed', routeKey: route, error: String(err?.stack ?? err) }));
      throw err;
    }
  };
}

class BadRequest extends Error {
  status = 400;
}

async function create(event, app) {
  const payload = body(event, app);
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const key = headers[IDEMPOTENCY_HEADER];
  if (key === undefined) return app.service.create(payload);
  if (!key || key.length > MAX_KEY_LENGTH || /[\x00-\x1f\x7f]/.test(key)) {
    throw new BadRequest(`the Idempotency-Key header must be 1 to ${MAX_KEY_LENGTH} printable characters`);
  }
  return app.createOnce({ key, body: payload });
}

function body(event, app) {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? '';
  return app.parse(raw);
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

let app;
// A failed start-up is retried on the next invocation instead of being cached.
export const handler = createHandler(() => (app ??= defaultApp().catch((err) => {
  app = undefined;
  throw err;
})));
