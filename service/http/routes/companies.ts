// Companies: the operator creates one (with its legal representative and a first API key); members read their own.
import { createCompanyBody } from "../schemas";
import { company, createdCompany } from "../responses";
import { createCompany, getCompany } from "../../domain/companies";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import type { Company } from "../../domain/model";

/** A company as shown through the API: the legal representative's ID number never leaves the store. */
function companyView(c: Company) {
  return { id: c.id, name: c.name, creditCode: c.creditCode, legalRepName: c.legalRepName, registryCheck: c.registryCheck, createdAt: c.createdAt };
}

export function companyRoutes(api: Api, ctx: DomainContext): void {
  api.add(
    {
      method: "post", path: "/companies", tag: "companies", auth: "operator", body: createCompanyBody, status: 201, returnsSecret: true, rateLimited: true,
      summary: "Register a company with its legal representative (operator token); the answer carries the legal representative's API key secret, shown once",
      response: createdCompany,
    },
    async ({ body }) => {
      const created = await createCompany(ctx, body);
      return { company: companyView(created.company), legalRep: created.legalRep, apiKey: created.apiKey };
    },
  );
  api.add(
    { method: "get", path: "/company", tag: "companies", auth: "member", status: 200, summary: "The caller's company", response: company },
    async ({ actor }) => companyView(await getCompany(ctx, actor)),
  );
}
