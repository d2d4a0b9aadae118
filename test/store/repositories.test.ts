import { expect } from "chai";
import { lazyRepositoriesOf, overlay, repositoryOf } from "../../service/store/repositories";
import type { Repository } from "../../service/store/port";
import { kind, type Owned } from "../../service/store/schema";

const SCHEMA = { notes: kind<Owned>({ label: "note" }), tags: kind<Owned>({ label: "tag" }) };

/** A repository that says which kind it was built for, counting builds. */
function factory(built: string[]) {
  return (name: string) => {
    built.push(name);
    return { name } as unknown as Repository<Owned>;
  };
}

describe("store: repositories of a transaction", () => {
  it("builds a kind's repository the first time it is read, once, and only that kind", () => {
    const built: string[] = [];
    const repos = lazyRepositoriesOf(SCHEMA, factory(built));
    expect(built).to.deep.equal([]);
    const notes = repositoryOf(repos, "notes");
    expect(repositoryOf(repos, "notes")).to.equal(notes);
    expect(built).to.deep.equal(["notes"]);
    expect(() => repositoryOf(repos, "nothing")).to.throw(/no kind nothing/);
  });

  it("an overlay reads its own properties first and the base's otherwise, and builds the base's kinds into the base", () => {
    const built: string[] = [];
    const base = Object.assign(lazyRepositoriesOf(SCHEMA, factory(built)), { extra: 1 });
    const own = { name: "own tags" } as unknown as Repository<Owned>;
    const top = overlay(base, { tags: own });
    expect(repositoryOf(top, "tags")).to.equal(own);
    expect((top as { extra: number }).extra).to.equal(1);
    const notes = repositoryOf(top, "notes");
    // Built once, into the base: read through the base or another overlay of it, it is the same repository.
    expect(repositoryOf(base, "notes")).to.equal(notes);
    expect(repositoryOf(overlay(base, {}), "notes")).to.equal(notes);
    expect(built).to.deep.equal(["notes"]);
    expect("notes" in top && "tags" in top && "extra" in top).to.equal(true);
    expect("nothing" in top).to.equal(false);
  });

  it("an overlay takes writes and definitions itself and leaves the base as it was", () => {
    const base = { a: 1, b: 2 };
    const top = overlay(base, {});
    top.a = 10;
    Object.defineProperty(top, "b", { get: () => 20, enumerable: true, configurable: true });
    expect([top.a, top.b]).to.deep.equal([10, 20]);
    expect(base).to.deep.equal({ a: 1, b: 2 });
    // Layered, as guarded writes, sealed fields and the outbox nudge stack them on one transaction.
    const upper = overlay(top, { b: 200 });
    expect([upper.a, upper.b]).to.deep.equal([10, 200]);
  });
});
