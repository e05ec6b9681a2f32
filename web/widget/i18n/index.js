// Every language the widget speaks. Adding one: a file like en.js, and one line here.
import en from "./en.js";
import fr from "./fr.js";

export const LANGUAGES = { en, fr };

// "fr-CA" → fr; anything unknown → English.
export function stringsFor(locale) {
  const language = String(locale || "").toLowerCase().split("-")[0];
  return LANGUAGES[language] || en;
}
