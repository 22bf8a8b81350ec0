"""Where each key of a TOML document is written: key path -> line number.

``tomllib`` returns plain values without positions, so an error about a key
found after parsing would have no line. This scanner walks the (already
successfully parsed, hence valid) text once and records the line of every
table header, key and array element. It understands headers, arrays of tables,
dotted keys, inline tables, arrays and every string form; it does not need to
understand scalar values beyond where they end.
"""

from __future__ import annotations

from ._scenario_schema import KeyPath

__all__ = ["line_of", "scan_lines"]

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest enclosing key that has one."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


def scan_lines(text: str) -> dict[KeyPath, int]:
    """Map every key path written in ``text`` (valid TOML) to its 1-based line."""
    return _Scanner(text).run()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.lines: dict[KeyPath, int] = {}
        self.tables: dict[KeyPath, int] = {}  # array-of-tables path -> number of elements

    # -- low level -------------------------------------------------------------
    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.i) + 1

    def peek(self, n: int = 1) -> str:
        return self.text[self.i:self.i + n]

    def skip_space(self, newlines: bool) -> None:
        """Skip blanks and comments (and newlines when inside brackets)."""
        while self.i < len(self.text):
            c = self.text[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.i += 1
            elif c == "#":
                end = self.text.find("\n", self.i)
                self.i = len(self.text) if end < 0 else end
            else:
                return

    def record(self, path: KeyPath, line: int) -> None:
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], line)

    # -- strings and keys ------------------------------------------------------
    def string(self) -> str:
        quote = self.text[self.i]
        if self.peek(3) == quote * 3:
            end = self.i + 3
            while not self.text.startswith(quote * 3, end):
                end += 2 if quote == '"' and self.text[end] == "\\" else 1
            while self.text[end + 3:end + 4] == quote:  # up to two quotes may close it
                end += 1
            value = self.text[self.i + 3:end]
            self.i = end + 3
            return value
        j = self.i + 1
        while self.text[j] != quote:
            j += 2 if quote == '"' and self.text[j] == "\\" else 1
        value = self.text[self.i + 1:j]
        self.i = j + 1
        return value

    def key(self) -> list[str]:
        parts = []
        while True:
            self.skip_space(False)
            if self.peek() in "\"'":
                parts.append(self.string())
            else:
                start = self.i
                while self.i < len(self.text) and self.text[self.i] in _BARE:
                    self.i += 1
                parts.append(self.text[start:self.i])
            self.skip_space(False)
            if self.peek() != ".":
                return parts
            self.i += 1

    # -- structure -------------------------------------------------------------
    def run(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_space(True)
            if self.i >= len(self.text):
                return self.lines
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table)

    def resolve(self, keys: list[str]) -> KeyPath:
        path: KeyPath = ()
        for name in keys:
            path = (*path, name)
            if path in self.tables:
                path = (*path, self.tables[path] - 1)
        return path

    def header(self) -> KeyPath:
        line = self.line
        many = self.peek(2) == "[["
        self.i += 2 if many else 1
        keys = self.key()
        self.i += 2 if many else 1
        if many:
            parent = self.resolve(keys[:-1])
            base = (*parent, keys[-1])
            self.tables[base] = self.tables.get(base, 0) + 1
            path: KeyPath = (*base, self.tables[base] - 1)
        else:
            path = self.resolve(keys)
        self.record(path, line)
        return path

    def key_value(self, table: KeyPath) -> None:
        line = self.line
        path = (*table, *self.key())
        self.record(path, line)
        self.i += 1  # "="
        self.skip_space(False)
        self.value(path)

    def value(self, path: KeyPath) -> None:
        c = self.peek()
        if c in "\"'":
            self.string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            while self.i < len(self.text) and self.text[self.i] not in ",]}\n#":
                self.i += 1

    def array(self, path: KeyPath) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_space(True)
            if self.peek() == "]":
                self.i += 1
                return
            self.record((*path, index), self.line)
            self.value((*path, index))
            index += 1
            self.skip_space(True)
            if self.peek() == ",":
                self.i += 1

    def inline_table(self, path: KeyPath) -> None:
        self.i += 1
        while True:
            self.skip_space(True)
            if self.peek() == "}":
                self.i += 1
                return
            self.key_value(path)
            self.skip_space(True)
            if self.peek() == ",":
                self.i += 1
