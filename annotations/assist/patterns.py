"""spaCy EntityRuler patterns as untrusted input: checked before they run, then run per document within a budget."""

from __future__ import annotations

import json
import queue
import re
import resource
import signal
import subprocess
import threading
from typing import Any

from ..errors import ProjectError
from ..processes import pipes

MAX_PATTERN_FILE_BYTES = 16 * 1024 * 1024
"""A pattern file (or a kept one) larger than this is refused before it is read."""
MAX_PATTERNS = 100_000
"""Patterns in one file."""
MAX_PATTERN_TOKENS = 40
"""Token patterns in one pattern, counting a repeat such as {2,5} as the tokens spaCy expands it into."""
MAX_OPEN_QUANTIFIERS = 2
"""Tokens with OP "*", "+" or "{n,}" in one pattern: each multiplies the states spaCy's Matcher keeps per
token (three on a 1,000-word page exhaust 2 GB; two take 20 s there, which the time budget stops)."""
MAX_REPEAT = 10
"""The largest number in an OP of the {n}, {n,m}, {n,} and {,m} forms."""
MAX_NESTING = 8
"""JSON nesting of one line: the line's object, the token list, a token, an attribute's predicates, a list of values."""
MAX_PHRASE_CHARS = 1_000
"""Characters of a phrase pattern, and of a value matched against a token."""
MAX_REGEX_CHARS = 200
"""Characters of a REGEX value."""
PATTERN_SECONDS = 5.0
"""Wall-clock time the patterns may take over one document; a document that takes longer is skipped."""
PATTERN_MEMORY = 1024 * 1024 * 1024
"""Address space of the process that runs the patterns (spaCy itself takes about 400 MB of it)."""
START_SECONDS = 120.0
"""Time to start spaCy and add the patterns (100,000 phrases take tens of seconds)."""

TOKEN_ATTRIBUTES = frozenset({
    "ORTH", "TEXT", "LOWER", "POS", "TAG", "MORPH", "DEP", "LEMMA", "SHAPE", "ENT_TYPE", "ENT_IOB", "ENT_ID",
    "ENT_KB_ID", "NORM", "LENGTH", "SPACY", "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE",
    "IS_PUNCT", "IS_SPACE", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "IS_STOP",
    "IS_SENT_START", "SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "OP",
})
"""The token attributes spaCy's Matcher knows (spacy.schemas.TokenPattern), custom "_" ones left out."""

_REPEAT = re.compile(r"\{(\d*)(,?)(\d*)\}")


def check_size(size: int, name: str) -> None:
    if size > MAX_PATTERN_FILE_BYTES:
        raise ProjectError(f"{name}: {size:,} bytes, more than a pattern file may hold "
                           f"({MAX_PATTERN_FILE_BYTES // (1024 * 1024)} MB)")


def load_line(line: str, where: str) -> Any:
    """One line's JSON, nested no deeper than MAX_NESTING, or a one-line ProjectError."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ProjectError(f"{where}: not JSON ({exc.msg})") from None
    except RecursionError:  # json recurses per level: 100,000 brackets never get as far as a depth check
        raise ProjectError(f"{where}: nested deeper than {MAX_NESTING} levels") from None
    stack = [(value, 1)]
    while stack:  # iterative: the depth check must not recurse either
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ProjectError(f"{where}: nested deeper than {MAX_NESTING} levels")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack += [(child, depth + 1) for child in children]
    return value


def _repeat_tokens(op: str, where: str) -> tuple[int, bool]:
    """The tokens an OP of the {..} form expands into, and whether it is open-ended ({n,})."""
    m = _REPEAT.fullmatch(op)
    if m is None or not (m[1] or m[3]):
        raise ProjectError(f"{where}: unknown OP {op!r} (known: ! ? + * {{n}} {{n,m}} {{n,}} {{,m}})")
    low, comma, high = m[1], m[2], m[3]
    numbers = [int(n) for n in (low, high) if n]
    if max(numbers) > MAX_REPEAT:
        raise ProjectError(f"{where}: OP {op!r} repeats more than {MAX_REPEAT} times")
    if not comma:
        return int(low), False
    if low and high and int(low) > int(high):
        raise ProjectError(f"{where}: OP {op!r} has its smaller number last")
    if not high:
        return int(low) + 1, True
    return int(high), False


def _check_values(value: Any, where: str) -> None:
    """Strings, REGEX values and predicate dicts inside one token attribute."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and len(item) > MAX_PHRASE_CHARS:
            raise ProjectError(f"{where}: a value longer than {MAX_PHRASE_CHARS:,} characters")
        if isinstance(item, dict):
            regex = item.get("REGEX", item.get("regex"))
            if regex is not None:
                if not isinstance(regex, str) or len(regex) > MAX_REGEX_CHARS:
                    raise ProjectError(f"{where}: REGEX must be text of at most {MAX_REGEX_CHARS} characters")
                try:
                    re.compile(regex)
                except re.error as exc:
                    raise ProjectError(f"{where}: REGEX {regex!r} does not compile ({exc})") from None
            stack += item.values()
        elif isinstance(item, list):
            stack += item


def check_pattern(pattern: Any, where: str) -> None:
    """A phrase or token pattern within the limits above, with known attributes and operators only
    (spaCy checks the types of the values when the patterns are added)."""
    if isinstance(pattern, str):
        if len(pattern) > MAX_PHRASE_CHARS:
            raise ProjectError(f"{where}: a phrase longer than {MAX_PHRASE_CHARS:,} characters")
        return
    tokens = 0
    open_ended = 0
    for token in pattern:
        if not isinstance(token, dict):
            raise ProjectError(f"{where}: a token pattern must be an object, like {{\"LOWER\": \"fund\"}}")
        unknown = sorted(str(k) for k in token if str(k).upper() not in TOKEN_ATTRIBUTES)
        if unknown:
            raise ProjectError(f"{where}: unknown token attribute {unknown[0]!r}")
        op = next((v for k, v in token.items() if k.upper() == "OP"), None)
        if op is None or op in ("!", "?"):
            tokens += 1
        elif op in ("*", "+"):
            tokens += 1
            open_ended += 1
        elif isinstance(op, str):
            count, unbounded = _repeat_tokens(op, where)
            tokens += max(count, 1)
            open_ended += unbounded
        else:
            raise ProjectError(f"{where}: OP must be text, one of ! ? + * {{n}} {{n,m}} {{n,}} {{,m}}")
        _check_values([v for k, v in token.items() if k.upper() != "OP"], where)
    if tokens > MAX_PATTERN_TOKENS:
        raise ProjectError(f"{where}: more than {MAX_PATTERN_TOKENS} tokens in one pattern")
    if open_ended > MAX_OPEN_QUANTIFIERS:
        raise ProjectError(f"{where}: more than {MAX_OPEN_QUANTIFIERS} tokens with OP \"*\", \"+\" or {{n,}} "
                           "in one pattern (each multiplies the matching work)")


# -- running within the budget ------------------------------------------------------------------


class PatternRunner:
    """The patterns in a child process of their own, limited to PATTERN_MEMORY, given PATTERN_SECONDS per
    document. A document over the budget is skipped (its child is stopped and a fresh one started)."""

    def __init__(self, patterns: list[dict[str, Any]], name: str, ignore_case: bool = False) -> None:
        self.patterns = patterns
        self.name = name
        self.ignore_case = ignore_case
        self.labels = sorted({p["label"] for p in patterns})
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[Any] = queue.Queue()
        self._start()

    def _start(self) -> None:
        process = pipes.start("annotations.assist.patterns")
        assert process.stdin is not None and process.stdout is not None
        replies: queue.Queue[Any] = queue.Queue()
        stdout = process.stdout

        def read() -> None:
            while True:
                try:
                    message = pipes.receive(stdout)
                except (OSError, ValueError):
                    message = None
                replies.put(message)
                if message is None:
                    return

        threading.Thread(target=read, name="pattern-replies", daemon=True).start()
        self._process, self._replies = process, replies
        reply = self._ask((self.patterns, self.name, self.ignore_case), START_SECONDS)
        if reply is None or reply[0] != "ready":  # "error", "late", or the process ended
            self.close()
            why = reply[1] if reply is not None and reply[0] == "error" else (
                f"{self.name}: spaCy could not add the patterns within {START_SECONDS:.0f} s and "
                f"{PATTERN_MEMORY // (1024 * 1024)} MB")
            raise ProjectError(why)

    def _ask(self, message: Any, seconds: float) -> Any:
        """The child's reply; ("late",) when it did not answer in time, None when it stopped."""
        assert self._process is not None and self._process.stdin is not None
        try:
            pipes.send(self._process.stdin, message)
            return self._replies.get(timeout=seconds)
        except queue.Empty:
            return ("late",)
        except (OSError, ValueError):
            return None

    def run(self, text: str) -> list[tuple[str, int, int]] | str:
        """(label, start, end) character offsets of the entities in `text`, or why the budget stopped them."""
        if self._process is None:
            self._start()
        reply = self._ask(text, PATTERN_SECONDS)
        if reply is not None and reply[0] == "hits":
            return list(reply[1])
        self.close()
        if reply is not None and reply[0] == "late":
            return f"after {PATTERN_SECONDS:.0f} s"
        # MemoryError answered, or the process ended (spaCy's C++ aborts on some failed allocations)
        return f"over {PATTERN_MEMORY // (1024 * 1024)} MB of memory"

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()  # it may be deep in the Matcher: closing its input would not stop it
            pipes.stop(self._process, timeout=5)
            self._process = None


def _limit_memory() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = PATTERN_MEMORY if hard == resource.RLIM_INFINITY else min(PATTERN_MEMORY, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _child() -> None:
    """`python -m annotations.assist.patterns`: (patterns, name, ignore_case), then one text per message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    source, sink = pipes.channel()
    _limit_memory()
    request = pipes.receive(source)
    if request is None:
        return
    patterns, name, ignore_case = request
    try:
        import spacy
    except ImportError:
        pipes.send(sink, ("error", "--patterns needs spaCy: pip install 'scanspan[spacy]'"))
        return
    try:
        nlp = spacy.blank("en")
        config: dict[str, object] = {"validate": True, "overwrite_ents": True}
        if ignore_case:
            config["phrase_matcher_attr"] = "LOWER"
        ruler = nlp.add_pipe("entity_ruler", config=config)
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pipes.send(sink, ("error", f"{name}: invalid patterns ({first})"))
        return
    except (MemoryError, RecursionError):
        pipes.send(sink, ("error", f"{name}: spaCy could not add the patterns within "
                                   f"{PATTERN_MEMORY // (1024 * 1024)} MB"))
        return
    pipes.send(sink, ("ready",))
    while (text := pipes.receive(source)) is not None:
        try:
            doc = nlp(text)
            found = [(e.label_, e.start_char, e.end_char) for e in doc.ents if e.end_char > e.start_char]
        except MemoryError:
            pipes.send(sink, ("memory",))
            return
        pipes.send(sink, ("hits", found))


if __name__ == "__main__":
    _child()
