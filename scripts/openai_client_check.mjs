// Independent compatibility check of `crs4j serve` with OpenAI's official Node client (npm `openai`).
// Run by scripts/openai-client-check.sh, which starts the server; not part of CI.
//   node scripts/openai_client_check.mjs BASE_URL MODEL API_KEY
import OpenAI from "openai";
import assert from "node:assert/strict";

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const ok = (what) => console.log("ok: " + what);

const models = await client.models.list();
assert.ok(models.data.some((m) => m.id === model && m.object === "model"));
ok(`models.list() has ${model}`);

const messages = [{ role: "system", content: "Tell stories." }, { role: "user", content: "A story about a cat" }];
const whole = await client.chat.completions.create({ model, messages, max_tokens: 24, temperature: 0 });
assert.equal(whole.object, "chat.completion");
assert.equal(whole.choices[0].message.role, "assistant");
assert.ok(whole.choices[0].message.content.length > 0);
assert.equal(whole.usage.total_tokens, whole.usage.prompt_tokens + whole.usage.completion_tokens);
ok(`chat.completions.create: ${JSON.stringify(whole.choices[0].message.content)} (${whole.choices[0].finish_reason}, usage ${JSON.stringify(whole.usage)})`);

const stream = await client.chat.completions.create({ model, messages, max_tokens: 24, temperature: 0, stream: true,
  stream_options: { include_usage: true } });
let text = "", finish = null, usage = null, chunks = 0;
for await (const chunk of stream) {
  chunks++;
  assert.equal(chunk.object, "chat.completion.chunk");
  if (chunk.usage) usage = chunk.usage;
  for (const c of chunk.choices) {
    if (c.delta.content) text += c.delta.content;
    if (c.finish_reason) finish = c.finish_reason;
  }
}
assert.equal(text, whole.choices[0].message.content);
assert.equal(finish, whole.choices[0].finish_reason);
assert.deepEqual(usage, whole.usage);
ok(`chat stream: ${chunks} chunks reassemble the same answer, finish_reason and usage`);

const runner = client.beta.chat.completions.stream({ model, messages, max_tokens: 24, temperature: 0 });
const final = await runner.finalChatCompletion();
assert.equal(final.choices[0].message.content, whole.choices[0].message.content);
ok("beta.chat.completions.stream().finalChatCompletion() assembles the same message");

const comp = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 12, temperature: 0 });
assert.equal(comp.object, "text_completion");
let streamed = "";
for await (const c of await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 12, temperature: 0, stream: true })) {
  streamed += c.choices[0]?.text ?? "";
}
assert.equal(streamed, comp.choices[0].text);
ok(`completions.create, whole and streamed: ${JSON.stringify(comp.choices[0].text)}`);

const sampled = async (seed) => (await client.completions.create({ model, prompt: "The bird", max_tokens: 16, temperature: 1, seed })).choices[0].text;
assert.equal(await sampled(5), await sampled(5));
ok("the same seed gives the same sample");

const fails = async (what, call, Kind, status, check) => {
  try {
    await call();
    assert.fail(what + ": no error");
  } catch (e) {
    assert.ok(e instanceof Kind, `${what}: ${e.constructor.name} ${e.message}`);
    assert.equal(e.status, status);
    if (check) check(e);
    ok(`${what}: ${e.constructor.name} ${e.status} (${e.message})`);
  }
};
await fails("unknown model", () => client.chat.completions.create({ model: "gpt-9", messages }), OpenAI.NotFoundError, 404,
  (e) => assert.equal(e.code, "model_not_found"));
await fails("max_tokens -1", () => client.chat.completions.create({ model, messages, max_tokens: -1 }), OpenAI.BadRequestError, 400,
  (e) => assert.equal(e.param, "max_tokens"));
await fails("a role that does not exist", () => client.chat.completions.create({ model, messages: [{ role: "wizard", content: "x" }] }),
  OpenAI.BadRequestError, 400, (e) => assert.equal(e.param, "messages[0].role"));
await fails("prompt over the context", () => client.completions.create({ model, prompt: "the dog ran ".repeat(400), max_tokens: 4 }),
  OpenAI.BadRequestError, 400, (e) => assert.equal(e.code, "context_length_exceeded"));
await fails("wrong API key", () => new OpenAI({ baseURL, apiKey: apiKey + "x", maxRetries: 0 }).models.list(), OpenAI.AuthenticationError, 401);
console.log("all checks passed");
