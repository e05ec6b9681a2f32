"""The AI agent's language understanding: the decisions `IntentModel.decide` hands the live agent."""

import time

import numpy
import pytest

from parlour.ai_agent.nlu import IntentModel, embed

pytestmark = pytest.mark.backend_independent

FLOWS = {
    "track_order": [
        "where is my order",
        "track my parcel",
        "my package has not arrived yet",
        "delivery status",
    ],
    "refund": ["i want a refund", "give me my money back", "how do I get reimbursed", "refund my purchase"],
    "password": ["how do I change my password", "I forgot my password", "reset my login", "can't sign in"],
    "opening_hours": ["when are you open", "what are your opening hours", "are you open on sunday"],
    # A fifth flow: from five flows on, the ranking also compares phrases in a space fitted to the
    # flows (nlu.METRIC_FLOWS), so every test of this model goes through that path too.
    "cancel_order": ["cancel my order", "I no longer want the order", "stop my purchase", "undo my order"],
}


def _examples(flows: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(phrase, label) for label, phrases in flows.items() for phrase in phrases]


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return IntentModel.train(_examples(FLOWS))


@pytest.mark.parametrize(
    ("question", "flow"),
    [
        ("Where is my parcel? It still hasn't come", "track_order"),
        ("I would like my money back please", "refund"),
        ("I can't remember my password", "password"),
        ("Are you open tomorrow morning?", "opening_hours"),
        ("Please cancel the order I placed yesterday", "cancel_order"),
    ],
)
def test_a_paraphrase_picks_its_flow(model: IntentModel, question: str, flow: str) -> None:
    decision = model.decide(question)
    assert decision.best is not None and decision.best.label == flow
    assert not decision.ambiguous
    assert decision.candidates[0] == decision.best
    assert 0.5 < decision.best.score <= 1.0
    assert len(decision.candidates) == 3
    assert [match.score for match in decision.candidates] == sorted(
        (match.score for match in decision.candidates), reverse=True
    )
    assert model.labels == frozenset(FLOWS)


@pytest.mark.parametrize(
    "question", ["What will the weather be like in Lisbon tomorrow?", "Tell me a joke about penguins", "   "]
)
def test_a_question_no_flow_covers_is_handed_off(model: IntentModel, question: str) -> None:
    decision = model.decide(question)
    assert decision.best is None
    assert not decision.ambiguous
    assert all(0.0 <= match.score < 0.9 for match in decision.candidates)


def test_the_flows_own_space_is_fitted_only_from_five_flows_on(model: IntentModel) -> None:
    assert model._projection is not None  # FLOWS has five
    four = IntentModel.train(_examples({k: v for k, v in FLOWS.items() if k != "cancel_order"}))
    assert four._projection is None
    decision = four.decide("Where is my parcel? It still hasn't come")
    assert decision.best is not None and decision.best.label == "track_order"


def test_out_of_scope_examples_teach_what_to_hand_off() -> None:
    chit_chat = ["how are you today", "what is the meaning of life", "sing me a song", "who won the match"]
    model = IntentModel.train(_examples(FLOWS), out_of_scope=chit_chat)
    assert model.labels == frozenset(FLOWS)  # the out-of-scope examples are not a flow
    assert model.decide("how are you doing today?").best is None
    assert all(match.label in FLOWS for match in model.decide("how are you doing today?").candidates)
    best = model.decide("my parcel never arrived").best
    assert best is not None and best.label == "track_order"


def test_two_flows_with_the_same_phrases_ask_to_clarify() -> None:
    overlapping = {
        **FLOWS,
        "billing": ["where is my invoice", "send me my invoice", "I need a copy of my bill"],
        "invoices": ["where is my invoice", "send me my invoice", "I need a copy of my bill"],
    }
    decision = IntentModel.train(_examples(overlapping)).decide("Could you send me my invoice?")
    assert decision.ambiguous
    assert decision.best is not None and decision.best == decision.candidates[0]
    assert {match.label for match in decision.candidates[:2]} == {"billing", "invoices"}


def test_two_related_flows_with_different_phrases_do_not_ask() -> None:
    related = {
        **FLOWS,
        "card_arrival": ["my card has not arrived", "when will my card come", "card still not here"],
        "card_delivery": [
            "how long does card delivery take",
            "card shipping time",
            "delivery time of a card",
        ],
    }
    decision = IntentModel.train(_examples(related)).decide("my new card hasn't arrived yet")
    assert not decision.ambiguous
    assert decision.best is not None and decision.best.label == "card_arrival"


def test_a_flow_name_counts_as_one_of_its_phrases() -> None:
    flows = {**FLOWS, "gift_cards": ["can I buy a voucher for a friend", "present for someone"]}
    names = {"gift_cards": "Gift cards", "ghost": "A name without phrases is no flow"}
    question = "Do you sell gift cards?"
    without = IntentModel.train(_examples(flows)).decide(question)
    model = IntentModel.train(_examples(flows), names=names)
    assert model.labels == frozenset(flows)
    with_name = model.decide(question)
    assert with_name.best is not None and with_name.best.label == "gift_cards" and not with_name.ambiguous
    assert without.best is None or without.best.score < with_name.best.score
    # Training on the name alone is not a flow: phrases are still needed.
    with pytest.raises(ValueError, match="at least one"):
        IntentModel.train([], names={"gift_cards": "Gift cards"})


def test_retraining_after_a_phrase_change_moves_the_question() -> None:
    question = "Do you ship to Canada?"
    before = IntentModel.train(_examples(FLOWS)).decide(question)
    assert before.best is None or before.best.label != "shipping"

    changed = {
        **FLOWS,
        "shipping": ["which countries do you deliver to", "do you ship abroad", "shipping costs"],
    }
    started = time.perf_counter()
    after = IntentModel.train(_examples(changed)).decide(question)
    assert after.best is not None and after.best.label == "shipping"

    # Removing the flow's phrases again takes the question back out of it.
    del changed["shipping"]
    again = IntentModel.train(_examples(changed)).decide(question)
    assert again.best is None or again.best.label != "shipping"
    # Phrases seen before are not embedded again: retraining a small account stays interactive.
    assert time.perf_counter() - started < 5


def test_a_single_flow_still_hands_off_what_it_does_not_cover() -> None:
    model = IntentModel.train([(phrase, "refund") for phrase in FLOWS["refund"]])
    best = model.decide("Can I have my money back?").best
    assert best is not None and best.label == "refund"
    assert model.decide("What time is it in Tokyo?").best is None


def test_training_needs_phrases() -> None:
    with pytest.raises(ValueError, match="at least one"):
        IntentModel.train([("  ", "refund")])


def test_embeddings_are_unit_rows_where_paraphrases_are_close() -> None:
    vectors = embed(["How do I get a refund?", "I want my money back", "The weather is sunny in Lisbon"])
    assert vectors.shape == (3, 384) and vectors.dtype == numpy.float32
    assert numpy.allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2
    assert embed([]).shape == (0, 384)
    assert numpy.array_equal(embed(["How do I get a refund?"])[0], vectors[0])  # cached, identical
