"""Plural-Forms read without eval: the C expression grammar gettext allows.

Python's gettext compiles a catalog's `plural=` with exec (a syntax error, `n % 0`
or a name in it ends a build with a traceback). This parser takes only what a
plural rule needs, and gives a function of n, or the reason it refuses:

    ternary := or ["?" ternary ":" ternary]       or  := and {"||" and}
    and     := equal {"&&" equal}                 equal := compare {("==" | "!=") compare}
    compare := modulo {("<" | ">" | "<=" | ">=") modulo}
    modulo  := unary {"%" NUMBER}                 (a whole number above 0: never divides by zero)
    unary   := "!" unary | "n" | NUMBER | "(" ternary ")"
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

Rule = Callable[[int], int]
TOKEN = re.compile(r"\s*(?:(\d+)|(==|!=|<=|>=|&&|\|\||[n<>!?:%()]))")
MAX_LENGTH, MAX_DEPTH = 1000, 40  # CLDR's rules (Babel 2.19): at most 472 characters, nested 6 deep
ALLOWED = "only n, whole numbers, == != < > <= >= && || ! ?: % and parentheses are allowed"
COMPARE: dict[str, Callable[[int, int], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


class PluralError(ValueError):
    """Why a Plural-Forms expression is refused, in words for a translator."""


def tokenize(text: str) -> list[str]:
    if len(text) > MAX_LENGTH:
        raise PluralError(
            f"the expression is {len(text)} characters long; a plural rule needs far fewer"
        )
    out, pos = [], 0
    while text[pos:].strip():
        m = TOKEN.match(text, pos)
        if m is None:
            raise PluralError(f"'{text[pos:].strip()[:20]}' is not allowed: {ALLOWED}")
        out.append(m.group(1) or m.group(2))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self) -> str:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ""

    def take(self, expected: str = "") -> str:
        token = self.peek()
        if not token:
            raise PluralError(
                f"the rule ends too soon{f': {expected!r} is missing' if expected else ''}"
            )
        if expected and token != expected:
            raise PluralError(f"{expected!r} is missing before '{token}'")
        self.pos += 1
        return token

    def nested(self, parse: Callable[[], Rule]) -> Rule:
        """`parse()` one level deeper: parentheses, ?: branches and ! nest."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise PluralError("the expression is nested too deeply")
        rule = parse()
        self.depth -= 1
        return rule

    def ternary(self) -> Rule:
        test = self.binary(0)
        if self.peek() != "?":
            return test
        self.take()
        yes = self.nested(self.ternary)
        self.take(":")
        no = self.nested(self.ternary)
        return lambda n: yes(n) if test(n) else no(n)

    # Binary operators by precedence, loosest first; each level is left-associative.
    LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="))

    def binary(self, level: int) -> Rule:
        if level == len(self.LEVELS):
            return self.modulo()
        left = self.binary(level + 1)
        while self.peek() in self.LEVELS[level]:
            op = self.take()
            left = _combine(op, left, self.binary(level + 1))
        return left

    def modulo(self) -> Rule:
        left = self.unary()
        while self.peek() == "%":
            self.take()
            divisor = self.take()
            if not divisor.isdigit() or int(divisor) == 0:
                raise PluralError(
                    f"'% {divisor}' cannot be computed: write % followed by a whole number above 0"
                )
            left = _modulo(left, int(divisor))
        return left

    def unary(self) -> Rule:
        token = self.take()
        if token == "!":
            inner = self.nested(self.unary)
            return lambda n: int(not inner(n))
        if token == "n":
            return lambda n: n
        if token.isdigit():
            value = int(token)
            return lambda n: value
        if token == "(":
            inner = self.nested(self.ternary)
            self.take(")")
            return inner
        raise PluralError(f"'{token}' cannot start a value: {ALLOWED}")


def _combine(op: str, left: Rule, right: Rule) -> Rule:
    if op == "||":
        return lambda n: int(bool(left(n)) or bool(right(n)))
    if op == "&&":
        return lambda n: int(bool(left(n)) and bool(right(n)))
    compare = COMPARE[op]
    return lambda n: int(compare(left(n), right(n)))


def _modulo(left: Rule, divisor: int) -> Rule:
    return lambda n: left(n) % divisor


def parse(expression: str) -> Rule:
    """The rule `plural=` gives, as a function of n; PluralError when it is not one."""
    parser = _Parser(tokenize(expression))
    if not parser.tokens:
        raise PluralError("the expression is empty")
    rule = parser.ternary()
    if parser.peek():
        raise PluralError(f"'{parser.peek()}' is not expected here")
    return rule
