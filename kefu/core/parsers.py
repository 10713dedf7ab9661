"""The API's JSON parser: DRF's, with its errors said in the user's language, and a body nested
thousands of levels deep refused instead of exhausting the stack (issue 13)."""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

BAD_JSON = _("请求体不是合法的 JSON：%(error)s")
TOO_DEEP = _("请求体的 JSON 嵌套过深。")
# A request body nests a few levels (a batch of requests, a list of ids); past this it is an attack.
MAX_JSON_DEPTH = 32


def _depth(value, limit: int) -> int:
    """How deep a parsed JSON value nests, stopping early past `limit` (iterative: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's parser with the errors said in the user's language; a body nested thousands of
    levels deep is refused instead of exhausting the stack."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding))
        except RecursionError:
            raise exceptions.ParseError(TOO_DEEP) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(BAD_JSON % {"error": exc}) from None
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(TOO_DEEP)
        return data


# The parsers of an action that takes a file: JSON, or multipart with the file.
WITH_FILES = [JSONParser, parsers.MultiPartParser]
