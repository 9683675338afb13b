"""Jekyll's Liquid filters for lecture bodies: dates, URLs, text and arrays.

Each filter that needs the build's settings reads them from ``environment.ctx`` (the
:class:`~llmcourse.liquid.LiquidContext` of the environment rendering the page).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from io import StringIO
from typing import Any
from urllib.parse import quote, urlsplit

from liquid import Environment
from liquid.exceptions import FilterArgumentError, LiquidError
from liquid.filter import with_context, with_environment
from liquid.undefined import is_undefined

# --- dates -------------------------------------------------------------------------------

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Jekyll/YAML style: "2025-09-14", "2025-09-14 08:00:00 +0800", "2025-09-14T08:00:00Z".
_DATE_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
_FALLBACK_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y/%m/%d", "%Y%m%d")


def _site_tz(env: Environment) -> tzinfo | None:
    now = getattr(env, "ctx", None) and env.ctx.site.get("time")  # type: ignore[attr-defined]
    return now.tzinfo if isinstance(now, datetime) else None


def _parse_tz(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _parse_date_string(text: str) -> datetime | None:
    if match := _DATE_RE.fullmatch(text):
        y, mo, d, h, mi, s, frac, tz = match.groups()
        micro = int(frac.ljust(6, "0")) if frac else 0
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                        micro, tzinfo=_parse_tz(tz))
    for fmt in _FALLBACK_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def to_datetime(value: object, env: Environment) -> datetime | None:
    """Like Liquid's Utils.to_date; naive results get the site's timezone (Jekyll: local)."""
    tz = _site_tz(env)
    result: datetime | None = None
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = datetime.fromtimestamp(value, tz or UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text.lower() in ("now", "today"):
            now = env.ctx.site.get("time")  # type: ignore[attr-defined]
            # site.time is the build time: deterministic within a build, like Jekyll's.
            result = now if isinstance(now, datetime) else datetime.now(tz)
        elif text.isdigit():
            result = datetime.fromtimestamp(int(text), tz or UTC)
        else:
            try:
                result = _parse_date_string(text)
            except ValueError:  # e.g. month 13
                result = None
    if result is not None and result.tzinfo is None and tz is not None:
        result = result.replace(tzinfo=tz)
    return result


def _utc_offset(dt: datetime, colon: bool) -> str:
    offset = dt.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


_COMPOSITES = {"c": "%a %b %e %H:%M:%S %Y", "x": "%m/%d/%y", "X": "%H:%M:%S", "D": "%m/%d/%y",
               "F": "%Y-%m-%d", "T": "%H:%M:%S", "R": "%H:%M", "r": "%I:%M:%S %p", "h": "%b"}
_DIRECTIVE = re.compile(r"%([-_0^#]*)\d*(:?)([a-zA-Z%+])")


def _directive(dt: datetime, conv: str, colon: bool) -> str:
    # Names are English whatever the process locale, as in Ruby.
    simple: dict[str, Callable[[], str]] = {
        "a": lambda: _DAYS[dt.weekday()][:3], "A": lambda: _DAYS[dt.weekday()],
        "b": lambda: _MONTHS[dt.month - 1][:3], "B": lambda: _MONTHS[dt.month - 1],
        "p": lambda: "AM" if dt.hour < 12 else "PM", "P": lambda: "am" if dt.hour < 12 else "pm",
        "e": lambda: f"{dt.day:2d}", "k": lambda: f"{dt.hour:2d}",
        "l": lambda: f"{dt.hour % 12 or 12:2d}", "L": lambda: f"{dt.microsecond // 1000:03d}",
        "N": lambda: f"{dt.microsecond * 1000:09d}", "s": lambda: str(int(dt.timestamp())),
        "z": lambda: _utc_offset(dt, colon), "Z": lambda: dt.tzname() or "", "%": lambda: "%",
    }
    if conv in simple:
        return simple[conv]()
    if conv in _COMPOSITES:
        return jekyll_strftime(dt, _COMPOSITES[conv])
    try:
        return dt.strftime(f"%{conv}")
    except ValueError:
        return f"%{conv}"


def jekyll_strftime(dt: datetime, fmt: str) -> str:
    """Ruby's strftime: flags ``-`` (no padding), ``_`` (space), ``^`` (upcase), ``%:z``."""

    def one(match: re.Match[str]) -> str:
        flags, colon, conv = match.groups()
        text = _directive(dt, conv, bool(colon))
        if "-" in flags and text.strip().isdigit():
            text = text.lstrip("0 ") or "0"
        elif "_" in flags and text.isdigit():
            text = (text.lstrip("0") or "0").rjust(len(text))
        if "^" in flags:
            text = text.upper()
        elif "#" in flags:
            text = text.swapcase()
        return text

    return _DIRECTIVE.sub(one, fmt)


def _empty(value: object) -> bool:
    return value is None or is_undefined(value) or value == ""


@with_environment
def date_filter(value: object, fmt: object = None, *, environment: Environment) -> object:
    # Liquid returns the input unchanged when there is no format or it is not a date.
    if _empty(value) or _empty(fmt):
        return "" if is_undefined(value) else value
    result = to_datetime(value, environment)
    return value if result is None else jekyll_strftime(result, str(fmt))


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _stringify(month: str) -> Callable[[datetime, object, object], str]:
    """Jekyll's stringify_date format; "US" only matters with "ordinal"."""

    def fmt(dt: datetime, kind: object, style: object) -> str:
        if kind != "ordinal":
            return f"%d {month} %Y"
        day = _ordinal(dt.day)
        return f"{month} {day}, %Y" if style == "US" else f"{day} {month} %Y"

    return fmt


def _jekyll_date_filter(name: str, fmt: Callable[[datetime, object, object], str]) -> Any:
    """Jekyll's date_to_* filters: empty stays empty, an unparsable date is an error."""

    @with_environment
    def apply(value: object, kind: object = None, style: object = None, *,
              environment: Environment) -> str:
        if _empty(value):
            return ""
        dt = to_datetime(value, environment)
        if dt is None:
            raise FilterArgumentError(f"{name}: invalid date {_ruby_str(value)!r}", token=None)
        return jekyll_strftime(dt, fmt(dt, kind, style))

    return apply


# --- URLs and text -----------------------------------------------------------------------

_URL_SAFE = "/:?#[]@!$&'()*+,;=%~"


def _ruby_str(value: object) -> str:
    if value is None or is_undefined(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@with_environment
def relative_url(value: object, *, environment: Environment) -> object:
    if value is None or is_undefined(value):
        return value
    text = _ruby_str(value)
    if urlsplit(text).scheme:
        return text  # already absolute, as in Jekyll
    parts = [environment.ctx.baseurl.rstrip("/"), text]  # type: ignore[attr-defined]
    joined = "".join(p if not p or p.startswith("/") else f"/{p}" for p in parts)
    return quote(joined, safe=_URL_SAFE)


@with_environment
def absolute_url(value: object, *, environment: Environment) -> object:
    relative = relative_url(value, environment=environment)
    if not isinstance(relative, str) or urlsplit(relative).scheme:
        return relative
    return environment.ctx.url.rstrip("/") + relative  # type: ignore[attr-defined]


def xml_escape(value: object) -> str:
    text = _ruby_str(value)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(char, entity)
    return text


def _json_default(value: object) -> object:
    if is_undefined(value):
        return None
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, datetime):
        return jekyll_strftime(value, "%F %T %z").strip()  # Ruby Time#to_s
    return str(value)


def jsonify(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


@with_environment
def markdownify(value: object, *, environment: Environment) -> str:
    convert = environment.ctx.markdownify  # type: ignore[attr-defined]
    if convert is None:
        raise FilterArgumentError("markdownify: no Markdown converter in this build", token=None)
    return convert(_ruby_str(value))


_SLUG_KEEP = {
    "default": lambda c: unicodedata.category(c)[0] in "LM" or unicodedata.category(c) == "Nd",
    "pretty": lambda c: (unicodedata.category(c)[0] in "LM" or unicodedata.category(c) == "Nd"
                         or c in "._~!$&'()+,;=@"),
    "ascii": lambda c: c.isascii() and c.isalnum(),
    "raw": lambda c: not c.isspace(),
}


def slugify(value: object, mode: object = None) -> str:
    """Jekyll's Utils.slugify (default mode keeps Unicode letters, marks and digits)."""
    text = _ruby_str(value)
    mode = "default" if _empty(mode) else str(mode)
    if mode == "none":
        return text.lower()
    if mode == "latin":  # transliterate accents away, then ascii
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        mode = "ascii"
    keep = _SLUG_KEEP.get(mode, _SLUG_KEEP["default"])
    slug = "".join(c if keep(c) else "-" for c in text)
    slug = re.sub(r"-+", "-", slug).strip("-")
    return slug.lower()


_CJK = (r"\u1100-\u11ff\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff"
        r"\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
        r"\uff66-\uff9d\U00020000-\U0003134f")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_NON_CJK_WORD = re.compile(rf"[^{_CJK}\s]+")


def number_of_words(value: object, mode: object = None) -> int:
    """Jekyll 4.1: whitespace words; mode "cjk" counts each CJK character; "auto" if any."""
    text = _ruby_str(value)
    cjk = len(_CJK_CHAR.findall(text))
    if mode == "cjk" or (mode == "auto" and cjk):
        return cjk + len(_NON_CJK_WORD.findall(text))
    return len(text.split())


# --- arrays ------------------------------------------------------------------------------


def _items(value: object) -> list[Any]:
    if value is None or is_undefined(value):
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    raise FilterArgumentError(f"expected an array, found {type(value).__name__}", token=None)


def _property(obj: object, prop: object) -> object:
    """Jekyll's item_property, with dotted paths ("author.name")."""
    for part in str(prop).split("."):
        try:
            obj = obj.get(part) if isinstance(obj, Mapping) else obj[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
        if obj is None or is_undefined(obj):
            return None
    return obj


def _matches(prop: object, target: object) -> bool:
    if target is None or is_undefined(target):
        return prop is None
    wanted = _ruby_str(target)
    if isinstance(prop, str):
        return prop == wanted
    values = prop if isinstance(prop, (list, tuple)) else [prop]
    return any(_ruby_str(v) == wanted for v in values if v is not None)


_TRUTHY = object()  # marks a where without a value: Liquid's "property is truthy"


def where(value: object, prop: object, target: object = _TRUTHY) -> list[Any]:
    """Jekyll's where: string comparison, and membership when the property is an array."""
    if target is _TRUTHY:
        return [item for item in _items(value) if _property(item, prop) not in (None, False)]
    return [item for item in _items(value) if _matches(_property(item, prop), target)]


@with_context
def where_exp(value: object, variable: object, expression: object, *, context: Any) -> list[Any]:
    env = context.env
    try:
        test = env.from_string(f"{{% if {expression} %}}true{{% endif %}}")
    except LiquidError as err:
        raise FilterArgumentError(f"where_exp: invalid expression {expression!r}: {err.message}",
                                  token=None) from None
    selected = []
    for item in _items(value):
        out = StringIO()
        with context.extend({str(variable): item}):
            test.render_with_context(context, out, partial=True)
        if out.getvalue() == "true":
            selected.append(item)
    return selected


def sort(value: object, prop: object = None, nils: object = "first") -> list[Any]:
    """Jekyll's sort: optional property, items without it first (or "last")."""
    if value is None or is_undefined(value):
        raise FilterArgumentError("sort: cannot sort a null object", token=None)
    if nils not in ("first", "last"):
        raise FilterArgumentError(f"sort: nils must be 'first' or 'last', not {nils!r}", token=None)
    items = _items(value)
    try:
        if prop is None or is_undefined(prop):
            return sorted(items)
        missing = [i for i in items if _property(i, prop) is None]
        present = sorted((i for i in items if _property(i, prop) is not None),
                         key=lambda i: _property(i, prop))
    except TypeError as err:
        raise FilterArgumentError(f"sort: cannot compare values ({err})", token=None) from None
    return missing + present if nils == "first" else present + missing


def group_by(value: object, prop: object) -> list[dict[str, Any]]:
    groups: dict[str, list[Any]] = {}
    for item in _items(value):
        groups.setdefault(_ruby_str(_property(item, prop)), []).append(item)
    return [{"name": name, "items": items, "size": len(items)} for name, items in groups.items()]


FILTERS: dict[str, Callable[..., Any]] = {
    "date": date_filter,
    "date_to_xmlschema": _jekyll_date_filter("date_to_xmlschema", lambda *_: "%FT%T%:z"),
    "date_to_rfc822": _jekyll_date_filter("date_to_rfc822", lambda *_: "%a, %d %b %Y %T %z"),
    "date_to_string": _jekyll_date_filter("date_to_string", _stringify("%b")),
    "date_to_long_string": _jekyll_date_filter("date_to_long_string", _stringify("%B")),
    "relative_url": relative_url,
    "absolute_url": absolute_url,
    "xml_escape": xml_escape,
    "jsonify": jsonify,
    "markdownify": markdownify,
    "slugify": slugify,
    "number_of_words": number_of_words,
    "where": where,
    "where_exp": where_exp,
    "sort": sort,
    "group_by": group_by,
}
