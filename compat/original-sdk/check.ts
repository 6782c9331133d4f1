// Drives our hub with the original TypeScript Gambiarra SDK (its HTTP client and its Vercel AI
// SDK provider). Run by scripts/original-compat.sh from inside the original's packages/sdk.
import { createClient, createGambiarra } from "./src/index.ts";
import { generateText, streamText } from "ai";

const hubUrl = process.env.HUB!;
const llm = process.env.LLM!;
const results: string[] = [];
const ok = (name: string, cond: boolean, detail = "") => {
  results.push(`${cond ? "ok  " : "FAIL"} ${name}${detail ? ": " + detail : ""}`);
};
const client = createClient({ hubUrl });
const { room, hostId } = await client.create("Compat room");
ok("client.create", room.code.length === 6 && !!hostId, room.code);
const { room: prot } = await client.create("Protected", "secret");
ok("client.create with password", prot.code.length === 6);
const list = await client.list();
ok("client.list", list.some((r: any) => r.code === room.code), JSON.stringify(list.find((r: any) => r.code === room.code)));
const joined = await client.join(room.code, { id: "orig-1", nickname: "Orig", model: "llama3", endpoint: llm });
ok("client.join", joined.participant.id === "orig-1", JSON.stringify(joined).slice(0, 200));
try {
  await client.join(prot.code, { id: "p-1", nickname: "P", model: "llama3", endpoint: llm, password: "secret" });
  ok("client.join protected with password", true);
} catch (e) { ok("client.join protected with password", false, String(e)); }
try {
  await client.join(prot.code, { id: "p-2", nickname: "P", model: "llama3", endpoint: llm, password: "wrong" });
  ok("client.join protected wrong password refused", false);
} catch (e) { ok("client.join protected wrong password refused", true, String(e)); }
const parts = await client.getParticipants(room.code);
ok("client.getParticipants", parts.length === 1 && parts[0].status === "online", JSON.stringify(parts[0]).slice(0, 200));
try { const h = await client.healthCheck(room.code, "orig-1"); ok("client.healthCheck (no token)", h.success === true, JSON.stringify(h)); }
catch (e) { ok("client.healthCheck (no token)", false, String(e)); }

const g = createGambiarra({ hubUrl, roomCode: room.code });
const models = await g.listModels();
ok("provider.listModels", models.length === 1 && models[0].model === "llama3", JSON.stringify(models));
const lp = await g.listParticipants();
ok("provider.listParticipants", lp.length === 1);
for (const [name, m] of [["any", g.any()], ["model", g.model("llama3")], ["participant", g.participant("orig-1")]] as const) {
  const r = await generateText({ model: m as any, prompt: "ping" });
  ok(`generateText ${name}`, r.text.length > 0, r.text.slice(0, 60));
}
const s = streamText({ model: g.any() as any, prompt: "tell me a story" });
let chunks = 0, text = "";
for await (const t of s.textStream) { chunks++; text += t; }
ok("streamText any", chunks > 1 && text.length > 0, `${chunks} chunks: ${text.slice(0, 60)}`);
try { const l = await client.leave(room.code, "orig-1"); ok("client.leave (no token)", l.success === true, JSON.stringify(l)); }
catch (e) { ok("client.leave (no token)", false, String(e)); }
console.log(results.join("\n"));
process.exit(results.some((r) => r.startsWith("FAIL")) ? 1 : 0);
