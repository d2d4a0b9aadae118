// What a screen is given: the words of the chosen language, the API, the signed-in member and their powers,
// and ways to act (with a message for the member, success or refusal) and to move between screens.
import type { Api, SessionView } from "./api";
import type { Lang, Words } from "./i18n";

export interface ScreenContext {
  lang: Lang;
  w: Words;
  api: Api;
  session: SessionView;
  /** Whether the member's roles allow an action of the policy table; the service still judges every call. */
  can: (power: string) => boolean;
  /** Runs an action; on success shows `done` (or what it makes of the answer) and re-renders the screen, on a refusal shows why. */
  act: <T>(done: string | ((result: T) => string), action: () => Promise<T>) => Promise<boolean>;
  /** Shows why an action the screen ran itself failed (or, on 401, returns to sign-in). */
  refused: (err: unknown) => Promise<void>;
  go: (hash: string) => void;
}

/** A screen renders from what it loads; it throws the API's refusals for the shell to show. */
export type Screen = (c: ScreenContext, param: string | null) => Promise<Node[]>;

export function memberName(members: ReadonlyArray<{ id: string; name: string }>, id: string | null): string {
  if (id === null) return "—";
  return members.find((m) => m.id === id)?.name ?? id;
}
