// __NAME__: handles the messages of its own queue, reporting failures one by one.
export async function handle(message) {
  console.log(JSON.stringify({ message: 'message', keys: Object.keys(message).sort() }));
}

export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event?.Records ?? []) {
    try {
      await handle(JSON.parse(record.body));
    } catch (error) {
      // One bad message must not send its whole batch back to the queue.
      console.error(JSON.stringify({ message: 'message failed', messageId: record.messageId, error: String(error) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
