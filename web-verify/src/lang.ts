// The visitor's language, Chinese unless they chose English. The verify page and the console keep it under one key,
// so on one service a choice made on either page holds on the other.
export type Lang = "zh" | "en";

const LANG_KEY = "sealproof.lang";

export function savedLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Private browsing may refuse storage: the switch still works for this visit.
  }
}
