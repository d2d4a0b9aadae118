// Where a webhook may point: public HTTPS by default; loopback (http too) and private ranges only when the operator
// allows them; link-local, multicast and reserved addresses never, however written.
import { expect } from "chai";
import { checkWebhookUrl, classifyAddress, PUBLIC_TARGETS_ONLY, type WebhookTargetPolicy } from "../../service/webhooks/targets";

const LOOPBACK: WebhookTargetPolicy = { allowLoopback: true, allowPrivate: false };
const PRIVATE: WebhookTargetPolicy = { allowLoopback: false, allowPrivate: true };
const verdict = (url: string, policy: WebhookTargetPolicy) => {
  const checked = checkWebhookUrl(url, policy);
  return checked.ok ? checked.url.toString() : "refused";
};

describe("webhooks: target rules", () => {
  it("classifies addresses, IPv4-mapped IPv6 by its IPv4 address", () => {
    const cases: Array<[string, string]> = [
      ["93.184.216.34", "public"], ["2606:4700::1111", "public"], ["127.0.0.1", "loopback"], ["127.9.9.9", "loopback"], ["::1", "loopback"],
      ["10.1.2.3", "private"], ["172.31.255.1", "private"], ["172.32.0.1", "public"], ["192.168.1.1", "private"], ["100.64.0.1", "private"], ["fd12::1", "private"],
      ["169.254.169.254", "never"], ["fe80::1", "never"], ["0.0.0.0", "never"], ["224.0.0.1", "never"], ["255.255.255.255", "never"], ["::", "never"],
      ["::ffff:169.254.169.254", "never"], ["::ffff:10.0.0.1", "private"], ["::ffff:127.0.0.1", "loopback"], ["::ffff:7f00:1", "loopback"], ["64:ff9b::a9fe:a9fe", "never"],
    ];
    expect(cases.map(([a]) => [a, classifyAddress(a)])).to.deep.equal(cases);
  });

  it("takes public https, and refuses http, credentials, other schemes and addresses it may never call", () => {
    expect(verdict("https://hooks.example.com/sealproof#frag", PUBLIC_TARGETS_ONLY)).to.equal("https://hooks.example.com/sealproof");
    expect(verdict("https://93.184.216.34:8443/in", PUBLIC_TARGETS_ONLY)).to.equal("https://93.184.216.34:8443/in");
    for (const url of ["http://hooks.example.com/", "https://user:pw@hooks.example.com/", "ftp://hooks.example.com/", "not a url", "https://169.254.169.254/latest/meta-data", "https://[fe80::1]/", "https://[::ffff:a9fe:a9fe]/"]) {
      expect([url, verdict(url, { allowLoopback: true, allowPrivate: true })]).to.deep.equal([url, "refused"]);
    }
  });

  it("takes loopback (over http too) only when allowed, and private ranges over https only when allowed", () => {
    for (const url of ["http://127.0.0.1:9000/h", "https://localhost/h", "http://[::1]:9000/h", "http://x.localhost/h"]) {
      expect([url, verdict(url, PUBLIC_TARGETS_ONLY), verdict(url, PRIVATE)]).to.deep.equal([url, "refused", "refused"]);
      expect(verdict(url, LOOPBACK)).not.to.equal("refused");
    }
    expect([verdict("https://10.0.0.5/h", PUBLIC_TARGETS_ONLY), verdict("https://10.0.0.5/h", LOOPBACK), verdict("https://10.0.0.5/h", PRIVATE)]).to.deep.equal(["refused", "refused", "https://10.0.0.5/h"]);
    expect(verdict("http://10.0.0.5/h", PRIVATE)).to.equal("refused");
  });
});
