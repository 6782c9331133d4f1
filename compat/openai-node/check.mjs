// Talks to a running hub with the official OpenAI Node client, through a room whose participant is a
// small fake LLM server started here, and, when given, through a protected room of three participants
// (one chat-only, two serving every API) for embeddings, text completions and the Responses API.
// Usage: node check.mjs http://127.0.0.1:PORT [FULL_ROOM_CODE PASSWORD]
import http from "node:http";
import assert from "node:assert/strict";
import OpenAI from "openai";

const hub = process.argv[2];
const fullRoom = process.argv[3];
const fullPassword = process.argv[4];
if (!hub) {
  console.error("usage: node check.mjs HUB_URL");
  process.exit(2);
}

// The participant's LLM server: answers with the model name it was given, streamed or not.
const fake = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const request = JSON.parse(body || "{}");
    if (request.stream) {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      for (const word of ["Hello", " from", " " + request.model]) {
        res.write(`data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: request.model,
          choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })}\n\n`);
      }
      res.end(`data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: request.model,
        choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: request.model,
      choices: [{ index: 0, message: { role: "assistant", content: "echo " + request.model }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }));
  });
});
await new Promise((resolve) => fake.listen(0, "127.0.0.1", resolve));
const endpoint = `http://127.0.0.1:${fake.address().port}`;

async function post(path, body, headers = {}) {
  const r = await fetch(hub + path, { method: "POST", headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

const open = (await post("/rooms", { name: "openai-node" })).json.room.code;
const joined = await post(`/rooms/${open}/join`, { id: "node", nickname: "Node", model: "llama3:latest", endpoint });
const locked = (await post("/rooms", { name: "locked", password: "pw" })).json.room.code;
await post(`/rooms/${locked}/join`, { id: "node", nickname: "Node", model: "llama3:latest", endpoint, password: "pw" });

const client = new OpenAI({ baseURL: `${hub}/rooms/${open}/v1`, apiKey: "unused" });

await check("join answers 201 with a token", async () => {
  assert.equal(joined.status, 201);
  assert.ok(joined.json.token);
});
await check("models.list shows the participant", async () => {
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ["node"]);
  assert.equal(models.data[0].gambiarra.model, "llama3:latest");
});
await check("blocking completion routed by model name", async () => {
  const r = await client.chat.completions.create({ model: "model:llama3", messages: [{ role: "user", content: "hi" }] });
  assert.equal(r.choices[0].message.content, "echo llama3:latest");
  assert.equal(r.usage.total_tokens, 3);
});
await check("streamed completion through any", async () => {
  const stream = await client.chat.completions.create({ model: "*", stream: true, messages: [{ role: "user", content: "hi" }] });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  assert.equal(text, "Hello from llama3:latest");
});
await check("no participant is a 404 APIError", async () => {
  await assert.rejects(client.chat.completions.create({ model: "model:mistral", messages: [] }),
    (e) => e.status === 404 && /serves the model 'mistral'/.test(e.message));
});
await check("protected room: the API key is the room password", async () => {
  const wrong = new OpenAI({ baseURL: `${hub}/rooms/${locked}/v1`, apiKey: "nope", maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (e) => e.status === 401);
  const right = new OpenAI({ baseURL: `${hub}/rooms/${locked}/v1`, apiKey: "pw" });
  const r = await right.chat.completions.create({ model: "node", messages: [{ role: "user", content: "hi" }] });
  assert.equal(r.choices[0].message.content, "echo llama3:latest");
});

if (fullRoom) {
  const room = new OpenAI({ baseURL: `${hub}/rooms/${fullRoom}/v1`, apiKey: fullPassword, maxRetries: 0 });

  await check("full room: the API key is needed for every API", async () => {
    const locked = new OpenAI({ baseURL: `${hub}/rooms/${fullRoom}/v1`, apiKey: "wrong", maxRetries: 0 });
    await assert.rejects(locked.embeddings.create({ model: "*", input: "x" }), (e) => e.status === 401);
    await assert.rejects(locked.responses.create({ model: "*", input: "x" }), (e) => e.status === 401);
  });
  await check("embeddings never reach the chat-only participant", async () => {
    for (let i = 0; i < 6; i++) {
      const { data, response } = await room.embeddings.create({ model: "model:llama3",
        input: ["shared GPUs", "local models " + i] }).withResponse();
      assert.equal(data.data.length, 2);
      assert.equal(data.data[0].embedding.length, 64); // the client's default base64, decoded
      assert.ok(Math.abs(data.data[0].embedding.reduce((a, x) => a + x * x, 0) - 1) < 1e-4);
      assert.ok(data.usage.prompt_tokens > 0);
      assert.match(response.headers.get("x-gambiarra-participant"), /^full-/);
    }
  });
  await check("text completion, blocking and streamed", async () => {
    const r = await room.completions.create({ model: "*", prompt: "def sort(xs):" });
    assert.equal(r.choices[0].text, "after 'def sort(xs):' comes more from llama3");
    const stream = await room.completions.create({ model: "*", prompt: "fn main", stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
    assert.equal(text, "after 'fn main' comes more from llama3");
  });
  await check("responses: chained turns stay with the participant that holds them", async () => {
    const { data: first, response } = await room.responses.create({ model: "*", input: "hello" }).withResponse();
    assert.equal(first.output_text, "turn 1 from llama3: hello");
    const owner = response.headers.get("x-gambiarra-participant");
    assert.match(owner, /^full-/);
    let previous = first.id;
    for (let turn = 2; turn <= 5; turn++) {
      const { data: next, response: r } = await room.responses.create({ model: "*", input: "again",
        previous_response_id: previous }).withResponse();
      assert.equal(next.output_text, `turn ${turn} from llama3: again`);
      assert.equal(r.headers.get("x-gambiarra-participant"), owner);
      previous = next.id;
    }
    const stream = await room.responses.create({ model: "*", input: "stream", previous_response_id: previous,
      stream: true });
    let text = "";
    let completed;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    assert.equal(text, "turn 6 from llama3: stream");
    assert.equal(completed.output_text ?? completed.output[0].content[0].text, text);
  });
  await check("a chat-only participant named directly is a clear 404", async () => {
    await assert.rejects(room.embeddings.create({ model: "chat-only", input: "x" }),
      (e) => e.status === 404 && e.code === "api_not_served");
  });
  await check("chat still reaches every participant, the chat-only one included", async () => {
    // Many at once: the hub sends each where it ends first, so one at a time may all go to the quickest.
    const answers = await Promise.all(Array.from({ length: 12 }, () =>
      room.chat.completions.create({ model: "*", messages: [{ role: "user", content: "hi" }] }).withResponse()));
    const seen = new Set(answers.map(({ response }) => response.headers.get("x-gambiarra-participant")));
    assert.deepEqual([...seen].sort(), ["chat-only", "full-1", "full-2"]);
  });
}

fake.close();
console.log(`openai-node: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
