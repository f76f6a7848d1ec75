// The encoded-answer cache (api-spec/src/server/responseCache.ts): a handler that returns `cacheKey` with lazy `data`
// has its answer encoded once; later requests with the same key get the same status, headers and bytes without the
// data being computed; another key is computed anew; small JSON answers (sent as text, one write with the head) and
// large ones (sent as bytes) arrive identical to the first answer.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createApiServer } from "@sextant/api-spec";
import { request } from "undici";
import { BEACON } from "./support/suites.ts";

const DUTIES = "/eth/v1/validator/duties/attester";

describe("response cache", () => {
  test("same key: computed once, identical answers (small and large bodies); another key: computed again", async () => {
    const computed: string[] = [];
    const server = createApiServer({
      routes: BEACON,
      handlers: {
        getAttesterDuties: ({ epoch, body }) => {
          const key = `${epoch}:${body.join(",")}`;
          return {
            cacheKey: key,
            data: () => {
              computed.push(key);
              return body.map((index) => ({
                pubkey: new Uint8Array(48).fill(Number(index) % 256),
                validatorIndex: Number(index),
                committeeIndex: 1,
                committeeLength: 64,
                committeesAtSlot: 4,
                validatorCommitteeIndex: 3,
                slot: epoch * 8,
              }));
            },
            meta: { dependentRoot: new Uint8Array(32).fill(epoch), executionOptimistic: false },
          };
        },
      },
    });
    const url = await server.listen();
    try {
      const ask = async (epoch: number, indices: number[]) => {
        const r = await request(`${url}${DUTIES}/${epoch}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(indices.map(String)),
        });
        const text = await r.body.text();
        return { status: r.statusCode, root: r.headers["eth-dependent-root"], type: r.headers["content-type"], text };
      };
      const small = [1, 2, 3];
      const large = Array.from({ length: 500 }, (_, i) => i); // ~100 KB of JSON: kept as bytes
      for (const indices of [small, large]) {
        const first = await ask(1, indices);
        assert.equal(first.status, 200);
        const parsed = JSON.parse(first.text) as { dependent_root: string; data: { validator_index: string }[] };
        assert.equal(parsed.data.length, indices.length);
        assert.equal(parsed.dependent_root, `0x${"01".repeat(32)}`);
        assert.equal(first.root, parsed.dependent_root);
        for (let i = 0; i < 3; i++) {
          const again = await ask(1, indices);
          assert.equal(again.status, 200);
          assert.equal(again.text, first.text, "the cached answer is the same bytes");
          assert.equal(again.root, first.root);
          assert.match(String(again.type), /^application\/json/);
        }
      }
      assert.deepEqual(computed, ["1:1,2,3", `1:${large.join(",")}`], "each key computed once");
      const other = await ask(2, small);
      assert.equal(other.status, 200);
      assert.equal((JSON.parse(other.text) as { dependent_root: string }).dependent_root, `0x${"02".repeat(32)}`);
      assert.equal(computed.length, 3);
    } finally {
      await server.close();
    }
  });
});
