"""Rules of the source that keep a class of defects out, checked on the
code itself.

``str.isdigit`` is true of "²" and "①", which ``int()`` refuses, and of
ten thousand digits, which no column holds: a number read from a request,
a workbook or a stored string goes through ``units.params.as_int`` (or a
form's field). ``isdigit`` stays for what it is good at: asking whether a
character of a name is a digit, and the divisions' own names.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("congress", "delegates", "reports", "units")
# Where isdigit() asks about a name, not about a number to read.
ALLOWED_FILES = {"units/divisions.py"}
ALLOWED_RECEIVERS = {"char"}


def isdigit_calls(root: Path = ROOT) -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or relative in ALLOWED_FILES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "isdigit"
                    and not (
                        isinstance(node.func.value, ast.Name)
                        and node.func.value.id in ALLOWED_RECEIVERS
                    )
                ):
                    found.append(f"{relative}:{node.lineno}")
    return found


def test_numbers_are_read_with_as_int_not_isdigit():
    assert isdigit_calls() == [], "read numbers with units.params.as_int"


def test_the_rule_sees_an_isdigit(tmp_path, monkeypatch):
    module = ROOT / "units" / "_rule_probe.py"
    module.write_text("def f(v):\n    return int(v) if v.isdigit() else None\n", encoding="utf-8")
    try:
        assert isdigit_calls() == ["units/_rule_probe.py:2"]
    finally:
        module.unlink()
