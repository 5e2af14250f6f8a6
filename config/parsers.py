"""Request parsers. Kept apart from config.api: DRF reads DEFAULT_PARSER_CLASSES while its views
module loads, so this module must not import rest_framework.views (config.api does)."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, but a body nested too deeply for Python's json module (e.g. 100,000
    `[`) is a 400 like any other malformed JSON, not a RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from None
