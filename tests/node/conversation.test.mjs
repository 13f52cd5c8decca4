// Unit tests of the playground's conversation logic (static/js/conversation.js), run by
// tests/playground/test_conversation_js.py: `node --test tests/node/conversation.test.mjs`.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import test from "node:test";

const conversation = createRequire(import.meta.url)("../../static/js/conversation.js");
const { problem, split, compose } = conversation;

// The playground's parameter fields, as the page has them.
const PARAMS = [
  { name: "temperature", checkbox: false },
  { name: "max_tokens", checkbox: false },
  { name: "n", checkbox: false },
  { name: "stream", checkbox: true },
];
const fields = (values) =>
  PARAMS.map(({ name, checkbox }) =>
    checkbox ? { name, checkbox, checked: values[name] === true, value: "on" } : { name, checkbox, checked: false, value: values[name] ?? "" });

test("a body the chat view can show has no problem", () => {
  const body = { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi", name: "ana" }], temperature: 0.3, stream: true };
  assert.equal(problem(JSON.stringify(body), PARAMS), "");
  assert.equal(problem("{}", PARAMS), "");
});

test("every body the chat view cannot show says why, naming the message or field", () => {
  const cases = [
    ["{", /^The JSON is not valid \(.+\)\. Fix it to go back to the chat view; your text is kept\.$/],
    ["[]", /^The body must be a JSON object\.$/],
    ["null", /^The body must be a JSON object\.$/],
    ["5", /^The body must be a JSON object\.$/],
    ['{"messages": {}}', /^"messages" must be a list\.$/],
    ['{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": 5}]}', /^Message 2 is not/],
    ['{"messages": [{"role": "tool", "content": "a"}]}', /^Message 1 is not/],
    ['{"messages": [null]}', /^Message 1 is not/],
    ['{"messages": [["user", "a"]]}', /^Message 1 is not/],
    ['{"temperature": "0.5"}', /^"temperature" must be a number/],
    ['{"max_tokens": null}', /^"max_tokens" must be a number/],
    ['{"stream": "yes"}', /^"stream" must be a number \(stream: true or false\)\.$/],
    ['{"stream": 1}', /^"stream" must be/],
  ];
  for (const [text, expected] of cases) assert.match(problem(text, PARAMS), expected, text);
});

test("a message without a role is shown (as a user message) rather than refused", () => {
  assert.equal(problem('{"messages": [{"content": "a"}]}', PARAMS), "");
});

test("split: a leading system message gets its own field, the rest is the conversation", () => {
  const parts = split(
    { messages: [{ role: "system", content: "S" }, { role: "user", content: "U", name: "ana" }, { role: "assistant", content: "A" }], temperature: 0.2, stop: ["\n"], user: "x" },
    PARAMS,
  );
  assert.equal(parts.system, "S");
  assert.deepEqual(parts.messages, [
    { role: "user", content: "U", extra: { name: "ana" } },
    { role: "assistant", content: "A", extra: {} },
  ]);
  assert.deepEqual(parts.values, { temperature: 0.2, max_tokens: undefined, n: undefined, stream: undefined });
  assert.deepEqual(parts.other, { stop: ["\n"], user: "x" });
});

test("split: a system message that is not first, or carries more fields, stays in the conversation", () => {
  const later = split({ messages: [{ role: "user", content: "U" }, { role: "system", content: "S" }] }, PARAMS);
  assert.equal(later.system, "");
  assert.equal(later.messages.length, 2);
  const named = split({ messages: [{ role: "system", content: "S", name: "rules" }] }, PARAMS);
  assert.equal(named.system, "");
  assert.deepEqual(named.messages, [{ role: "system", content: "S", extra: { name: "rules" } }]);
  assert.deepEqual(split({}, PARAMS).messages, []);
});

test("compose: the editors' values win over other keys; empty fields and unticked boxes are left out", () => {
  const body = compose({
    other: { temperature: 9, stop: ["x"] },
    system: "  ",
    messages: [{ role: "user", content: "Hi", extra: { name: "ana", role: "system" } }],
    fields: fields({ temperature: "0.70", max_tokens: "12.9", n: "" }),
  });
  assert.deepEqual(body, {
    temperature: 0.7,
    stop: ["x"],
    messages: [{ name: "ana", role: "user", content: "Hi" }],
    max_tokens: 12,
  });
  const streamed = compose({ other: {}, system: "S", messages: [], fields: fields({ stream: true, n: "2" }) });
  assert.deepEqual(streamed, { messages: [{ role: "system", content: "S" }], n: 2, stream: true });
});

test("chat view and back lose nothing: compose(split(body)) gives the body again", () => {
  const bodies = [
    { messages: [{ role: "system", content: "S" }, { role: "user", content: "中文 ☃", name: "ana" }, { role: "assistant", content: "" }], temperature: 0.5, max_tokens: 64, n: 1, stream: true, stop: ["\n"], user: "u-1" },
    { messages: [{ role: "user", content: "only" }] },
    { messages: [] },
  ];
  for (const body of bodies) {
    assert.equal(problem(JSON.stringify(body), PARAMS), "");
    const parts = split(body, PARAMS);
    const values = Object.fromEntries(Object.entries(parts.values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v === true ? true : String(v)]));
    const again = compose({ other: parts.other, system: parts.system, messages: parts.messages, fields: fields(values) });
    assert.deepEqual(again, body);
  }
});
