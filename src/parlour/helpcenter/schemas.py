"""API shapes for help-center articles."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictStr

from parlour.lib.schemas import StrictBody

TITLE_MAX = 255
BODY_MAX = 60_000
MAX_LABELS = 20
LABEL_MAX = 50


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Title = Annotated[StrictStr, Field(min_length=1, max_length=TITLE_MAX), AfterValidator(_not_blank)]
Body = Annotated[StrictStr, Field(max_length=BODY_MAX)]
Locale = Annotated[StrictStr, Field(min_length=2, max_length=35)]
Section = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Labels = Annotated[
    list[Annotated[StrictStr, Field(min_length=1, max_length=LABEL_MAX)]], Field(max_length=MAX_LABELS)
]
Segment = Literal["everyone", "signed_in"]
HtmlUrl = Annotated[StrictStr, Field(max_length=2048)]


class ArticleCreateBody(StrictBody):
    title: Title
    body: Body
    bodyFormat: Literal["markdown", "html"] = "markdown"
    locale: Locale | None = None
    section: Section | None = None
    labels: Labels = []
    draft: StrictBool = False
    userSegment: Segment = "everyone"
    htmlUrl: HtmlUrl | None = None


class ArticleUpdateBody(StrictBody):
    title: Title | None = None
    body: Body | None = None
    bodyFormat: Literal["markdown", "html"] | None = None
    locale: Locale | None = None
    section: Section | None = None
    labels: Labels | None = None
    draft: StrictBool | None = None
    userSegment: Segment | None = None
    htmlUrl: HtmlUrl | None = None
