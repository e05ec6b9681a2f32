"""What the AI agent says, in each language it speaks, and the built-in answer flows.

Adding a language is adding a key to `TEXTS` and `BUILTIN_PHRASES`; a reply language without
texts falls back to English.
"""

from typing import Final

DEFAULT_LANGUAGE: Final = "en"

# Built-in flows, present for every account: the intent label and its training phrases.
GREETING: Final = "builtin:greeting"
HUMAN: Final = "builtin:human"
THANKS: Final = "builtin:thanks"
GOODBYE: Final = "builtin:goodbye"
BUILTIN_FLOWS: Final = (GREETING, HUMAN, THANKS, GOODBYE)

BUILTIN_PHRASES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    GREETING: {
        "en": ("hi", "hello", "hello there", "hey", "good morning", "good afternoon", "hi, anyone there?"),
        "fr": ("bonjour", "salut", "bonsoir", "coucou", "bonjour, il y a quelqu'un ?"),
    },
    HUMAN: {
        "en": (
            "talk to a human",
            "I want to speak to a person",
            "can I talk to an agent",
            "connect me with support staff",
            "real person please",
            "speak to someone",
            "human agent",
            "customer service representative",
        ),
        "fr": (
            "parler à un humain",
            "je veux parler à une personne",
            "un conseiller s'il vous plaît",
            "mettez-moi en relation avec un agent",
            "parler à quelqu'un",
            "un vrai humain",
        ),
    },
    THANKS: {
        "en": ("thanks", "thank you", "thanks a lot", "great, thank you", "cheers", "perfect thanks"),
        "fr": ("merci", "merci beaucoup", "super merci", "parfait merci", "merci bien"),
    },
    GOODBYE: {
        "en": ("bye", "goodbye", "see you", "have a nice day", "that's all, bye"),
        "fr": ("au revoir", "bonne journée", "à bientôt", "salut, bonne soirée"),
    },
}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "greeting": "Hi! I'm {bot}, the virtual assistant of {business}. Ask me a question, or pick one:",
        "greeting_plain": "Hi! I'm {bot}, the virtual assistant of {business}. How can I help?",
        "thanks": "You're welcome! Anything else I can help with?",
        "goodbye": "Goodbye, and thanks for reaching out!",
        "article_intro": "Here is what I found:",
        "read_more": "Read the article",
        "did_it_help": "Did this answer your question?",
        "yes": "Yes",
        "no": "No",
        "glad": "Great, glad I could help!",
        "sorry_offer": "Sorry about that. Would you like to talk to a member of our team?",
        "talk_to_human": "Talk to a human",
        "ask_other": "Ask something else",
        "ask_again": "Sure, what would you like to know?",
        "clarify": "I want to be sure I understand. Did you mean one of these?",
        "something_else": "Something else",
        "no_answer": "I'm sorry, I couldn't find an answer to that. "
        "Would you like to talk to a member of our team?",
        "handoff": "I'm passing you to a member of our team. They'll reply here as soon as they can.",
        "away": "Our team is away right now. They'll be back {when}. "
        "Leave your email address and we'll get back to you there.",
        "away_unknown": "Our team is away right now. "
        "Leave your email address and we'll get back to you there.",
        "away_known": "Our team is away right now. They'll be back {when}, and we'll reply to {email}.",
        "email_prompt": "What email address can we reach you at?",
        "email_thanks": "Thanks! We'll reply to {email} as soon as the team is back.",
        "no_thanks": "No thanks",
        "email_skipped": "No problem. You can keep writing here and the team will see it when they are back.",
        "text_only": "I can only read text messages. Would you like to talk to a member of our team?",
        "at": "at",
        "today": "today",
        "tomorrow": "tomorrow",
    },
    "fr": {
        "greeting": "Bonjour ! Je suis {bot}, l'assistant virtuel de {business}. "
        "Posez-moi une question, ou choisissez-en une :",
        "greeting_plain": "Bonjour ! Je suis {bot}, l'assistant virtuel de {business}. "
        "Comment puis-je vous aider ?",
        "thanks": "Avec plaisir ! Puis-je vous aider pour autre chose ?",
        "goodbye": "Au revoir, et merci de nous avoir contactés !",
        "article_intro": "Voici ce que j'ai trouvé :",
        "read_more": "Lire l'article",
        "did_it_help": "Cela répond-il à votre question ?",
        "yes": "Oui",
        "no": "Non",
        "glad": "Parfait, ravi d'avoir pu vous aider !",
        "sorry_offer": "Désolé. Voulez-vous parler à un membre de notre équipe ?",
        "talk_to_human": "Parler à un humain",
        "ask_other": "Poser une autre question",
        "ask_again": "Bien sûr, que voulez-vous savoir ?",
        "clarify": "Je veux être sûr de bien comprendre. Vouliez-vous dire l'un de ces sujets ?",
        "something_else": "Autre chose",
        "no_answer": "Désolé, je n'ai pas trouvé de réponse. "
        "Voulez-vous parler à un membre de notre équipe ?",
        "handoff": "Je vous mets en relation avec un membre de notre équipe. "
        "Il vous répondra ici dès que possible.",
        "away": "Notre équipe est absente pour le moment. Elle sera de retour {when}. "
        "Laissez votre adresse e-mail et nous vous répondrons par e-mail.",
        "away_unknown": "Notre équipe est absente pour le moment. "
        "Laissez votre adresse e-mail et nous vous répondrons par e-mail.",
        "away_known": "Notre équipe est absente pour le moment. Elle sera de retour {when} "
        "et vous répondra à {email}.",
        "email_prompt": "À quelle adresse e-mail pouvons-nous vous joindre ?",
        "email_thanks": "Merci ! Nous répondrons à {email} dès le retour de l'équipe.",
        "no_thanks": "Non merci",
        "email_skipped": "Pas de souci. Vous pouvez continuer à écrire ici, l'équipe le verra à son retour.",
        "text_only": "Je ne sais lire que les messages texte. "
        "Voulez-vous parler à un membre de notre équipe ?",
        "at": "à",
        "today": "aujourd'hui",
        "tomorrow": "demain",
    },
}

WEEKDAYS: Final[dict[str, tuple[str, ...]]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}

YES_WORDS: Final = frozenset(
    {"yes", "yep", "yeah", "y", "it did", "yes thanks", "yes thank you", "oui", "oui merci", "ouais"}
)
NO_WORDS: Final = frozenset(
    {"no", "nope", "n", "not really", "it didn't", "no it didn't", "non", "pas vraiment"}
)


def text(language: str, key: str, **values: str) -> str:
    table = TEXTS.get(language) or TEXTS[DEFAULT_LANGUAGE]
    return table[key].format(**values) if values else table[key]


def speaks(language: str) -> bool:
    return language in TEXTS
