"""A session's permission context and tool context (seed 002's ``state``), and the rules
the runtime obeys with them.

**Permission context** ``{mode, working_directories, allow_rules, deny_rules, ask_rules}``.
Rules map a tool name (``*``: every tool) to patterns over the call's *subject*: the path
for file tools (``src/**``), the command line for ``run_command`` (``git *``), ``*`` for
the rest. A call is decided by the first of: a deny rule (refused), an ask rule (a person
approves or rejects), an allow rule (runs), then the mode for calls no rule names:

- ``default``: reads run; edits, commands and actions (mail, delegation) ask;
- ``accept_edits``: reads and file edits run; commands and actions ask;
- ``plan``: read-only; everything else is refused;
- ``bypass``: everything runs and no rule applies (refused unless the operator allows it).

An approval given with ``remember: true`` adds an allow rule for exactly that call's
subject, which answers the ask rules for that same call from then on.

``working_directories`` (``{"src": {}, "docs": {"read_only": true}}``), when not empty,
confine the file tools to those directories of the sandbox (paths elsewhere are refused);
``read_only`` ones refuse edits. Commands are not confined by it: use rules for them.

Agents store the legacy shape ``{allow, deny, ask}`` (lists of tool names) too; it reads
as rules over every subject.

**Tool context** ``{max_cache_files, max_cache_bytes, read_file_cache, activated_groups}``:
the files the agent read (bounded; an edit or a command drops what it may have changed;
after a compaction they are given back to the model with the summary), and the tool groups
whose tools the model is offered (``activate_tools`` turns one on).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import time
from typing import Any

from waypost.agents.mail_tools import MAIL_TOOL_NAMES
from waypost.agents.tasks import TASK_TOOL_NAMES

PERMISSION_MODES = ("default", "accept_edits", "plan", "bypass")
RULE_KINDS = ("allow_rules", "deny_rules", "ask_rules")
CONTEXT_KEYS = ("mode", "working_directories", *RULE_KINDS)

FILE_READ_TOOLS = frozenset({"read_file", "list_files", "glob", "grep"})
FILE_EDIT_TOOLS = frozenset({"write_file", "edit_file"})
COMMAND_TOOLS = frozenset({"run_command"})
DELEGATE_TOOL = "delegate"
ACTIVATE_TOOL = "activate_tools"
MAIL_READ_TOOLS = frozenset({"read_email", "extract"})
TOOL_GROUPS: dict[str, frozenset[str]] = {
    "files": FILE_READ_TOOLS | FILE_EDIT_TOOLS,
    "shell": COMMAND_TOOLS,
    "mail": frozenset(MAIL_TOOL_NAMES),
    "tasks": frozenset(TASK_TOOL_NAMES),
    "team": frozenset({DELEGATE_TOOL}),
}
MAX_CACHE_FILES = 100
MAX_CACHE_BYTES = 25_000


# --- permission context -------------------------------------------------------------------------


def _as_rules(value: Any) -> dict[str, list[str]]:
    """``{tool: [patterns]}`` from the new shape, or from a legacy list of tool names."""
    if isinstance(value, list):
        return {str(name): ["*"] for name in value}
    if isinstance(value, dict):
        return {
            str(tool): [str(p) for p in patterns] if isinstance(patterns, list) else [str(patterns)]
            for tool, patterns in value.items()
        }
    return {}


def permission_context(raw: dict[str, Any] | None) -> dict[str, Any]:
    """A complete permission context from an agent's or a session's stored one (either shape).

    An agent that never set any rule was made to run unattended: its allow rules are ``*``.
    """
    from waypost.agents.configs import PermissionRules

    try:
        rules = PermissionRules.model_validate(raw or {})
    except ValueError:  # a row written by hand: read what can be read
        raw = raw or {}
        return {
            "mode": raw.get("mode") if raw.get("mode") in PERMISSION_MODES else "default",
            "working_directories": dict(raw.get("working_directories") or {}),
            "allow_rules": _as_rules(raw.get("allow_rules", raw.get("allow", ["*"]))),
            "deny_rules": _as_rules(raw.get("deny_rules", raw.get("deny", {}))),
            "ask_rules": _as_rules(raw.get("ask_rules", raw.get("ask", {}))),
        }
    return rules.model_dump(include=set(CONTEXT_KEYS))


def subject_of(tool: str, args: dict[str, Any]) -> str | None:
    """What a rule's patterns are matched against: a path, a command line, or None."""
    if tool in COMMAND_TOOLS:
        return str(args.get("command", ""))
    if tool in FILE_READ_TOOLS or tool in FILE_EDIT_TOOLS:
        return normalise_path(str(args.get("path", ".") or "."))
    return None


def normalise_path(path: str) -> str:
    """A sandbox path as rules see it: relative, no ``.`` or ``..`` segments (``.`` = root)."""
    path = path.replace("\\", "/")
    if path.startswith("/workspace"):
        path = path[len("/workspace") :]
    cleaned = posixpath.normpath("/" + path).lstrip("/")
    return cleaned or "."


def _pattern_matches(tool: str, pattern: str, subject: str | None) -> bool:
    if pattern in ("*", "**"):
        return True
    if subject is None:
        return False
    if tool in COMMAND_TOOLS:
        return fnmatch.fnmatchcase(subject, pattern)
    return _path_glob(pattern).fullmatch(subject) is not None


_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def _path_glob(pattern: str) -> re.Pattern[str]:
    """A path glob: ``**`` spans directories (and matches none), ``*`` and ``?`` one segment."""
    compiled = _GLOB_CACHE.get(pattern)
    if compiled is None:
        out, i = [], 0
        pattern = normalise_path(pattern) if pattern not in (".", "") else "."
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif pattern.startswith("**", i):
                out.append(".*")
                i += 2
            elif pattern[i] == "*":
                out.append("[^/]*")
                i += 1
            elif pattern[i] == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(pattern[i]))
                i += 1
        compiled = re.compile("".join(out))
        if len(_GLOB_CACHE) < 1024:
            _GLOB_CACHE[pattern] = compiled
    return compiled


def _matches(rules: dict[str, list[str]], tool: str, subject: str | None) -> bool:
    for name in (tool, "*"):
        for pattern in rules.get(name, []):
            if _pattern_matches(tool, pattern, subject):
                return True
    return False


def _remembered(rules: dict[str, list[str]], tool: str, subject: str | None) -> bool:
    """An allow rule that names exactly this call (what ``remember: true`` adds)."""
    return subject is not None and subject in rules.get(tool, [])


def tool_class(tool: str) -> str:
    """``read``, ``edit``, ``command`` or ``action`` (what the modes tell apart)."""
    if tool in FILE_READ_TOOLS or tool in MAIL_READ_TOOLS or tool in TASK_TOOL_NAMES:
        return "read"
    if tool == ACTIVATE_TOOL:
        return "read"
    if tool in FILE_EDIT_TOOLS:
        return "edit"
    if tool in COMMAND_TOOLS:
        return "command"
    return "action"


def decide(context: dict[str, Any], tool: str, args: dict[str, Any]) -> tuple[str, str]:
    """``(allow | ask | deny, why)`` for one tool call under a permission context."""
    mode = context.get("mode", "default")
    if mode == "bypass":
        return "allow", "bypass mode"
    subject = subject_of(tool, args)
    refused = _outside_directories(context.get("working_directories") or {}, tool, subject)
    if refused:
        return "deny", refused
    if _matches(context.get("deny_rules", {}), tool, subject):
        return "deny", f"{tool} is denied by the permission rules"
    allow = context.get("allow_rules", {})
    if _matches(context.get("ask_rules", {}), tool, subject) and not _remembered(
        allow, tool, subject
    ):
        return "ask", "an ask rule names this call"
    if _matches(allow, tool, subject):
        return "allow", "an allow rule names this call"
    kind = tool_class(tool)
    if kind == "read":
        return "allow", f"{mode} mode runs reads"
    if mode == "plan":
        return "deny", f"{tool} is refused in plan mode (read-only tools only)"
    if mode == "accept_edits" and kind == "edit":
        return "allow", "accept_edits mode runs file edits"
    return "ask", f"{mode} mode asks before {kind}s"


def _outside_directories(directories: dict[str, Any], tool: str, subject: str | None) -> str:
    """Why a file tool's path is outside the working directories ('' when it is not)."""
    if not directories or subject is None or tool in COMMAND_TOOLS:
        return ""
    for directory, options in directories.items():
        base = normalise_path(str(directory))
        inside = base == "." or subject == base or subject.startswith(base + "/")
        if inside:
            read_only = isinstance(options, dict) and bool(options.get("read_only"))
            if read_only and tool in FILE_EDIT_TOOLS:
                return f"{subject} is in a read-only working directory ({base})"
            return ""
    return f"{subject} is outside the session's working directories"


def remember(context: dict[str, Any], tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """The context with an allow rule for exactly this call (an approval remembered)."""
    subject = subject_of(tool, args)
    pattern = subject if subject is not None else "*"
    allow = {k: list(v) for k, v in context.get("allow_rules", {}).items()}
    if pattern not in allow.setdefault(tool, []):
        allow[tool].append(pattern)
    return {**context, "allow_rules": allow}


# --- tool context -------------------------------------------------------------------------------


def tool_context(state: dict[str, Any], groups: list[str] | None) -> dict[str, Any]:
    """The session's tool context, with the seed's bounds and the agent's starting groups."""
    current = state.get("tool_context") or {}
    activated = current.get("activated_groups")
    if activated is None:
        activated = list(groups) if groups is not None else list(TOOL_GROUPS)
    return {
        "max_cache_files": MAX_CACHE_FILES,
        "max_cache_bytes": MAX_CACHE_BYTES,
        "read_file_cache": list(current.get("read_file_cache") or []),
        "activated_groups": activated,
    }


def cache_read(context: dict[str, Any], path: str, content: str) -> dict[str, Any]:
    """The context after the agent read ``path``: the newest entry first, then bounded."""
    path = normalise_path(path)
    entries = [e for e in context["read_file_cache"] if e.get("file_path") != path]
    size = len(content.encode("utf-8"))
    if size <= context["max_cache_bytes"]:
        entries.insert(
            0,
            {
                "file_path": path,
                "lines": content.splitlines(),
                "bytes": size,
                "updated_at": int(time.time()),
            },
        )
    kept: list[dict[str, Any]] = []
    total = 0
    for entry in entries:
        if (
            len(kept) >= context["max_cache_files"]
            or total + entry["bytes"] > context["max_cache_bytes"]
        ):
            continue
        kept.append(entry)
        total += entry["bytes"]
    return {**context, "read_file_cache": kept}


def cache_forget(context: dict[str, Any], path: str | None) -> dict[str, Any]:
    """The context without ``path`` (an edit), or without every file (``None``: a command)."""
    if path is None:
        return {**context, "read_file_cache": []}
    path = normalise_path(path)
    return {
        **context,
        "read_file_cache": [e for e in context["read_file_cache"] if e.get("file_path") != path],
    }


def cached_files_note(context: dict[str, Any]) -> str:
    """The cached files as text for the model after a compaction ('' if there are none)."""
    parts = []
    for entry in context.get("read_file_cache") or []:
        body = "\n".join(entry.get("lines") or [])
        parts.append(f"--- {entry['file_path']} ---\n{body}")
    if not parts:
        return ""
    return "Files you had read (still current):\n" + "\n".join(parts)


_GROUP_OF = {tool: group for group, tools in TOOL_GROUPS.items() for tool in tools}


def group_of(tool: str) -> str | None:
    """The group a tool belongs to (None: always offered)."""
    return _GROUP_OF.get(tool)


def tools_offered(activated: list[str], names: list[str]) -> list[str]:
    """Of ``names``, those in an activated group (a tool in no group is always offered)."""
    return [n for n in names if n not in _GROUP_OF or _GROUP_OF[n] in activated]


def inactive_groups(activated: list[str], names: list[str]) -> list[str]:
    """Groups that are off and hold at least one of ``names`` (the agent's tools)."""
    return [
        group
        for group, tools in TOOL_GROUPS.items()
        if group not in activated and any(n in tools for n in names)
    ]


def activate_spec(inactive: list[str]) -> dict[str, Any]:
    """The ``activate_tools`` tool, offered while some of the agent's groups are off."""
    listing = "; ".join(f"{g}: {', '.join(sorted(TOOL_GROUPS[g]))}" for g in inactive)
    return {
        "name": ACTIVATE_TOOL,
        "description": (
            "Turn on a group of tools you do not have yet; they are offered from your next "
            f"turn. Groups that are off: {listing}."
        ),
        "input_schema": {
            "type": "object",
            "properties": {"group": {"type": "string", "enum": inactive}},
            "required": ["group"],
        },
    }


__all__ = [
    "ACTIVATE_TOOL",
    "DELEGATE_TOOL",
    "MAX_CACHE_BYTES",
    "MAX_CACHE_FILES",
    "PERMISSION_MODES",
    "TOOL_GROUPS",
    "activate_spec",
    "cache_forget",
    "cache_read",
    "cached_files_note",
    "decide",
    "group_of",
    "inactive_groups",
    "normalise_path",
    "permission_context",
    "remember",
    "subject_of",
    "tool_context",
    "tools_offered",
]
