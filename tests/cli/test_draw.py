"""`chainrule draw RUN`: it says exactly what it wrote and leaves no stale picture."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from .helpers import cli

SMALL = ["--dataset", "moons", "--n-samples", "200", "--hidden", "4", "--epochs", "3"]


def test_draw_without_matplotlib_claims_nothing_and_removes_the_stale_curves(tmp_path):
    run = tmp_path / "run"
    assert cli("train", *SMALL, "--out", run, "-q").code == 0
    assert (run / "curves.png").exists()
    code = textwrap.dedent(f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "matplotlib":
                    raise ModuleNotFoundError(f"No module named {{name!r}}")
        sys.meta_path.insert(0, Block())
        from chainrule.cli import main
        sys.exit(main(["draw", {str(run)!r}]))
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p
    assert f"wrote {run / 'network.svg'}" in p.stdout and f"wrote {run / 'graph.svg'}" in p.stdout
    assert "curves.png" not in "".join(line for line in p.stdout.splitlines(True) if line.startswith("wrote"))
    assert "python -m pip install matplotlib" in p.stdout and "removed" in p.stdout
    assert not (run / "curves.png").exists()
    r = cli("draw", run)
    assert r.code == 0 and f"wrote {run / 'curves.png'}" in r.out, r
    assert (run / "curves.png").read_bytes()[:4] == b"\x89PNG"
