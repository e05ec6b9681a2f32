"""Help center: articles the AI agent answers from (and customers can read)."""
