"""Rules of the source that keep a class of defects out, checked on the
code itself.

``str.isdigit`` is true of "²" and "①", which ``int()`` refuses, and of
ten thousand digits, which no column holds: a number read from a request,
a workbook or a stored string goes through ``units.params.as_int`` (or a
form's field). ``isdigit`` stays for what it is good at: asking whether a
character of a name is a digit, and the divisions' own names.
"""

import ast
import re
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


# -- Templates compute no rule ------------------------------------------------
#
# A page that compares a status, a role, a tier's level or a kind with a
# literal decides a rule the model or the policy should own: it drifts from
# the service the day a status is added. Templates ask predicates
# (``conference.is_closed``, ``job.is_done``, ``user|may_configure``) and
# colour badges with ``{% status_badge %}``.
RULE_IN_TEMPLATE = re.compile(
    r"\b[\w.]*\b(status|role|level|kind|action|outcome)\s*(==|!=)\s*(['\"]|\d)"
)


def rules_in_templates(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for tag in re.findall(r"\{%.*?%\}", line):
                if RULE_IN_TEMPLATE.search(tag):
                    found.append(f"{relative}:{number}: {tag}")
    return found


def test_templates_compare_no_status_or_role_with_a_literal():
    assert rules_in_templates() == [], "ask a predicate of the model or the policy"


def test_the_template_rule_sees_a_comparison(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "probe.html").write_text(
        '{% if job.status == "done" %}x{% endif %}\n{% if tier.level == level %}{% endif %}\n'
        "{% if user.role == 'admin' %}{% endif %}\n",
        encoding="utf-8",
    )
    assert rules_in_templates(tmp_path) == [
        'templates/probe.html:1: {% if job.status == "done" %}',
        "templates/probe.html:3: {% if user.role == 'admin' %}",
    ]
