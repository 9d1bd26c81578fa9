#!/usr/bin/env python3
"""Architecture checks for the Swift sources under Sources/.

Rules (each violation is printed as `path:line: rule: message`):
  file-length      no .swift file under Sources/ over 500 lines
  function-length  no func/init/deinit/subscript, and no computed property or `= {` closure
                   at type or file scope, over 80 lines (declaration line to closing brace)
  command-length   no .swift file under Sources/runbook/ over 120 lines
  dependency       folders of Sources/RunbookKit/ use names only from folders they may depend on
  terminal-io      no file in Plan/ or Journal/ uses Console, StatusLine, Terminal, termios, isatty
  parse            the brace counter lost track of a file (unbalanced braces)

Usage: check-architecture.py [REPO_ROOT]   (default: the parent of this script's folder)
Exit status: 0 clean, 1 violations, 2 usage error. Python 3 standard library only.
"""

import os
import re
import sys

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
MAX_COMMAND_LINES = 120
MIN_NAME_LENGTH = 4

# Sources/RunbookKit/ folders in data-flow order, and the folders each one may NOT use names from.
FOLDERS = ["Support", "Context", "Document", "Plan", "Execution", "Journal", "Export"]
FORBIDDEN = {
    "Support": {"Document", "Plan", "Execution", "Journal", "Export"},
    "Context": {"Document", "Plan", "Execution", "Journal", "Export"},
    "Document": {"Plan", "Execution", "Journal", "Export"},
    "Plan": {"Execution", "Export"},
    "Journal": {"Execution", "Plan", "Export"},
    "Execution": {"Export"},
    "Export": set(),
}
TERMINAL_FOLDERS = {"Plan", "Journal"}
TERMINAL_NAMES = {"Console", "StatusLine", "Terminal", "termios", "isatty"}

TYPE_KEYWORDS = {"struct", "class", "enum", "protocol", "actor", "extension"}
NAMED_TYPE_KEYWORDS = {"struct", "class", "enum", "protocol", "actor", "typealias"}
FUNC_KEYWORDS = {"func", "init", "deinit", "subscript"}
# A function header without a body (a protocol requirement) ends at one of these.
DECL_TERMINATORS = {
    "func", "init", "deinit", "subscript", "var", "let", "case", "struct", "class", "enum",
    "protocol", "extension", "actor", "typealias", "associatedtype", "import", "}", ";",
}
KEYWORDS = {
    "func", "init", "deinit", "subscript", "var", "let", "case", "struct", "class", "enum",
    "protocol", "extension", "actor", "typealias", "associatedtype", "import", "static",
    "final", "public", "private", "fileprivate", "internal", "open", "override", "mutating",
    "nonmutating", "convenience", "required", "lazy", "weak", "unowned", "indirect", "where",
    "some", "any", "nonisolated", "package", "dynamic", "optional",
}
MODIFIERS = KEYWORDS - {"func", "init", "deinit", "subscript", "var", "let", "case", "struct",
                        "class", "enum", "protocol", "extension", "actor", "typealias",
                        "associatedtype", "import", "where", "some", "any"}


# --------------------------------------------------------------------------------------------
# Lexing: blank out comments and string literals (keeping interpolated code), keep line breaks.
# --------------------------------------------------------------------------------------------

class _Masker:
    def __init__(self, src):
        self.src = src
        self.n = len(src)
        self.out = list(src)

    def blank(self, a, b):
        out = self.out
        for k in range(a, min(b, self.n)):
            if out[k] != "\n":
                out[k] = " "

    def code(self, i, interpolation=False):
        """Scan code from i; in an interpolation, return the index of its closing parenthesis."""
        src, n = self.src, self.n
        depth = 0
        while i < n:
            c = src[i]
            if c == "/" and src.startswith("//", i):
                end = src.find("\n", i)
                end = n if end < 0 else end
                self.blank(i, end)
                i = end
            elif c == "/" and src.startswith("/*", i):
                i = self.block_comment(i)
            elif c == '"' or c == "#":
                j = i
                while j < n and src[j] == "#":
                    j += 1
                if j < n and src[j] == '"':
                    i = self.string(i, j - i)
                elif j > i and j < n and src[j] == "/":
                    i = self.extended_regex(i, j - i)
                else:
                    i = j if j > i else i + 1
            elif interpolation and c == "(":
                depth += 1
                i += 1
            elif interpolation and c == ")":
                if depth == 0:
                    return i
                depth -= 1
                i += 1
            else:
                i += 1
        return n

    def block_comment(self, i):
        src, n = self.src, self.n
        start, depth = i, 0
        while i < n:
            if src.startswith("/*", i):
                depth += 1
                i += 2
            elif src.startswith("*/", i):
                depth -= 1
                i += 2
                if depth == 0:
                    break
            else:
                i += 1
        self.blank(start, i)
        return i

    def extended_regex(self, i, hashes):
        close = "/" + "#" * hashes
        end = self.src.find(close, i + hashes + 1)
        end = self.n if end < 0 else end + len(close)
        self.blank(i, end)
        return end

    def string(self, i, hashes):
        src, n = self.src, self.n
        j = i + hashes
        multiline = src.startswith('"""', j)
        quote = '"""' if multiline else '"'
        close = quote + "#" * hashes
        escape = "\\" + "#" * hashes
        k = j + len(quote)
        self.blank(i, k)
        while k < n:
            if src.startswith(escape, k):
                after = k + len(escape)
                if after < n and src[after] == "(":
                    self.blank(k, after + 1)
                    end = self.code(after + 1, interpolation=True)
                    self.blank(end, end + 1)
                    k = end + 1
                else:
                    self.blank(k, after + 1)
                    k = after + 1
            elif src.startswith(close, k):
                self.blank(k, k + len(close))
                return k + len(close)
            elif src[k] == "\n" and not multiline:
                return k  # unterminated single-line string: stop at the line end
            else:
                self.blank(k, k + 1)
                k += 1
        return n


def mask(src):
    """The source with comments and string-literal text replaced by spaces (same length and
    line breaks); code inside string interpolations `\\(...)` is kept."""
    m = _Masker(src)
    m.code(0)
    return "".join(m.out)


_TOKEN = re.compile(
    r"`[^`\n]*`"                    # backtick identifier
    r"|[A-Za-z_][A-Za-z0-9_]*"      # identifier or keyword
    r"|#[A-Za-z_]+|@[A-Za-z_]\w*"   # directive, attribute
    r"|\$?\d[\w.]*|\$\w+"           # number, $0
    r"|\n"
    r"|[=\-+!*%<>&|^~?/]+"          # operator
    r"|\S"
)


def tokenize(masked):
    """(text, line) pairs; newlines are kept as "\\n" tokens."""
    tokens, line = [], 1
    for m in _TOKEN.finditer(masked):
        t = m.group()
        tokens.append((t, line))
        if t == "\n":
            line += 1
    return tokens


# --------------------------------------------------------------------------------------------
# Parsing: declarations, their bodies and lengths.
# --------------------------------------------------------------------------------------------

def _next_code(tokens, i):
    while i < len(tokens) and tokens[i][0] == "\n":
        i += 1
    return i


def _prev_code(tokens, i):
    i -= 1
    while i >= 0 and tokens[i][0] == "\n":
        i -= 1
    return i


def _is_private(tokens, i):
    """Whether the declaration keyword at i has a private/fileprivate modifier before it."""
    j = _prev_code(tokens, i)
    while j >= 0:
        t = tokens[j][0]
        if t in ("private", "fileprivate"):
            return True
        if t in MODIFIERS or t.startswith("@") or t in ("(", ")", "set"):
            j = _prev_code(tokens, j)
            continue
        return False
    return False


def _find_body(tokens, i, stop_at_newline=False, need_colon=False):
    """From the token after a declaration keyword, the index of the `{` opening its body,
    or None when the declaration has no body."""
    paren, inner, colon = 0, 0, False
    n = len(tokens)
    while i < n:
        t = tokens[i][0]
        if inner:  # inside a closure in the header (e.g. a default argument)
            if t == "{":
                inner += 1
            elif t == "}":
                inner -= 1
        elif t in ("(", "["):
            paren += 1
        elif t in (")", "]"):
            paren = max(0, paren - 1)
        elif paren:
            if t == "{":
                inner = 1
        elif t == "{":
            return i if (colon or not need_colon) else None
        elif stop_at_newline and t == "\n":
            return None
        elif stop_at_newline and t == "=":
            j = _next_code(tokens, i + 1)
            return j if j < n and tokens[j][0] == "{" else None
        elif t == ":":
            colon = True
        elif t in DECL_TERMINATORS:
            return None
        i += 1
    return None


class FileInfo:
    def __init__(self, path, text):
        self.path = path
        self.lines = len(text.splitlines())
        masked = mask(text)
        self.tokens = tokenize(masked)
        self.functions = []     # (name, start line, end line)
        self.types = []         # (name, line, private)
        self.free_functions = []  # (name, line, private)
        self.unbalanced = None  # line where brace counting went wrong
        self._parse()

    def _parse(self):
        tokens = self.tokens
        n = len(tokens)
        marks = {}  # index of `{` -> (kind, name, start line)
        stack = [("file", None, 1)]  # frames: (kind, name, start line)
        for i, (t, line) in enumerate(tokens):
            if t == "{":
                stack.append(marks.pop(i, ("other", None, line)))
                continue
            if t == "}":
                if len(stack) == 1:
                    if self.unbalanced is None:
                        self.unbalanced = line
                    continue
                kind, name, start = stack.pop()
                if kind in ("func", "prop"):
                    self.functions.append((name, start, line))
                continue
            scope = stack[-1][0]
            prev = tokens[i - 1][0] if i else ""
            nxt = tokens[i + 1][0] if i + 1 < n else ""
            if t in FUNC_KEYWORDS:
                if prev == ".":
                    continue
                if t == "init" and nxt not in ("(", "?", "!", "<"):
                    continue
                name = t
                if t == "func":
                    j = _next_code(tokens, i + 1)
                    name = tokens[j][0] if j < n else "?"
                    if len(stack) == 1:
                        self.free_functions.append((name.strip("`"), line, _is_private(tokens, i)))
                body = _find_body(tokens, i + 1)
                if body is not None and scope != "protocol":
                    marks[body] = ("func", name, line)
            elif t in TYPE_KEYWORDS or t == "typealias":
                j = _next_code(tokens, i + 1)
                if j >= n or prev == ".":
                    continue
                name = tokens[j][0]
                if not re.match(r"[A-Za-z_`]", name) or name in KEYWORDS:
                    continue  # e.g. `class func`, `protocol P: class {`
                if t in NAMED_TYPE_KEYWORDS:
                    self.types.append((name.strip("`"), line, _is_private(tokens, i)))
                if t != "typealias":
                    body = _find_body(tokens, j + 1)
                    if body is not None:
                        marks[body] = ("protocol" if t == "protocol" else "type", name, line)
            elif t in ("var", "let") and scope in ("file", "type"):
                if prev in ("if", "guard", "while", "case", ",", "(", "for"):
                    continue
                j = _next_code(tokens, i + 1)
                name = tokens[j][0] if j < n else "?"
                body = _find_body(tokens, j + 1, stop_at_newline=True, need_colon=True)
                if body is not None:
                    marks[body] = ("prop", name, line)
        if len(stack) > 1 and self.unbalanced is None:
            self.unbalanced = stack[-1][2]

    def words(self):
        """(word, line) for identifier uses, skipping member accesses of lowercase names,
        argument labels and declarations of lowercase names."""
        tokens = self.tokens
        for i, (t, line) in enumerate(tokens):
            if not re.match(r"[A-Za-z_]", t):
                continue
            if t[0].islower():
                prev = tokens[_prev_code(tokens, i)][0] if i else ""
                nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
                if prev in (".", "func", "var", "let", "case") or nxt == ":":
                    continue
            yield t, line


# --------------------------------------------------------------------------------------------
# Rules.
# --------------------------------------------------------------------------------------------

def swift_files(root, folder):
    base = os.path.join(root, folder)
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for f in sorted(filenames):
            if f.endswith(".swift"):
                found.append(os.path.join(dirpath, f))
    return found


def kit_folder(rel):
    parts = rel.replace(os.sep, "/").split("/")
    if len(parts) >= 4 and parts[0] == "Sources" and parts[1] == "RunbookKit" and parts[2] in FOLDERS:
        return parts[2]
    return None


def check(root):
    """(violations, file count, function count); a violation is (path, line, rule, message)."""
    violations = []
    infos = []
    for path in swift_files(root, "Sources"):
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        with open(path, encoding="utf-8", errors="replace") as f:
            infos.append(FileInfo(rel, f.read()))

    functions = 0
    for info in infos:
        if info.lines > MAX_FILE_LINES:
            violations.append((info.path, info.lines, "file-length",
                               f"{info.lines} lines (max {MAX_FILE_LINES})"))
        if info.path.startswith("Sources/runbook/") and info.lines > MAX_COMMAND_LINES:
            violations.append((info.path, info.lines, "command-length",
                               f"command file has {info.lines} lines (max {MAX_COMMAND_LINES})"))
        if info.unbalanced is not None:
            violations.append((info.path, info.unbalanced, "parse",
                               "unbalanced braces: function lengths in this file are unreliable"))
        for name, start, end in info.functions:
            functions += 1
            length = end - start + 1
            if length > MAX_FUNCTION_LINES:
                violations.append((info.path, start, "function-length",
                                   f"'{name}' is {length} lines (max {MAX_FUNCTION_LINES})"))

    # Which folder declares each name; names declared in several folders are ambiguous.
    declared = {}   # name -> set of folders
    exported = {}   # name -> set of folders where it is declared non-private
    for info in infos:
        folder = kit_folder(info.path)
        if folder is None:
            continue
        for name, _, private in info.types + info.free_functions:
            declared.setdefault(name, set()).add(folder)
            if not private:
                exported.setdefault(name, set()).add(folder)
    owner = {}
    for name, folders in declared.items():
        if len(name) >= MIN_NAME_LENGTH and len(folders) == 1 and name in exported:
            owner[name] = next(iter(folders))

    for info in infos:
        folder = kit_folder(info.path)
        if folder is None:
            continue
        forbidden = FORBIDDEN[folder]
        seen = set()
        for word, line in info.words():
            if (word, line) in seen:
                continue
            source = owner.get(word)
            if source is not None and source != folder and source in forbidden:
                seen.add((word, line))
                violations.append((info.path, line, "dependency",
                                   f"{folder} uses '{word}' from {source}"))
            elif folder in TERMINAL_FOLDERS and word in TERMINAL_NAMES:
                seen.add((word, line))
                violations.append((info.path, line, "terminal-io",
                                   f"{folder} mentions '{word}' (terminal I/O belongs in Execution)"))

    violations.sort(key=lambda v: (v[0], v[1], v[2], v[3]))
    return violations, len(infos), functions


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip())
        return 2 if len(argv) > 2 else 0
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(argv[1]) if len(argv) == 2 else os.path.dirname(here)
    if not os.path.isdir(os.path.join(root, "Sources")):
        print(f"check-architecture: no Sources/ folder in {root}", file=sys.stderr)
        return 2
    violations, files, functions = check(root)
    for path, line, rule, message in violations:
        print(f"{path}:{line}: {rule}: {message}")
    print(f"architecture: {files} files, {functions} functions, {len(violations)} violations")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
