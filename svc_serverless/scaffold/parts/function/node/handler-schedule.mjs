// __NAME__: runs on its schedule.
export const handler = async (event) => {
  console.log(JSON.stringify({ message: 'scheduled run', time: event?.time }));
  return { ran: true };
};
