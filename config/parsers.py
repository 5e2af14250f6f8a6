"""Request parsers and the JSON renderer. Kept apart from config.api: DRF reads
DEFAULT_PARSER_CLASSES and DEFAULT_RENDERER_CLASSES while its views module loads, so this
module must not import rest_framework.views (config.api does)."""

from rest_framework import exceptions, parsers, renderers
from rest_framework.settings import api_settings

from accounts.text import lone_surrogate, path_text, surrogate_message


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, but two kinds of JSON Python reads and nothing can use are a 400:

    - a body nested too deeply for Python's json module (e.g. 100,000 `[`), not a RecursionError;
    - a lone surrogate (`"\\ud800"`) anywhere, answered on the field that holds it, so no
      serializer, service or error message ever sees a string UTF-8 cannot encode.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from None
        found = lone_surrogate(data)
        if found is not None:
            path, character = found
            raise exceptions.ValidationError(_surrogate_error(path, character), code="surrogate_characters_not_allowed")
        return data


def _surrogate_error(path: tuple, character: str) -> dict:
    """{field: [message]}: the top-level key names the field; a deeper place is named in the message."""
    message = surrogate_message(character)
    if path and isinstance(path[0], str):
        field, inner = path_text(path[:1]), path[1:]
    else:
        field, inner = api_settings.NON_FIELD_ERRORS_KEY, path
    if inner:
        message = f"{path_text(path)}: {message}"
    return {field: [message]}


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSONRenderer (UTF-8, non-ASCII as is), but an answer UTF-8 cannot encode (a lone
    surrogate some message quoted) is sent \\u-escaped instead of failing with a 500."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _ASCIIJSONRenderer().render(data, accepted_media_type, renderer_context)


class _ASCIIJSONRenderer(renderers.JSONRenderer):
    ensure_ascii = True
