"""Pure validation rules, deliberately stricter than Discord.

Every checker returns a list of ``Problem`` (a dotted JSON path plus a message) so the
REST layer can both build a Discord-shaped ``50035 Invalid Form Body`` error and write a
readable violation.  Nothing here does I/O, so these functions are unit-testable alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlparse

from . import constants as C


class Problem(NamedTuple):
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _max_len(value: Any, limit: int, path: str, *, min_len: int = 0) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, str):
        return [Problem(path, f"must be a string, got {type(value).__name__}")]
    if len(value) > limit:
        return [Problem(path, f"Must be {limit} or fewer in length (got {len(value)}).")]
    if len(value.strip()) < min_len:
        return [Problem(path, f"Must be {min_len} or more in length (blank values are rejected).")]
    return []


def _url(value: Any, path: str, *, allow_attachment: bool = True) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, str):
        return [Problem(path, "Not a well formed URL (not a string).")]
    parsed = urlparse(value)
    if parsed.scheme == "attachment" and allow_attachment and (parsed.netloc or parsed.path):
        return []
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return []
    return [Problem(path, f"Not a well formed URL: {value!r} (need http(s):// or attachment://).")]


# --------------------------------------------------------------------------- embeds


def embed_text_length(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts towards the 6000-per-message embed budget."""
    total = 0
    for key in ("title", "description"):
        total += len(embed.get(key) or "")
    for field in embed.get("fields") or []:
        if isinstance(field, Mapping):
            total += len(field.get("name") or "") + len(field.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def embed_texts(embed: Mapping[str, Any]) -> list[str]:
    texts = [embed.get("title") or "", embed.get("description") or ""]
    for field in embed.get("fields") or []:
        if isinstance(field, Mapping):
            texts += [field.get("name") or "", field.get("value") or ""]
    texts.append((embed.get("footer") or {}).get("text") or "")
    texts.append((embed.get("author") or {}).get("name") or "")
    return [t for t in texts if isinstance(t, str) and t]


def _embed_is_empty(embed: Mapping[str, Any]) -> bool:
    visible = ("title", "description", "fields", "image", "thumbnail", "author", "footer", "video")
    return not any(embed.get(key) for key in visible)


def check_embed(embed: Any, path: str) -> list[Problem]:
    if not isinstance(embed, Mapping):
        return [Problem(path, "embed must be an object")]
    problems: list[Problem] = []
    problems += _max_len(embed.get("title"), C.MAX_EMBED_TITLE, _join(path, "title"))
    problems += _max_len(embed.get("description"), C.MAX_EMBED_DESCRIPTION, _join(path, "description"))
    problems += _url(embed.get("url"), _join(path, "url"), allow_attachment=False)
    color = embed.get("color")
    if color is not None and (not isinstance(color, int) or not 0 <= color <= 0xFFFFFF):
        problems.append(Problem(_join(path, "color"), f"must be an integer 0..16777215, got {color!r}"))
    timestamp = embed.get("timestamp")
    if timestamp is not None:
        try:
            dt.datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
        except ValueError:
            problems.append(Problem(_join(path, "timestamp"), f"Could not parse {timestamp!r}. Should be ISO8601."))
    problems += _check_embed_fields(embed.get("fields"), _join(path, "fields"))
    problems += _check_embed_parts(embed, path)
    if _embed_is_empty(embed):
        problems.append(
            Problem(path, "embed has nothing visible (no title, description, fields, image, author, footer)")
        )
    return problems


def _check_embed_fields(fields: Any, path: str) -> list[Problem]:
    if fields is None:
        return []
    if not isinstance(fields, list):
        return [Problem(path, "must be an array")]
    problems: list[Problem] = []
    if len(fields) > C.MAX_EMBED_FIELDS:
        problems.append(Problem(path, f"Must be {C.MAX_EMBED_FIELDS} or fewer in length (got {len(fields)})."))
    for index, field in enumerate(fields):
        field_path = _join(path, index)
        if not isinstance(field, Mapping):
            problems.append(Problem(field_path, "field must be an object"))
            continue
        problems += _max_len(field.get("name"), C.MAX_FIELD_NAME, _join(field_path, "name"), min_len=1)
        problems += _max_len(field.get("value"), C.MAX_FIELD_VALUE, _join(field_path, "value"), min_len=1)
        for key in ("name", "value"):
            if field.get(key) is None:
                problems.append(Problem(_join(field_path, key), "This field is required"))
    return problems


def _check_embed_parts(embed: Mapping[str, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    footer = embed.get("footer")
    if footer is not None:
        fpath = _join(path, "footer")
        if not footer.get("text"):
            problems.append(Problem(_join(fpath, "text"), "This field is required"))
        problems += _max_len(footer.get("text"), C.MAX_FOOTER_TEXT, _join(fpath, "text"))
        problems += _url(footer.get("icon_url"), _join(fpath, "icon_url"))
    author = embed.get("author")
    if author is not None:
        apath = _join(path, "author")
        if not author.get("name"):
            problems.append(Problem(_join(apath, "name"), "This field is required"))
        problems += _max_len(author.get("name"), C.MAX_AUTHOR_NAME, _join(apath, "name"))
        problems += _url(author.get("url"), _join(apath, "url"), allow_attachment=False)
        problems += _url(author.get("icon_url"), _join(apath, "icon_url"))
    for key in ("image", "thumbnail"):
        media = embed.get(key)
        if media is not None:
            if not media.get("url"):
                problems.append(Problem(_join(_join(path, key), "url"), "This field is required"))
            problems += _url(media.get("url"), _join(_join(path, key), "url"))
    return problems


def check_embeds(embeds: Any, path: str = "embeds") -> list[Problem]:
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [Problem(path, "must be an array")]
    problems: list[Problem] = []
    if len(embeds) > C.MAX_EMBEDS:
        problems.append(Problem(path, f"Must be {C.MAX_EMBEDS} or fewer in length (got {len(embeds)})."))
    for index, embed in enumerate(embeds):
        problems += check_embed(embed, _join(path, index))
    total = sum(embed_text_length(e) for e in embeds if isinstance(e, Mapping))
    if total > C.MAX_EMBED_TOTAL:
        problems.append(Problem(path, f"Embed size exceeds maximum size of {C.MAX_EMBED_TOTAL} (got {total})."))
    return problems


# --------------------------------------------------------------------------- components

SELECT_TYPES = {3, 5, 6, 7, 8}
V2_TOP_LEVEL_TYPES = {1, 9, 10, 12, 13, 14, 17}


def iter_components(components: Iterable[Any]) -> Iterable[Mapping[str, Any]]:
    """Every component, depth first (rows, containers, sections and their accessories)."""
    for component in components or []:
        if not isinstance(component, Mapping):
            continue
        yield component
        yield from iter_components(component.get("components") or [])
        accessory = component.get("accessory")
        if isinstance(accessory, Mapping):
            yield accessory


def _check_button(button: Mapping[str, Any], path: str) -> list[Problem]:
    problems = _max_len(button.get("label"), C.MAX_BUTTON_LABEL, _join(path, "label"))
    style = button.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        problems.append(Problem(_join(path, "style"), f"invalid button style {style!r}"))
    if style == 5:
        if not button.get("url"):
            problems.append(Problem(_join(path, "url"), "link buttons need a url"))
        problems += _url(button.get("url"), _join(path, "url"), allow_attachment=False)
        if button.get("custom_id") is not None:
            problems.append(Problem(_join(path, "custom_id"), "link buttons cannot have a custom_id"))
    elif style != 6:
        problems += _check_custom_id(button.get("custom_id"), _join(path, "custom_id"))
    if not button.get("label") and not button.get("emoji") and style != 6:
        problems.append(Problem(path, "a button needs a label or an emoji"))
    return problems


def _check_custom_id(custom_id: Any, path: str) -> list[Problem]:
    if custom_id is None:
        return [Problem(path, "This field is required")]
    return _max_len(custom_id, C.MAX_CUSTOM_ID, path, min_len=1)


def _check_select(select: Mapping[str, Any], path: str) -> list[Problem]:
    problems = _check_custom_id(select.get("custom_id"), _join(path, "custom_id"))
    problems += _max_len(select.get("placeholder"), C.MAX_SELECT_PLACEHOLDER, _join(path, "placeholder"))
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not (0 <= low <= 25 and 1 <= high <= 25 and low <= high):
        problems.append(Problem(path, f"invalid min_values/max_values {low}/{high}"))
    if select.get("type") == 3:
        options = select.get("options") or []
        if not 1 <= len(options) <= C.MAX_SELECT_OPTIONS:
            problems.append(
                Problem(_join(path, "options"), f"must have 1..{C.MAX_SELECT_OPTIONS} options (got {len(options)})")
            )
        values = [o.get("value") for o in options if isinstance(o, Mapping)]
        if len(values) != len(set(values)):
            problems.append(Problem(_join(path, "options"), "option values must be unique"))
        for index, option in enumerate(options):
            opath = _join(_join(path, "options"), index)
            problems += _max_len(option.get("label"), 100, _join(opath, "label"), min_len=1)
            problems += _max_len(option.get("value"), 100, _join(opath, "value"), min_len=1)
            problems += _max_len(option.get("description"), 100, _join(opath, "description"))
    return problems


def _check_action_row(row: Any, path: str) -> list[Problem]:
    if not isinstance(row, Mapping) or row.get("type") != 1:
        return [Problem(path, "top-level components must be action rows (type 1)")]
    children = row.get("components") or []
    problems: list[Problem] = []
    if not 1 <= len(children) <= C.MAX_ROW_BUTTONS:
        problems.append(
            Problem(
                _join(path, "components"),
                f"an action row holds 1..{C.MAX_ROW_BUTTONS} components (got {len(children)})",
            )
        )
    if any(c.get("type") in SELECT_TYPES for c in children) and len(children) != 1:
        problems.append(Problem(_join(path, "components"), "a select menu must be alone in its action row"))
    for index, child in enumerate(children):
        problems += _check_interactive(child, _join(_join(path, "components"), index))
    return problems


def _check_interactive(component: Mapping[str, Any], path: str) -> list[Problem]:
    kind = component.get("type")
    if kind == 2:
        return _check_button(component, path)
    if kind in SELECT_TYPES:
        return _check_select(component, path)
    return [Problem(path, f"component type {kind!r} is not allowed in a message action row")]


def _check_v2_components(components: list[Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    everything = list(iter_components(components))
    if len(everything) > C.MAX_V2_COMPONENTS:
        problems.append(Problem(path, f"at most {C.MAX_V2_COMPONENTS} components in total (got {len(everything)})"))
    text = sum(len(c.get("content") or "") for c in everything if c.get("type") == 10)
    if text > C.MAX_V2_TEXT:
        problems.append(Problem(path, f"text displays total {text} characters (max {C.MAX_V2_TEXT})"))
    for index, component in enumerate(components):
        cpath = _join(path, index)
        if not isinstance(component, Mapping) or component.get("type") not in V2_TOP_LEVEL_TYPES:
            problems.append(Problem(cpath, f"component type {component.get('type')!r} is not allowed at top level"))
        elif component.get("type") == 1:
            problems += _check_action_row(component, cpath)
    return problems


def check_components(components: Any, flags: int = 0, path: str = "components") -> list[Problem]:
    if components is None:
        return []
    if not isinstance(components, list):
        return [Problem(path, "must be an array")]
    if flags & C.FLAG_COMPONENTS_V2:
        problems = _check_v2_components(components, path)
    else:
        problems = []
        if len(components) > C.MAX_ACTION_ROWS:
            problems.append(Problem(path, f"Must be {C.MAX_ACTION_ROWS} or fewer in length (got {len(components)})."))
        for index, row in enumerate(components):
            problems += _check_action_row(row, _join(path, index))
    custom_ids = [c.get("custom_id") for c in iter_components(components) if c.get("custom_id") is not None]
    duplicates = sorted({cid for cid in custom_ids if custom_ids.count(cid) > 1})
    if duplicates:
        problems.append(Problem(path, f"custom_id values must be unique within a message: {duplicates}"))
    return problems


# --------------------------------------------------------------------------- messages


def check_allowed_mentions(allowed: Any, path: str = "allowed_mentions") -> list[Problem]:
    if allowed is None:
        return []
    if not isinstance(allowed, Mapping):
        return [Problem(path, "must be an object")]
    problems: list[Problem] = []
    parse = allowed.get("parse") or []
    unknown = [p for p in parse if p not in ("everyone", "roles", "users")]
    if unknown:
        problems.append(Problem(_join(path, "parse"), f"unknown values {unknown}"))
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            problems.append(Problem(_join(path, kind), f'"{kind}" in parse and a {kind} list are mutually exclusive'))
        if len(allowed.get(kind) or []) > 100:
            problems.append(Problem(_join(path, kind), "Must be 100 or fewer in length."))
    return problems


def check_message_payload(
    payload: Mapping[str, Any],
    *,
    ephemeral_allowed: bool,
    is_edit: bool = False,
) -> list[Problem]:
    """Length, count and shape rules for a message create/edit body (not emptiness)."""
    problems: list[Problem] = []
    problems += _max_len(payload.get("content"), C.MAX_CONTENT, "content")
    flags = payload.get("flags") or 0
    if not isinstance(flags, int):
        problems.append(Problem("flags", "must be an integer"))
        flags = 0
    problems += check_embeds(payload.get("embeds"))
    problems += check_components(payload.get("components"), flags)
    problems += check_allowed_mentions(payload.get("allowed_mentions"))
    allowed_flags = C.SENDABLE_FLAGS | (C.FLAG_EPHEMERAL if ephemeral_allowed or is_edit else 0)
    if flags & ~allowed_flags:
        problems.append(
            Problem("flags", f"flags {flags:#x} contain bits that cannot be sent here ({flags & ~allowed_flags:#x})")
        )
    if flags & C.FLAG_COMPONENTS_V2 and (payload.get("content") or payload.get("embeds")):
        problems.append(Problem("flags", "IS_COMPONENTS_V2 messages cannot have content or embeds"))
    return problems


def message_is_empty(message: Mapping[str, Any]) -> bool:
    content = message.get("content") or ""
    has_other = any(message.get(key) for key in ("embeds", "components", "attachments", "sticker_ids", "poll"))
    return not content.strip() and not has_other


# --------------------------------------------------------------------------- pings

EVERYONE_RE = re.compile(r"@(everyone|here)\b")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")
USER_MENTION_RE = re.compile(r"<@!?(\d+)>")


class Pings(NamedTuple):
    everyone: bool
    users: list[int]
    roles: list[int]
    tokens: list[str]


def resolve_pings(texts: Iterable[str], allowed_mentions: Mapping[str, Any] | None) -> Pings:
    """Which mentions in ``texts`` would notify someone under ``allowed_mentions``.

    A missing ``allowed_mentions`` means Discord's default: parse everything.
    """
    parse = set(("everyone", "users", "roles") if allowed_mentions is None else allowed_mentions.get("parse") or [])
    allowed_users = {int(u) for u in (allowed_mentions or {}).get("users") or []}
    allowed_roles = {int(r) for r in (allowed_mentions or {}).get("roles") or []}
    everyone, users, roles, tokens = False, [], [], []
    for text in texts:
        for match in EVERYONE_RE.finditer(text):
            if "everyone" in parse:
                everyone = True
                tokens.append(match.group(0))
        for match in ROLE_MENTION_RE.finditer(text):
            role_id = int(match.group(1))
            if "roles" in parse or role_id in allowed_roles:
                roles.append(role_id)
                tokens.append(match.group(0))
        for match in USER_MENTION_RE.finditer(text):
            user_id = int(match.group(1))
            if "users" in parse or user_id in allowed_users:
                users.append(user_id)
                tokens.append(match.group(0))
    return Pings(everyone, _unique(users), _unique(roles), _unique(tokens))


def _unique(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def message_texts(message: Mapping[str, Any], *, include_embeds: bool = True) -> list[str]:
    texts = [message.get("content") or ""]
    if include_embeds:
        for embed in message.get("embeds") or []:
            if isinstance(embed, Mapping):
                texts += embed_texts(embed)
    return texts


# --------------------------------------------------------------------------- autocomplete & modal


def check_autocomplete_choices(data: Mapping[str, Any], option_type: int | None) -> list[Problem]:
    choices = data.get("choices")
    if not isinstance(choices, list):
        return [Problem("data.choices", "This field is required (an array)")]
    problems: list[Problem] = []
    if len(choices) > C.MAX_CHOICES:
        problems.append(Problem("data.choices", f"Must be {C.MAX_CHOICES} or fewer in length (got {len(choices)})."))
    for index, choice in enumerate(choices):
        path = f"data.choices.{index}"
        if not isinstance(choice, Mapping):
            problems.append(Problem(path, "choice must be an object"))
            continue
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= C.MAX_CHOICE_NAME:
            size = len(name) if isinstance(name, str) else "missing"
            problems.append(
                Problem(f"{path}.name", f"Must be between 1 and {C.MAX_CHOICE_NAME} in length (got {size}).")
            )
        problems += _check_choice_value(choice.get("value"), option_type, f"{path}.value")
    return problems


def _check_choice_value(value: Any, option_type: int | None, path: str) -> list[Problem]:
    if option_type == C.OPT_STRING:
        if not isinstance(value, str):
            return [Problem(path, f"a string option needs string values, got {type(value).__name__}")]
        return _max_len(value, C.MAX_CHOICE_VALUE, path)
    if option_type == C.OPT_INTEGER and (not isinstance(value, int) or isinstance(value, bool)):
        return [Problem(path, f"an integer option needs integer values, got {value!r}")]
    if option_type == C.OPT_NUMBER and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        return [Problem(path, f"a number option needs numeric values, got {value!r}")]
    return []


def check_modal(data: Mapping[str, Any]) -> list[Problem]:
    problems = _max_len(data.get("title"), C.MAX_MODAL_TITLE, "data.title", min_len=1)
    problems += _check_custom_id(data.get("custom_id"), "data.custom_id")
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        problems.append(Problem("data.components", f"a modal holds 1..5 components (got {len(rows)})"))
    return problems


# --------------------------------------------------------------------------- application commands

COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")


def check_command_list(commands: Any) -> list[Problem]:
    if not isinstance(commands, list):
        return [Problem("", "body must be an array of commands")]
    problems: list[Problem] = []
    chat_input = [c for c in commands if isinstance(c, Mapping) and c.get("type", 1) == 1]
    if len(chat_input) > C.MAX_COMMANDS:
        problems.append(Problem("", f"at most {C.MAX_COMMANDS} slash commands (got {len(chat_input)})"))
    keys = [(c.get("name"), c.get("type", 1)) for c in commands if isinstance(c, Mapping)]
    if len(keys) != len(set(keys)):
        problems.append(Problem("", "command names must be unique per type"))
    for index, command in enumerate(commands):
        problems += check_command(command, str(index))
    return problems


def check_command(command: Any, path: str) -> list[Problem]:
    if not isinstance(command, Mapping):
        return [Problem(path, "command must be an object")]
    problems: list[Problem] = []
    kind = command.get("type", 1)
    name = command.get("name")
    if kind == 1:
        problems += _check_option_name(name, _join(path, "name"))
        problems += _max_len(
            command.get("description"), C.MAX_COMMAND_DESCRIPTION, _join(path, "description"), min_len=1
        )
        if not command.get("description"):
            problems.append(Problem(_join(path, "description"), "This field is required"))
        problems += _check_options(command.get("options") or [], _join(path, "options"), depth=0)
    elif not isinstance(name, str) or not 1 <= len(name) <= 32:
        problems.append(Problem(_join(path, "name"), "context menu names must be 1..32 characters"))
    return problems


def _check_option_name(name: Any, path: str) -> list[Problem]:
    if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != name.lower():
        return [Problem(path, f"Command name {name!r} is invalid (1-32 lowercase letters, digits, - or _).")]
    return []


def _check_options(options: list[Any], path: str, *, depth: int) -> list[Problem]:
    problems: list[Problem] = []
    if len(options) > C.MAX_COMMAND_OPTIONS:
        problems.append(Problem(path, f"Must be {C.MAX_COMMAND_OPTIONS} or fewer in length (got {len(options)})."))
    names = [o.get("name") for o in options if isinstance(o, Mapping)]
    if len(names) != len(set(names)):
        problems.append(Problem(path, "option names must be unique"))
    seen_optional = False
    for index, option in enumerate(options):
        opath = _join(path, index)
        if not isinstance(option, Mapping):
            problems.append(Problem(opath, "option must be an object"))
            continue
        problems += _check_option_name(option.get("name"), _join(opath, "name"))
        problems += _max_len(
            option.get("description"), C.MAX_COMMAND_DESCRIPTION, _join(opath, "description"), min_len=1
        )
        kind = option.get("type")
        if kind in (C.OPT_SUB_COMMAND, C.OPT_SUB_COMMAND_GROUP):
            if depth >= (1 if kind == C.OPT_SUB_COMMAND_GROUP else 2):
                problems.append(Problem(opath, "subcommands nested too deeply"))
            problems += _check_options(option.get("options") or [], _join(opath, "options"), depth=depth + 1)
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(Problem(opath, "Required options must be placed before non-required options"))
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > C.MAX_CHOICES:
            problems.append(Problem(_join(opath, "choices"), f"Must be {C.MAX_CHOICES} or fewer in length."))
        if choices and option.get("autocomplete"):
            problems.append(Problem(opath, "autocomplete and choices are mutually exclusive"))
        for cindex, choice in enumerate(choices):
            problems += _max_len(
                choice.get("name"), C.MAX_CHOICE_NAME, _join(_join(opath, "choices"), cindex), min_len=1
            )
    return problems


# --------------------------------------------------------------------------- error body


def form_body_errors(problems: Iterable[Problem]) -> dict[str, Any]:
    """Nest problems the way Discord does: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    root: dict[str, Any] = {}
    for problem in problems:
        node = root
        for part in [p for p in problem.path.split(".") if p]:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "FAKE_DISCORD_RULE", "message": problem.message})
    return root
