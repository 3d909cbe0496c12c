"""Saving is atomic: a crash (SIGKILL) at any moment leaves the old checkpoint or the new one, never a
partial file, and no temporary files pile up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import chainrule
from chainrule.io import CheckpointError, _atomic, atomic_write

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs fork and SIGKILL")


def _tmp_files(folder):
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    p = tmp_path / "f.bin"
    for i in range(20):
        atomic_write(p, bytes([i]) * 1000)
        assert p.read_bytes() == bytes([i]) * 1000
    chainrule.save({"w": chainrule.ones(3)}, tmp_path / "c.safetensors")
    chainrule.save({"w": chainrule.zeros(3)}, str(tmp_path / "c.safetensors"))
    assert sorted(os.listdir(tmp_path)) == ["c.safetensors", "f.bin"]
    atomic_write(str(tmp_path / "empty"), b"")
    assert (tmp_path / "empty").read_bytes() == b""


@pytest.mark.parametrize("fail", ["write", "fsync", "replace", "interrupt"])
def test_failure_at_each_step_keeps_the_old_file_and_removes_the_temp_file(fail, tmp_path, monkeypatch):
    p = tmp_path / "ckpt.safetensors"
    chainrule.save({"epoch": 1, "w": chainrule.ones(4)}, p)
    before = p.read_bytes()
    exc = KeyboardInterrupt if fail == "interrupt" else OSError(28, "No space left on device")

    def boom(*args, **kwargs):
        raise exc

    if fail in ("fsync", "interrupt"):
        monkeypatch.setattr(_atomic.os, "fsync", boom)
    elif fail == "replace":
        monkeypatch.setattr(_atomic.os, "replace", boom)
    else:
        monkeypatch.setattr(_atomic.os, "fdopen", lambda fd, mode: _FailingFile(fd))
    with pytest.raises(KeyboardInterrupt if fail == "interrupt" else CheckpointError,
                       match=None if fail == "interrupt" else "No space left.*Nothing was overwritten"):
        chainrule.save({"epoch": 2, "w": chainrule.zeros(4)}, p)
    monkeypatch.undo()
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.safetensors"]
    assert chainrule.load(p)["epoch"] == 1


class _FailingFile:
    """Writes half of the data, then the disk is full."""

    def __init__(self, fd):
        self.fh = open(fd, "wb")  # noqa: SIM115

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()

    def fileno(self):
        return self.fh.fileno()

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        raise OSError(28, "No space left on device")


def test_writing_over_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(CheckpointError, match="could not save"):
        chainrule.save({}, tmp_path / "d")
    assert os.listdir(tmp_path) == ["d"] and os.listdir(tmp_path / "d") == []


@posix_only
def test_file_mode_is_kept_or_follows_the_umask(tmp_path):
    p = tmp_path / "m.bin"
    atomic_write(p, b"a")
    umask = os.umask(0)
    os.umask(umask)
    assert p.stat().st_mode & 0o777 == 0o666 & ~umask
    p.chmod(0o640)
    atomic_write(p, b"b")
    assert p.stat().st_mode & 0o777 == 0o640


@posix_only
def test_orphaned_temp_files_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f".c.st.{dead.pid}.0123abcd.tmp"
    alive = tmp_path / f".c.st.{os.getppid()}.0123abcd.tmp"  # a live writer: keep
    other = tmp_path / f".other.st.{dead.pid}.0123abcd.tmp"  # another target: keep
    for f in (orphan, alive, other):
        f.write_bytes(b"partial")
    chainrule.save({"x": 1}, tmp_path / "c.st")
    assert sorted(os.listdir(tmp_path)) == sorted(["c.st", alive.name, other.name])


# --- kill -9 at random moments during saves --------------------------------------------------------

# A fork server: imports chainrule once, then forks a saver per trial (a real process, killed for real
# with SIGKILL) so that 100 trials take a few seconds instead of 100 interpreter start-ups.
SERVER = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import chainrule, chainrule.io, chainrule.optim

    def checkpoint(i):  # version i of a training checkpoint: ~260 KB, every value derived from i
        w = np.full((128, 256), i % 65536, np.float32)
        return {"model": {"fc.weight": chainrule.from_numpy(w), "fc.bias": chainrule.full((256,), float(i % 65536))},
                "optimizer": {"state": {0: {"step": chainrule.tensor(i), "exp_avg": chainrule.from_numpy(w / 2)}},
                              "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0]}]},
                "epoch": i, "rng": chainrule.get_rng_state()}

    child = None
    for line in sys.stdin:
        cmd, *args = line.split()
        if cmd == "go":
            path, start = args[0], int(args[1])
            child = os.fork()
            if child == 0:
                deadline = time.monotonic() + 10  # never outlive a broken test
                i = start
                while time.monotonic() < deadline:
                    chainrule.save(checkpoint(i), path)
                    i += 1
                os._exit(3)
            print(child, flush=True)
        elif cmd == "wait":
            _, status = os.waitpid(child, 0)
            print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status), flush=True)
""")


def _check_version(ckpt, version):
    """The checkpoint is exactly what the saver wrote for ``version``."""
    w = np.full((128, 256), version % 65536, np.float32)
    np.testing.assert_array_equal(ckpt["model"]["fc.weight"].numpy(), w)
    np.testing.assert_array_equal(ckpt["model"]["fc.bias"].numpy(), w[0])
    np.testing.assert_array_equal(ckpt["optimizer"]["state"][0]["exp_avg"].numpy(), w / 2)
    assert ckpt["optimizer"]["state"][0]["step"].item() == version
    assert ckpt["optimizer"]["param_groups"] == [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0]}]
    assert ckpt["rng"].dtype is chainrule.uint8


@posix_only
@pytest.mark.slow
def test_sigkill_during_saves_never_leaves_a_corrupt_checkpoint(tmp_path):
    trials, stride = 100, 1_000_000
    rng = np.random.default_rng(0)
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    path = tmp_path / "ckpt.safetensors"
    last = -1  # the newest version seen at `path`: the file may only move forward
    stats = {"absent": 0, "unchanged": 0, "advanced": 0, "killed_mid_write": 0}
    t0 = time.perf_counter()
    try:
        for trial in range(trials):
            fresh = trial % 10 == 0  # every 10th trial starts with no checkpoint at all
            target = tmp_path / f"fresh{trial}.safetensors" if fresh else path
            server.stdin.write(f"go {target} {trial * stride}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            time.sleep(rng.uniform(0.0, 0.03))
            os.kill(pid, signal.SIGKILL)
            server.stdin.write("wait\n")
            server.stdin.flush()
            assert int(server.stdout.readline()) == signal.SIGKILL  # killed, not crashed or finished

            orphans = [n for n in _tmp_files(tmp_path) if n.startswith(f".{target.name}.{pid}.")]
            stats["killed_mid_write"] += bool(orphans)  # the killed saver left its temp file behind
            if not target.exists():
                assert fresh or last == -1, "an existing checkpoint disappeared"
                stats["absent"] += 1
                continue
            ckpt = chainrule.load(target)  # never a CheckpointError
            version = ckpt["epoch"]
            assert trial * stride <= version < (trial + 1) * stride if fresh else 0 <= version < (trial + 1) * stride
            _check_version(ckpt, version)
            if not fresh:
                assert version >= last, "the checkpoint went back to an older version"
                stats["advanced" if version > last else "unchanged"] += 1
                last = version
    finally:
        server.stdin.close()
        server.wait(timeout=20)
    elapsed = time.perf_counter() - t0
    print(f"\nkill -9 test: {trials} trials in {elapsed:.1f} s: {stats}")
    assert elapsed < 20
    assert stats["advanced"] >= trials // 4 and stats["killed_mid_write"] >= 1  # kills really hit saves
    for target in [path] + [tmp_path / f"fresh{t}.safetensors" for t in range(0, trials, 10)]:
        chainrule.save({"final": True}, target)  # a normal save clears the orphans of killed writers
    assert _tmp_files(tmp_path) == []
