"""``mpiexec -n 2`` jobs: DDP against single-process training, failure behaviour, the CLI under MPI."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from ._launch import SCRIPTS, results, run, run_script

pytest.importorskip("mpi4py")


@pytest.fixture(scope="module")
def checks() -> dict[int, dict]:
    job = run_script("ddp_checks.py")
    assert job.code == 0, job
    res = job.results()
    assert sorted(res) == [0, 1], job
    return res


def test_collectives(checks: dict[int, dict]) -> None:
    for r in (0, 1):
        c = checks[r]
        assert c["world"] == 2
        assert c["sum"] == [3.0, 30.0]                       # [1 + 2, 10 + 20]
        assert c["max"] == [2.0] and c["avg"] == [1.5]
        assert c["bcast"] == [100.0, 101.0, 102.0, 103.0]    # rank 1's values
        expect = (np.arange(12.0).reshape(3, 4) * 3).T        # a non-contiguous tensor, reduced in place
        assert c["noncontig"] == expect.tolist()
        assert c["objs"] == [{"r": 0}, {"r": 1}]


def test_sampler_splits_each_epoch_over_the_ranks(checks: dict[int, dict]) -> None:
    for r in (0, 1):
        s = checks[r]["sampler"]
        assert (s["replicas"], s["rank"]) == (2, r)
        first, second = s["epochs"]
        assert len(first[0]) == len(first[1]) == 15
        assert sorted(first[0] + first[1]) == list(range(30)) == sorted(second[0] + second[1])
        assert first != second                                  # set_epoch reshuffles
    assert checks[0]["sampler"]["epochs"] == checks[1]["sampler"]["epochs"]


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_ddp_matches_single_process_on_the_global_batch(checks: dict[int, dict], opt: str) -> None:
    for r in (0, 1):
        c = checks[r]
        assert c[f"{opt}_identical"] is True          # bit-identical parameters on every rank
        assert c[f"{opt}_maxrel"] < 1e-6              # float64, 5 steps, vs one process on the whole batch
        assert c[f"{opt}_buckets"] >= 3               # the tiny bucket cap really made several buckets
    assert checks[0]["state_keys"] == ["module.0.weight", "module.0.bias"]
    assert (checks[0]["hooks_while_wrapped"], checks[0]["hooks_after_unwrap"]) == (1, 0)


def test_no_sync_accumulates_then_averages(checks: dict[int, dict]) -> None:
    for r in (0, 1):
        assert checks[r]["no_sync_local_differs"] is True
        assert checks[r]["no_sync_maxdiff"] < 1e-12


def test_find_unused_parameters(checks: dict[int, dict]) -> None:
    for r in (0, 1):
        c = checks[r]
        assert c["unused_never_grad_none"] is True                # unused on every rank: grad stays None
        assert np.allclose(c["unused_b_grad"], 2.5)               # (5 on rank 0 + 0 on rank 1) / 2
        assert np.allclose(c["unused_a_grad"], 7.5)               # (5 + 10) / 2
        assert "never.weight" in c["unfinished_error"] and "find_unused_parameters=True" in c["unfinished_error"]


def test_buffers_follow_rank_0(checks: dict[int, dict]) -> None:
    for r in (0, 1):
        assert checks[r]["bn_first_differs"] is True
        assert checks[r]["bn_second_is_rank0"] is True


def test_ranks_with_different_models_fail_at_start(checks: dict[int, dict]) -> None:
    for r in (0, 1):
        msg = checks[r]["mismatch_error"]
        assert "rank 1" in msg and "'0.weight'" in msg and "(16, 6)" in msg and "(17, 6)" in msg


def test_trainer_script_runs_with_and_without_mpiexec(tmp_path) -> None:
    (tmp_path / "mpi").mkdir()
    (tmp_path / "one").mkdir()
    job = run_script("fit_script.py", 8, tmp_path / "mpi")           # 2 ranks x 8 = global batch 16
    assert job.code == 0, job
    two = job.results()
    p = subprocess.run([sys.executable, str(SCRIPTS / "fit_script.py"), "16", str(tmp_path / "one")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    one = results(p.stdout)[0]
    assert one["world"] == 1 and two[0]["world"] == 2
    for a, b in zip(two[0]["params"], two[1]["params"]):
        assert a == b                                                   # bit-identical across ranks
    for a, b in zip(two[0]["params"], one["params"]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(two[0]["train_loss"], one["train_loss"], rtol=1e-9)
    np.testing.assert_allclose(two[1]["train_accuracy"], one["train_accuracy"], rtol=1e-12)
    assert two[1]["files"] == ["trainer.safetensors"]      # written once, by rank 0, before the barrier


def test_a_rank_that_raises_ends_the_job(tmp_path) -> None:
    job = run_script("failures.py", "raise", timeout=60)
    assert job.code != 0, job
    assert job.seconds < 10, job
    assert "ValueError: boom on rank 1" in job.err, job
    assert "got past" not in job.out, job


def test_a_stalled_rank_times_out(tmp_path) -> None:
    job = run_script("failures.py", "stall", timeout=60)
    assert job.code != 0, job
    assert job.seconds < 10, job                  # timeout=2 s, not the 60 s stall
    assert "did not complete within the timeout of 0:00:02" in job.err, job
    assert "all_reduce" in job.err


# --- the CLI under mpiexec -------------------------------------------------------------------------------
SMALL = ["--dataset", "moons", "--n-samples", "200", "--hidden", "16,16", "--epochs", "4", "--batch-size", "32", "-q"]


def _cli(tmp_path, name: str, *argv: str) -> tuple[object, list[str], list[str]]:
    logs = tmp_path / f"logs-{name}"
    logs.mkdir()
    job = run(["python", str(SCRIPTS / "cli_logged.py"), str(logs), *argv], cwd=str(tmp_path))
    written = [(logs / f"rank{r}.log").read_text().split() for r in (0, 1)]
    return job, written[0], written[1]


def test_cli_train_writes_on_rank_0_only_and_resume_is_exact(tmp_path) -> None:
    import chainrule

    full, part = tmp_path / "full", tmp_path / "part"
    job, w0, w1 = _cli(tmp_path, "full", "--", "train", *SMALL, "--out", str(full))
    assert job.code == 0, job
    assert w1 == [], w1                                     # rank 1 created or replaced no file at all
    assert str(full / "checkpoint.safetensors") in w0 and str(full / "history.csv") in w0
    for name in ("config.toml", "metrics.json", "history.json", "report.txt", "network.svg"):
        assert (full / name).is_file()
    assert job.out.count("test accuracy") == 1             # results printed once

    job, w0, w1 = _cli(tmp_path, "part", "--stop-after", "2", "--", "train", *SMALL, "--out", str(part))
    assert job.code == 130, job                              # interrupted after epoch 2 on every rank
    assert w1 == [] and not (part / "metrics.json").exists()
    job, w0, w1 = _cli(tmp_path, "resume", "--", "resume", str(part))
    assert job.code == 0, job
    assert w1 == [] and "resuming after epoch 2 of 4" in job.out
    a = chainrule.load(str(full / "checkpoint.safetensors"))["trainer"]
    b = chainrule.load(str(part / "checkpoint.safetensors"))["trainer"]
    assert sorted(a["model"]) == sorted(b["model"]) and not any(k.startswith("module.") for k in a["model"])
    for k in a["model"]:
        assert np.array_equal(a["model"][k].numpy(), b["model"][k].numpy()), k
    rows = [[line.rsplit(",", 1)[0] for line in (d / "history.csv").read_text().splitlines()] for d in (full, part)]
    assert len(rows[0]) == 5 and rows[0] == rows[1]          # 4 epochs; equal except the time column


def test_cli_error_on_a_rank_ends_the_job(tmp_path) -> None:
    job = run(["python", "-m", "chainrule", "train", *SMALL[:-3], "--batch-size", "33", "--out", str(tmp_path / "r")],
              timeout=60)
    assert job.code == 2, job
    assert job.seconds < 10, job
    assert "--batch-size 33 is the global batch" in " ".join(job.err.split()), job
    assert not (tmp_path / "r").exists()
