"""HTML sanitising for displaying received email bodies.

Choices (deliberately conservative; the output is meant for display in a web UI):

* Built on :func:`nh3.clean` (ammonia): whitelist of tags/attributes, so anything
  not listed (``<script>``, ``<iframe>``, ``<object>``, ``<embed>``, ``<form>``,
  ``<input>``, ``<svg>``, ``<math>``, ``<meta>``, ``<link>``, ``<base>`` ...) is removed.
  ``<script>``, ``<style>``, ``<title>``, ``<iframe>``, ``<object>``, ``<embed>``,
  ``<form>``, ``<svg>``, ``<math>``, ``<noscript>``, ``<template>`` are removed
  *with their content*; other unknown tags are unwrapped (their text is kept).
* No ``on*`` event-handler attributes (never whitelisted).
* URLs: only http, https, mailto, tel and cid (inline images) schemes plus
  relative URLs. ``data:`` is allowed only as ``<img src="data:image/(png|gif|
  jpeg|webp|bmp);base64,...">`` (never SVG, which can carry script). ``javascript:``
  / ``vbscript:`` are dropped, including entity/whitespace-obfuscated variants
  (ammonia decodes entities and strips tab/newline before checking the scheme).
* ``<style>`` *blocks* are dropped entirely (nh3 cannot sanitise stylesheets), so
  some newsletter layouts degrade; inline ``style`` attributes are kept but filtered
  declaration by declaration: only whitelisted properties survive, and any value
  containing ``expression(``, ``url(``, ``javascript:``, ``behavior``,
  ``-moz-binding``, ``@import``, CSS escapes (``\\``) or comments is dropped. This
  prevents remote-image tracking via CSS as a side effect. ``position`` is not
  allowed (no overlaying the host UI).
* Common presentational email attributes (``bgcolor``, ``cellpadding``, ``width``,
  ``align``, ``valign``, ``color``, ``face`` ...) and ``class``/``dir``/``title``
  are kept; ``id`` is dropped (no clobbering of host-page ids).
* All links get ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import re

import nh3

__all__ = ["sanitize_html"]

_TAGS: set[str] = set(nh3.ALLOWED_TAGS) | {
    "font",
    "tfoot",
    "big",
    "address",
    "section",
    "main",
    "label",
}
_CLEAN_CONTENT_TAGS: set[str] = {
    "script",
    "style",
    "title",
    "iframe",
    "object",
    "embed",
    "form",
    "svg",
    "math",
    "noscript",
    "template",
    "applet",
    "frameset",
    "frame",
    "textarea",
    "select",
    "button",
}
_TAGS -= _CLEAN_CONTENT_TAGS

_GLOBAL_ATTRS = {"style", "class", "dir", "lang", "title", "align", "valign", "width", "height"}
_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
for _tag, _extra in {
    "*": _GLOBAL_ATTRS,
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "border", "hspace", "vspace"},
    "table": {"border", "cellpadding", "cellspacing", "bgcolor", "background"},
    "td": {"bgcolor", "nowrap", "background"},
    "th": {"bgcolor", "nowrap", "background"},
    "tr": {"bgcolor"},
    "tbody": {"bgcolor"},
    "font": {"color", "face", "size"},
    "div": {"bgcolor"},
    "p": {"bgcolor"},
    "span": {"bgcolor"},
    "ol": {"type", "start"},
    "ul": {"type"},
    "li": {"value"},
}.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_extra)
# ``background`` holds a URL but is not URL-checked by ammonia: filter it ourselves.
_URL_ATTRS = {"href", "src", "background", "cite", "action", "longdesc", "usemap"}

_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}

_SAFE_CSS_PROPERTIES = {
    "background-color",
    "border",
    "border-bottom",
    "border-bottom-color",
    "border-bottom-style",
    "border-bottom-width",
    "border-collapse",
    "border-color",
    "border-left",
    "border-left-color",
    "border-left-style",
    "border-left-width",
    "border-radius",
    "border-right",
    "border-right-color",
    "border-right-style",
    "border-right-width",
    "border-spacing",
    "border-style",
    "border-top",
    "border-top-color",
    "border-top-style",
    "border-top-width",
    "border-width",
    "clear",
    "color",
    "direction",
    "display",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "list-style-type",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-height",
    "max-width",
    "min-height",
    "min-width",
    "opacity",
    "overflow",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "table-layout",
    "text-align",
    "text-decoration",
    "text-indent",
    "text-transform",
    "vertical-align",
    "visibility",
    "white-space",
    "width",
    "word-break",
    "word-spacing",
    "word-wrap",
}
_BAD_CSS_VALUE = re.compile(
    r"expression|url\s*\(|javascript|vbscript|behavior|binding|@import|\\|/\*|\*/|[<>]",
    re.IGNORECASE,
)
_DATA_IMAGE_RE = re.compile(
    r"^data:image/(?:png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]*$", re.IGNORECASE
)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_CTRL_WS_RE = re.compile(r"[\x00-\x20\x7f]+")


def _filter_style(value: str) -> str | None:
    """Keep only whitelisted, harmless CSS declarations from a style attribute."""
    kept: list[str] = []
    for decl in value.split(";"):
        if ":" not in decl:
            continue
        prop, _, val = decl.partition(":")
        prop = prop.strip().lower()
        val = val.strip()
        if prop not in _SAFE_CSS_PROPERTIES or not val or _BAD_CSS_VALUE.search(val):
            continue
        kept.append(f"{prop}: {val}")
    return "; ".join(kept) if kept else None


def _filter_url(tag: str, attr: str, value: str) -> str | None:
    """Vet a URL-valued attribute: data: only for raster <img src>, safe schemes only."""
    compact = _CTRL_WS_RE.sub("", value)
    m = _SCHEME_RE.match(compact)
    if m is None:
        return None if ":" in compact.split("/", 1)[0] else value  # relative URL
    scheme = m.group(1).lower()
    if scheme == "data":
        if tag == "img" and attr == "src" and _DATA_IMAGE_RE.match(value.strip()):
            return value.strip()
        return None
    return value if scheme in _URL_SCHEMES else None


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """nh3 attribute hook: style filtering, URL vetting and belt-and-braces checks."""
    name = attr.lower()
    if name.startswith("on"):
        return None
    if name == "style":
        return _filter_style(value)
    if name in _URL_ATTRS:
        return _filter_url(tag, name, value)
    if name == "target":
        return "_blank"
    return value


def sanitize_html(html: str) -> str:
    """Return a display-safe version of an email's HTML body (see module docstring)."""
    if not html:
        return ""
    return nh3.clean(
        html.replace("\x00", ""),
        tags=_TAGS,
        clean_content_tags=_CLEAN_CONTENT_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes=_URL_SCHEMES,
    )
