// __NAME__: handles the events its EventBridge rule matches.
export const handler = async (event) => {
  console.log(JSON.stringify({ message: 'event', source: event?.source, detailType: event?.['detail-type'] }));
  return { handled: event?.['detail-type'] };
};
