"""Help-center articles and answer flows of the demo account (`parlour demo`), so that the
widget demo shows the AI agent answering, clarifying and handing off."""

from typing import Any

ARTICLES: tuple[dict[str, Any], ...] = (
    {
        "id": "demo:shipping-times",
        "title": "How long does shipping take?",
        "section": "Orders and shipping",
        "labels": ["featured", "shipping"],
        "body": (
            "Orders placed before 2 pm ship the same working day.\n\n"
            "- **Standard delivery**: 3 to 5 working days, free over €50.\n"
            "- **Express delivery**: next working day, €9.90.\n\n"
            "You get an email with a tracking link as soon as your parcel leaves our warehouse."
        ),
    },
    {
        "id": "demo:track-order",
        "title": "Where is my order? Tracking your parcel",
        "section": "Orders and shipping",
        "labels": ["featured", "tracking"],
        "body": (
            "Open the shipping confirmation email and click **Track my parcel**. You can also sign in, "
            "go to **My orders** and choose the order to see where the parcel is.\n\n"
            "Tracking can take up to 24 hours to show the first scan after the parcel ships."
        ),
    },
    {
        "id": "demo:returns",
        "title": "Returning an item and getting a refund",
        "section": "Returns and refunds",
        "labels": ["featured", "returns", "refund"],
        "body": (
            "You can return any unused item within **30 days** of delivery.\n\n"
            "1. Sign in and open **My orders**.\n"
            "2. Choose **Return an item** and print the prepaid label.\n"
            "3. Drop the parcel at any post office.\n\n"
            "We refund your original payment method within 5 working days of receiving the return."
        ),
    },
    {
        "id": "demo:reset-password",
        "title": "Resetting your password",
        "section": "Your account",
        "labels": ["account", "password"],
        "body": (
            "On the sign-in page choose **Forgot password?** and enter your email address. We send a "
            "reset link that works for one hour. If the email does not arrive, check your spam folder."
        ),
    },
    {
        "id": "demo:payment-methods",
        "title": "Which payment methods do you accept?",
        "section": "Payments",
        "labels": ["payment"],
        "body": (
            "We accept Visa, Mastercard, American Express, PayPal and Apple Pay. Your card is charged "
            "when the order ships, not when you place it."
        ),
    },
    {
        "id": "demo:livraison-fr",
        "title": "Quels sont les délais de livraison ?",
        "section": "Commandes et livraison",
        "labels": ["featured", "livraison"],
        "locale": "fr",
        "body": (
            "Les commandes passées avant 14 h sont expédiées le jour même.\n\n"
            "- **Livraison standard** : 3 à 5 jours ouvrés, offerte dès 50 €.\n"
            "- **Livraison express** : le jour ouvré suivant, 9,90 €.\n\n"
            "Vous recevez un e-mail avec un lien de suivi dès que votre colis quitte notre entrepôt."
        ),
    },
    {
        "id": "demo:retours-fr",
        "title": "Retourner un article et être remboursé",
        "section": "Retours et remboursements",
        "labels": ["featured", "retour"],
        "locale": "fr",
        "body": (
            "Vous pouvez retourner tout article non utilisé sous **30 jours** après la livraison. "
            "Connectez-vous, ouvrez **Mes commandes** et choisissez **Retourner un article** pour "
            "imprimer l'étiquette prépayée. Le remboursement arrive sous 5 jours ouvrés."
        ),
    },
)

FLOWS: tuple[dict[str, Any], ...] = (
    {
        "name": "Opening hours",
        "phrases": [
            "what are your opening hours",
            "when are you open",
            "when is customer service available",
            "are you open on weekends",
        ],
        "reply": {
            "type": "text",
            "text": "Our team answers chats Monday to Friday, 9:00 to 18:00 (Paris time). "
            "I'm here around the clock for everything else.",
            "quickReplies": [],
            "links": [],
        },
    },
    {
        "name": "Cancel an order",
        "phrases": [
            "cancel my order",
            "I want to cancel an order",
            "how do I cancel my purchase",
            "stop my order from shipping",
        ],
        "reply": {
            "type": "handoff",
            "text": "Cancelling needs a person to stop the parcel in the warehouse.",
        },
    },
)
