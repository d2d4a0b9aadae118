// The verification pool answers each of many concurrent checks, batched, as sm2Verify would, on whichever backend
// loaded (run with SM2_BACKEND=js for the worker threads): a wrong signature false, a key that is not a public key
// an error for that check alone.
import { expect } from "chai";
import { createSm2Pool, type Sm2Pool } from "../../service/workers/sm2-pool";
import { generateSm2KeyPair, sm2Backend, sm2Sign, usageTbsBytes, type UsageTbs } from "../../service/evidence";

const tbs = (i: number): UsageTbs => ({ v: 1, receipt: `R${i}`, seal: "s_pool0001", signer: "m_pool0001", signedAt: "2026-01-01T00:00:00.000Z", documentHash: "00".repeat(32), scenario: "sc_pool0001", request: null });

describe(`workers/sm2-pool (${sm2Backend})`, function () {
  this.timeout(60_000);
  const keys = generateSm2KeyPair();
  const other = generateSm2KeyPair();

  for (const size of [0, 1, 2]) {
    describe(`with ${size} off the event loop`, () => {
      let pool: Sm2Pool;
      before(() => {
        pool = createSm2Pool(size);
      });
      after(() => pool.close());

      it("answers 200 concurrent usages and messages in order, each on its own merits", async () => {
        const checks = Array.from({ length: 200 }, (_, i) => {
          const t = tbs(i);
          const signature = sm2Sign(usageTbsBytes(t), i % 7 === 3 ? other.privateKey : keys.privateKey);
          if (i % 2 === 0) return { expected: i % 7 !== 3, answer: pool.verify(t, signature, keys.publicKey) };
          const message = Buffer.from(`message ${i}`);
          return { expected: i % 7 !== 3, answer: pool.verifyMessage(message, sm2Sign(message, i % 7 === 3 ? other.privateKey : keys.privateKey), keys.publicKey) };
        });
        const answers = await Promise.all(checks.map((c) => c.answer));
        expect(answers).to.deep.equal(checks.map((c) => c.expected));
      });

      it("fails only the check whose key is not a public key", async () => {
        const t = tbs(0);
        const signature = sm2Sign(usageTbsBytes(t), keys.privateKey);
        const [good, bad, alsoGood] = await Promise.allSettled([pool.verify(t, signature, keys.publicKey), pool.verify(t, signature, `04${"00".repeat(64)}`), pool.verify(t, signature, keys.publicKey)]);
        expect(good).to.deep.equal({ status: "fulfilled", value: true });
        expect(alsoGood).to.deep.equal({ status: "fulfilled", value: true });
        expect(bad.status).to.equal("rejected");
      });
    });
  }
});
