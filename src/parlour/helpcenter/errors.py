from parlour.lib.errors import BadRequest, NotFound


class ArticleNotFound(NotFound):
    code = "article_not_found"
    title = "Article not found"


class InvalidArticle(BadRequest):
    code = "invalid_article"
    title = "Invalid article"


class InvalidImport(BadRequest):
    code = "invalid_import"
    title = "The import cannot be read"
