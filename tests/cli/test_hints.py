"""Every printed install hint is a command that works, and the README/docs say true things."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import chainrule.onnx

ROOT = Path(__file__).resolve().parents[2]


def _toml(path: Path) -> dict:
    import tomllib

    return tomllib.loads(path.read_text())


def test_curves_need_no_extra():
    # the main job draws curves.png, so its plotting library is a plain requirement
    deps = _toml(ROOT / "pyproject.toml")["project"]["dependencies"]
    assert any(d.startswith("matplotlib") for d in deps), deps


def test_no_hint_installs_chainrule_from_the_package_index():
    # chainrule is installed from its clone; `pip install chainrule[...]` fails for every user
    bad = re.compile(r"pip install (-U )?[\"']?chainrule\b")
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "examples").rglob("*.py"), *(ROOT / "docs").glob("*.md"),
                 ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert not bad.search(text), (path, bad.search(text).group(0))


def test_readme_names_no_file_outside_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in text
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link


def test_readme_says_what_the_tests_cost_and_gives_a_quick_subset():
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "GB" in text and "minutes" in text
    assert "python -m pytest tests/cli tests/train tests/viz" in text


def test_interop_doc_does_not_call_a_supported_op_unsupported():
    text = " ".join((ROOT / "docs" / "interop.md").read_text(encoding="utf-8").split())
    supported = text.split("**Anything else**")[0]
    example = re.search(r"naming the op \(e\.g\. `'(\w+)'`\)", text).group(1)
    assert f"`{example}`" not in supported, example


def test_onnx_example_without_onnx_ends_with_the_one_line_hint():
    # block onnx/onnxruntime as if the extra were not installed, then run the example as a script
    code = textwrap.dedent(f"""
        import sys, runpy
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("onnx", "onnxruntime"):
                    raise ModuleNotFoundError(f"No module named {{name!r}}")
        sys.meta_path.insert(0, Block())
        runpy.run_path({str(ROOT / "examples" / "onnx_export.py")!r}, run_name="__main__")
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p
    assert "Traceback" not in p.stderr, p.stderr
    assert p.stderr.strip().splitlines()[-1] == chainrule.onnx.INSTALL_HINT
    assert "python -m pip install onnx onnxruntime" in chainrule.onnx.INSTALL_HINT
