from parlour.lib.errors import BadRequest, NotFound


class MacroNotFound(NotFound):
    code = "macro_not_found"
    title = "Macro not found"


class InvalidMacro(BadRequest):
    code = "invalid_macro"
    title = "The macro is not valid"
