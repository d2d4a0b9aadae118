// Console sign-in: invitations, passkey registration and sign-in, the session, step-up and sign-out. Every member
// route also takes the session cookie (api.ts); these are the routes that open, show and end sessions.
import { z } from "zod";
import { ids } from "../schemas";
import {
  assertionBody, authenticationAnswer, creationOptions, emptyBody, endedView, invitationOptionsBody, invitationView, redeemBody, registrationAnswer, requestOptions, sessionId, sessionsList, sessionView, stepUpView,
} from "../console-auth-schemas";
import { clearSessionCookie, consoleBaseUrl, invitationBaseUrl, setSessionCookie } from "../session-cookie";
import { csrfTokenOf } from "../../console-auth/secrets";
import { relyingPartyOf, type ConsoleAuthContext } from "../../console-auth/context";
import { invitationUrl, inviteMember } from "../../console-auth/invitations";
import { redeemInvitation, registrationOptions } from "../../console-auth/registration";
import { signIn, signInOptions, stepUp, stepUpOptions } from "../../console-auth/assertions";
import { endMemberSessions, endOwnSession, listOwnSessions, type OpenedSession } from "../../console-auth/sessions";
import { ACTIONS, may, rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { Request, Response } from "express";
import type { Actor, DomainContext } from "../../domain/context";
import type { ConsoleSession } from "../../console-auth/model";

const memberParams = z.strictObject({ id: ids.member });
const sessionParams = z.strictObject({ id: sessionId });

export function consoleAuthRoutes(api: Api, ctx: DomainContext, auth: () => ConsoleAuthContext, publicBaseUrl: string | undefined): void {
  const baseUrl = (req: Request) => consoleBaseUrl(publicBaseUrl, req);
  const rp = (req: Request) => relyingPartyOf(baseUrl(req));
  const view = async (actor: Actor, session: ConsoleSession, csrfToken: string) => {
    const company = await ctx.store.companies.get(actor.company);
    return {
      session: { id: session.id, expiresAt: session.expiresAt, stepUpUntil: session.stepUpUntil },
      member: { id: actor.member.id, name: actor.member.name, roles: actor.member.roles, company: actor.company },
      company: { id: actor.company, name: company?.name ?? "" },
      powers: ACTIONS.filter((a) => may(actor, a)),
      csrfToken,
    };
  };
  const started = async (req: Request, res: Response, opened: OpenedSession) => {
    setSessionCookie(res, baseUrl(req), opened.secret, opened.session);
    res.set("Cache-Control", "no-store");
    return view({ company: opened.member.company, member: opened.member }, opened.session, csrfTokenOf(opened.secret));
  };

  api.add(
    {
      method: "post", path: "/members/:id/invitations", tag: "console", auth: "member", params: memberParams, status: 201, response: invitationView,
      summary: `A one-time link for the member to register a passkey for the console, valid 24 hours (${rolesText("member.invite")}; another member holding powers: ${rolesText("member.invite-empowered")}); the token is in the link's fragment and this answer only`,
    },
    async ({ actor, params, req }) => {
      const { invitation, token } = await inviteMember(auth(), actor, params.id);
      return { id: invitation.id, member: invitation.member, url: invitationUrl(invitationBaseUrl(publicBaseUrl, req), token), expiresAt: invitation.expiresAt };
    },
  );
  api.add(
    { method: "delete", path: "/members/:id/sessions", tag: "console", auth: "member", params: memberParams, status: 200, response: endedView, summary: `End every console session of a member (${rolesText("session.revoke-other")}; another member holding powers: ${rolesText("session.revoke-empowered")})` },
    async ({ actor, params }) => ({ ended: await endMemberSessions(auth(), actor, params.id) }),
  );
  api.add(
    { method: "post", path: "/auth/invitations/options", tag: "console", auth: "public", rateLimited: true, body: invitationOptionsBody, status: 200, response: creationOptions, summary: "Options for navigator.credentials.create() to register a passkey through an invitation (410 INVITATION_USED or INVITATION_EXPIRED)" },
    async ({ body, req }) => registrationOptions(auth(), rp(req), body.token),
  );
  api.add(
    {
      method: "post", path: "/auth/invitations/redeem", tag: "console", auth: "public", rateLimited: true, setsSession: true, body: redeemBody, status: 201, response: sessionView,
      summary: "Register the passkey the browser made for an invitation: the invitation is used up, and a console session starts (its cookie is set)",
    },
    async ({ body, req, res }) => started(req, res, await redeemInvitation(auth(), rp(req), body.token, registrationAnswer(body.response))),
  );
  api.add(
    { method: "post", path: "/auth/sign-in/options", tag: "console", auth: "public", rateLimited: true, body: emptyBody, status: 200, response: requestOptions, summary: "Options for navigator.credentials.get() to sign in with a passkey (discoverable: no user name)" },
    async ({ req }) => signInOptions(auth(), rp(req)),
  );
  api.add(
    { method: "post", path: "/auth/sign-in", tag: "console", auth: "public", rateLimited: true, setsSession: true, body: assertionBody, status: 200, response: sessionView, summary: "Sign in with a passkey's assertion: a console session starts (its cookie is set)" },
    async ({ body, req, res }) => started(req, res, await signIn(auth(), rp(req), authenticationAnswer(body.response))),
  );
  api.add(
    { method: "get", path: "/auth/session", tag: "console", auth: "session", status: 200, response: sessionView, summary: "The signed-in member, their company, the policy actions their roles may take, and the CSRF token state changes carry" },
    async ({ actor, session, res }) => {
      // It carries the CSRF token: no cache keeps it.
      res.set("Cache-Control", "no-store");
      return view(actor, session.session, session.csrfToken);
    },
  );
  api.add(
    { method: "post", path: "/auth/step-up/options", tag: "console", auth: "session", body: emptyBody, status: 200, response: requestOptions, summary: "Options for navigator.credentials.get() to step up the session with one of the member's own passkeys" },
    async ({ session, req }) => stepUpOptions(auth(), rp(req), session.session),
  );
  api.add(
    { method: "post", path: "/auth/step-up", tag: "console", auth: "session", body: assertionBody, status: 200, response: stepUpView, summary: "Step up the session with a fresh assertion of one of the member's own passkeys: acts that need it are allowed for five minutes" },
    async ({ session, body, req }) => ({ stepUpUntil: (await stepUp(auth(), rp(req), session.session, authenticationAnswer(body.response))).stepUpUntil ?? "" }),
  );
  api.add(
    { method: "delete", path: "/auth/session", tag: "console", auth: "session", setsSession: true, status: 200, response: endedView, summary: "Sign out: this session ends and its cookie is cleared" },
    async ({ actor, session, req, res }) => {
      await endOwnSession(auth(), actor, session.session.id);
      clearSessionCookie(res, baseUrl(req));
      return { ended: 1 };
    },
  );
  api.add(
    { method: "get", path: "/auth/sessions", tag: "console", auth: "session", status: 200, response: sessionsList, summary: "The signed-in member's own console sessions" },
    async ({ actor, session }) => ({
      sessions: (await listOwnSessions(auth(), actor)).map((s) => ({ id: s.id, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.expiresAt, stepUpUntil: s.stepUpUntil, current: s.id === session.session.id })),
    }),
  );
  api.add(
    { method: "delete", path: "/auth/sessions/:id", tag: "console", auth: "session", params: sessionParams, status: 200, response: endedView, summary: "End one of the signed-in member's own console sessions (another's is 404)" },
    async ({ actor, params }) => {
      await endOwnSession(auth(), actor, params.id);
      return { ended: 1 };
    },
  );
}
