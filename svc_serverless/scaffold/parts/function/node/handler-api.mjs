// __NAME__: answers GET /__SERVICE__/__NAME__ on the service's HTTP API.
export const handler = async (event) => {
  console.log(JSON.stringify({ message: 'request', route: event?.routeKey }));
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ function: '__NAME__' }),
  };
};
