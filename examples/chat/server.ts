// `npm start`: the chat on http://localhost:3000 (PORT overrides; REDIS_URL is for several
// processes, see app.ts). Ctrl-C closes it cleanly.
import { createChatServer } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

const redisUrl = process.env.REDIS_URL;
const chat = await createChatServer({ port, ...(redisUrl === undefined ? {} : { redisUrl }) }).catch((err: unknown) => {
  console.error(`chat: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
console.log(`Courant chat on ${chat.url}`);

function shutdown(signal: NodeJS.Signals): void {
  console.log(`\n${signal}: closing the chat`);
  chat.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error("chat: close failed:", err);
      process.exit(1);
    },
  );
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
